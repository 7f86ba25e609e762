//===- TargetModel.h - targets: built-ins, files, plain models -*- C++ -*-===//
//
// Where a #hw.target comes from (built-in name, user file, the module's
// `dnnopt.target`) and its plain C++ form for the cost formulas.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_HW_TARGETMODEL_H
#define DNNOPT_DIALECTS_HW_TARGETMODEL_H

#include "dialects/hw/CostFormulas.h"
#include "dialects/hw/HwAttrs.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <vector>

namespace dnnopt::hw {

/// Module attribute holding the #hw.target.
inline constexpr llvm::StringLiteral kTargetAttrName = "dnnopt.target";
/// Op attributes: the unit an op is mapped to (string) and its precision
/// (#hw.precision); both optional.
inline constexpr llvm::StringLiteral kUnitAttrName = "dnnopt.unit";
inline constexpr llvm::StringLiteral kPrecisionAttrName = "dnnopt.precision";
/// Written by -dnnopt-annotate-cost: #hw.cost on ops, #hw.summary on the module.
inline constexpr llvm::StringLiteral kCostAttrName = "dnnopt.cost";
inline constexpr llvm::StringLiteral kSummaryAttrName = "dnnopt.cost_summary";

struct MemoryModel {
  std::string name;
  MemoryKind kind = MemoryKind::ram;
  int64_t size = 0;
  double bandwidth = 0;
  std::vector<unsigned> units; ///< indices of the units that see it
};

struct TargetModel {
  std::string name;
  std::vector<UnitModel> units;
  std::vector<MemoryModel> memories;
  double baseMW = 0;
  /// Index of the unit named `name`, or -1.
  int findUnit(llvm::StringRef unitName) const;
};

/// The plain form of a (verified) target attribute. Each unit's backgroundMW is
/// base_mw plus the idle power of the other units.
TargetModel buildTargetModel(TargetAttr target);

/// Names of the built-in targets, in documentation order.
llvm::ArrayRef<llvm::StringRef> builtinTargetNames();
/// "stm32l4, stm32h7, gap8, diana, mpic".
std::string knownTargetList();
/// The attribute text of a built-in target (docs/targets.md shows the same text).
std::optional<llvm::StringRef> builtinTargetText(llvm::StringRef name);
/// A built-in target, or null when `name` is unknown.
TargetAttr getBuiltinTarget(mlir::MLIRContext *ctx, llvm::StringRef name);

/// Parses a target description: one #hw.target attribute in the MLIR attribute
/// syntax, `//` comments allowed. On failure returns null and sets `error` to
/// "NAME:LINE:COL: message" followed by the offending line and a caret.
TargetAttr parseTargetText(mlir::MLIRContext *ctx, llvm::StringRef text,
                           llvm::StringRef bufferName, std::string &error);
TargetAttr parseTargetFile(mlir::MLIRContext *ctx, llvm::StringRef path, std::string &error);

/// --target NAME / --target-file PATH: the file wins; when both are given the
/// file must describe a target of that name. Unknown names list the known ones.
TargetAttr resolveTarget(mlir::MLIRContext *ctx, llvm::StringRef name, llvm::StringRef file,
                         std::string &error);

/// "a8w8" -> {8, 8}; "a32w32" is float32.
std::optional<Precision> parsePrecision(llvm::StringRef text);

/// The module's dnnopt.target, or null.
TargetAttr getModuleTarget(mlir::ModuleOp module);

} // namespace dnnopt::hw

#endif
