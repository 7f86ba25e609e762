//===- Dataset.h - training data: .npz / .npy / CSV ---------------*- C++ -*-===//
//
// A Dataset holds inputs x [S, sample...] and targets y [S, ...] as float32
// (float64 and integer arrays are converted; `integerTargets` remembers that y
// came from an integer array, i.e. class indices).
//
// Files:
//   .npz  arrays `x`, `y` (training) and optionally `x_val`, `y_val` (validation);
//         dtypes float32, float64, int64 (and the other integer types).
//   .npy  a single array: `x` only (loadNpyPair reads x and y from two files).
//   .csv  one sample per row, comma separated; the first numel(sample shape)
//         columns are the input flattened in C order (for a [4,256] input:
//         channel 0's 256 steps, then channel 1's, ...), the remaining
//         `targetColumns` columns (default: all the rest, at least 1) are the
//         targets. A first row that does not parse as numbers is a header and is
//         skipped. Empty lines are ignored.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_DATASET_H
#define DNNOPT_PASSES_SEARCH_DATASET_H

#include "passes/search/Loss.h"
#include "passes/search/Tensor.h"

#include "llvm/Support/LogicalResult.h"

#include <optional>
#include <string>

namespace dnnopt::search {

struct Dataset {
  Tensor x, y;
  bool integerTargets = false;

  int64_t size() const { return x.shape.empty() ? 0 : x.shape[0]; }
  /// Gathers samples order[begin, end) into xb / yb (leading dimension end - begin).
  void batch(const std::vector<int64_t> &order, int64_t begin, int64_t end, Tensor &xb, Tensor &yb) const;
  /// Samples [begin, end) in file order.
  Dataset slice(int64_t begin, int64_t end) const;
};

struct DataFiles {
  Dataset train;
  std::optional<Dataset> val; ///< from x_val / y_val when present
};

/// Reads `x`, `y` and optional `x_val`, `y_val` from a .npz archive.
llvm::FailureOr<DataFiles> loadNpz(const std::string &path, std::string &error);
/// Reads x and y from two .npy files.
llvm::FailureOr<Dataset> loadNpyPair(const std::string &xPath, const std::string &yPath, std::string &error);
/// Reads a CSV file (see above); `sampleShape` is the model input without batch.
/// targetColumns <= 0: all columns after the input.
llvm::FailureOr<Dataset> loadCsv(const std::string &path, const Shape &sampleShape, std::string &error,
                                 int64_t targetColumns = 0);
/// By extension: .npz (loadNpz), .csv (loadCsv; no validation part).
llvm::FailureOr<DataFiles> loadData(const std::string &path, const Shape &sampleShape, std::string &error);

/// Checks that `data` fits a model whose input is [N] + inputSample and output
/// [N] + outputSample under `loss`. The error names both shapes, e.g.
/// "train x has shape [100,4,255], the model input 'input' expects [N,4,256]".
llvm::LogicalResult checkFits(const Dataset &data, const std::string &what, const Shape &inputSample,
                              const std::string &inputName, const Shape &outputSample, LossKind loss,
                              std::string &error);

/// Splits off the last `valFraction` of a seeded permutation as validation data.
std::pair<Dataset, Dataset> splitTrainVal(const Dataset &data, double valFraction, uint64_t seed);

/// Seeded Fisher-Yates permutation of [0, n) (identical on every platform).
std::vector<int64_t> seededPermutation(int64_t n, uint64_t seed);

} // namespace dnnopt::search

#endif
