//===- PitSearch.h - the PIT search protocol on a dnn function ----*- C++ -*-===//
//
// The whole PIT search (Pit.h holds the masks, their costs and the export) as
// one call that both `dnnopt search pit` and the `-dnn-search-pit` pass use:
//
//   warm-up   W epochs: weights only, best validation epoch kept;
//   search    S epochs: weights + masks against task loss + R, where
//               fixed lambda:  R = lambda * C                        (--lambda)
//               target T:      R = lambda_eff * max(0, C - T)        (--target-size)
//             with C the differentiable cost (params or MACs of the searched
//             layers) and, for a target, the multi-constraint rule of
//             algorithms.md: lambda = max(0, L_task,warm-up / (C_init - T)),
//             lambda_eff(e) = min(lambda/100 + e * 0.99 lambda / (S/2), lambda)
//             for search epoch e = 0, 1, ...; the constraint is checked on
//             max(C, C_binarized) (what export will keep), its gradient is C's;
//   export    the IR is rewritten into the physically smaller network and checked
//             against the masked one on validation samples;
//   fine-tune F epochs: weights of the smaller network, best validation epoch kept.
// The last training of a run (the fine-tune; the warm-up when S = F = 0, i.e. the
// seed trained alone as a reference) anneals its learning rate along a cosine
// from lr to 0, so that seed and found network are compared at the same kind of
// end point rather than at whatever epoch Adam's constant step happened to hop to.
//
// The function is modified in place (imported WITHOUT BatchNorm folding: BN
// trains); on return it holds the found network with its trained weights.
// runWarmUp + runPitSearch with warm-up 0 let a lambda sweep share one warm-up.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_PITSEARCH_H
#define DNNOPT_PASSES_SEARCH_PITSEARCH_H

#include "passes/search/Dataset.h"
#include "passes/search/Pit.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace mlir::func {
class FuncOp;
}

namespace dnnopt::search {

struct PitSearchOptions {
  PitCost cost = PitCost::Params;
  double lambda = 1e-5;           ///< fixed-lambda mode (ignored with a target)
  std::optional<double> target;   ///< cost target T (multi-constraint rule)
  int warmupEpochs = 5, searchEpochs = 20, finetuneEpochs = 10;
  double lr = 1e-3, archLr = 1e-2;
  int64_t batch = 32;
  uint64_t seed = 0;
  LossKind loss = LossKind::MAE;
};

struct PitLayerShape {
  std::string name;
  int64_t cout = 0, kernel = 0, dilation = 0;
};

struct PitSearchResult {
  double seedMetric = NAN;        ///< validation metric after warm-up
  double foundMetric = NAN;       ///< validation metric after fine-tune
  double seedCost = 0;            ///< cost of the searched layers before / after
  double foundCost = 0;
  double lambda = 0;              ///< the lambda used (target mode: the derived one)
  bool targetMet = true;          ///< found cost <= target (always true without one)
  std::vector<PitLayerShape> seedLayers, foundLayers; ///< searchable convs
};

/// Parses "W,S,F" (three non-negative integers) into the options' epochs.
llvm::LogicalResult parseEpochs(llvm::StringRef text, PitSearchOptions &options);
/// "params" or "macs".
llvm::FailureOr<PitCost> parsePitCost(llvm::StringRef text);
const char *pitCostName(PitCost cost);

/// The sample shape (input without the batch dimension) of a function the search
/// can train: one float32 input with a leading batch dimension, one result.
llvm::FailureOr<Shape> searchInputSample(mlir::func::FuncOp func, std::string &error);

/// The training and validation sets of a search: `dataPath` (.npz / .csv) for
/// training; validation from `valPath` if given, else the file's x_val / y_val,
/// else a seeded 10% split of the training data. `sample`: the model input
/// without batch (for CSV).
llvm::FailureOr<std::pair<Dataset, Dataset>> loadSearchData(const std::string &dataPath, const std::string &valPath,
                                                            const Shape &sample, uint64_t seed, std::string &error);

/// Warm-up only: trains the weights of `func` for `epochs` epochs (best validation
/// epoch kept) and writes them back; returns the validation metric.
llvm::FailureOr<double> runWarmUp(mlir::func::FuncOp func, const Dataset &train, const Dataset &val,
                                  const PitSearchOptions &options, int epochs, llvm::raw_ostream *progress,
                                  std::string &error);

/// The whole search (see above). `progress`: one line per epoch, or null.
/// `seedMetric` (optional): the validation metric of an earlier warm-up, used
/// when options.warmupEpochs is 0.
llvm::FailureOr<PitSearchResult> runPitSearch(mlir::func::FuncOp func, const Dataset &train, const Dataset &val,
                                              const PitSearchOptions &options, llvm::raw_ostream *progress,
                                              std::string &error, std::optional<double> seedMetric = {});

} // namespace dnnopt::search

#endif
