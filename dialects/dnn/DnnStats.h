//===- DnnStats.h - op and model statistics ---------------------*- C++ -*-===//
//
// Counts used by reports and summaries: multiply-accumulates of the linear ops
// (conv, conv_transpose, gemm, matmul and their quantized forms) and parameters.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_DNN_DNNSTATS_H
#define DNNOPT_DIALECTS_DNN_DNNSTATS_H

#include "mlir/IR/Operation.h"

#include <cstdint>

namespace dnnopt::dnn {

/// Multiply-accumulates performed by one op (0 for ops that are not linear).
int64_t countMacs(mlir::Operation *op);

struct ModelStats {
  int64_t ops = 0;        ///< dnn ops other than constants
  int64_t constants = 0;  ///< dnn.constant ops
  int64_t parameters = 0; ///< elements held by constants
  int64_t parameterBytes = 0;
  int64_t macs = 0;
};

/// Statistics of every dnn op nested in `root`.
ModelStats computeModelStats(mlir::Operation *root);

} // namespace dnnopt::dnn

#endif
