//===- CostAnalysis.h - per-layer costs of a model on a target -*- C++ -*-===//
//
// The figures `dnnopt report` prints and `-dnnopt-annotate-cost` writes, from
// the same code: map every layer to a unit, evaluate the formulas (double), sum
// the totals, and check the memories.
//
// Mapping: an op's `dnnopt.unit` (string) names its unit; otherwise it goes to
// the unit with the lowest latency among those that can run it at its precision
// (ties: the unit listed first). Precision: the op's `dnnopt.precision`
// (#hw.precision), else the default of the options. View ops (reshape,
// identity, dropout) cost nothing and are left out.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_HW_COSTANALYSIS_H
#define DNNOPT_DIALECTS_HW_COSTANALYSIS_H

#include "dialects/hw/CostFormulas.h"
#include "dialects/hw/TargetModel.h"

#include "mlir/IR/Operation.h"

#include <optional>
#include <string>
#include <vector>

namespace dnnopt::hw {

struct LayerEstimate {
  mlir::Operation *op = nullptr;
  std::string name; ///< the op's NameLoc (the ONNX node name), else "<op>#<index>"
  LayerGeometry geometry;
  Precision precision;
  int unit = -1; ///< index in TargetModel::units
  /// Cycles if the layer ran on each unit; nullopt when that unit cannot run it.
  std::vector<std::optional<double>> cyclesPerUnit;
  LayerCost<double> cost; ///< on `unit`
};

struct ModelEstimate {
  TargetModel target;
  std::vector<LayerEstimate> layers;
  double macs = 0, params = 0, paramBytes = 0, latencyMs = 0, energyUJ = 0;
  std::vector<double> cyclesPerUnit; ///< cycles of the layers mapped to each unit
};

struct CostOptions {
  Precision defaultPrecision{8, 8};
};

/// The layer name used in tables and messages.
std::string layerName(mlir::Operation *op);

/// Costs every op implementing CostModelOpInterface nested in `root`. On a layer
/// that no unit can run (or a bad dnnopt.unit / dnnopt.precision), emits an
/// error at the op naming the layer, the precision and why, and returns nullopt
/// after checking every layer.
std::optional<ModelEstimate> estimateModelCost(mlir::Operation *root, const TargetModel &target,
                                               const CostOptions &options);

struct MemoryUse {
  std::string memory;
  MemoryKind kind = MemoryKind::ram;
  int64_t size = 0;
  double used = 0;
  std::string holds; ///< "weights", "activations", "weights + activations", "layer working set"
  bool fits = true;
  bool required = true; ///< false for the smaller levels checked per layer (tiling notes)
};

struct MemoryFit {
  std::vector<MemoryUse> uses;
  bool fits = true;
  std::vector<std::string> errors; ///< one per memory that overflows, with the numbers
  std::vector<std::string> notes;  ///< tiling notes for the smaller levels
};

/// Where weights (paramBytes, packed) and the activation arena (`arenaBytes`,
/// at its largest at layer `peakLayer`) go: weights in the largest flash level
/// (in the largest RAM when there is no flash), the arena in the largest RAM.
/// Smaller RAM levels (L1, TCM) are checked against each layer's working set
/// (its activations + parameters) and only produce tiling notes.
MemoryFit checkMemoryFit(const ModelEstimate &estimate, int64_t arenaBytes,
                         llvm::StringRef peakLayer);

/// "1.5 KiB", "2.0 MiB", "312 B".
std::string formatBytes(double bytes);

} // namespace dnnopt::hw

#endif
