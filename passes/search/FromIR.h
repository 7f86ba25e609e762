//===- FromIR.h - dnn IR <-> search graph ------------------------*- C++ -*-===//
//
// buildGraph turns a func.func of float dnn ops (as imported by frontend/, with
// or without the cleanup passes) into a Graph:
//   - block arguments become graph inputs; their common leading dimension (the
//     IR batch, usually 1) becomes the run-time batch N: reshape targets that
//     keep it become N-sized, and ops that would mix samples (transpose / concat
//     / pad / slice / softmax over axis 0, reshape that changes the leading
//     dimension, gemm with a batched B) are rejected;
//   - float dnn.constant ops that feed weight / bias / BatchNorm scale and bias
//     operands (conv 1-2, gemm 1-2, matmul's constant operands, batch_norm 1-2)
//     become Params of group `weightGroup`; BatchNorm mean / var become Buffers;
//     other constants stay Constants;
//   - fused clamps (clip_min / clip_max) become a separate relu / clip node.
// An op the engine does not differentiate is an error naming the op and its
// location: "the search engine does not support dnn.resize (node '/up/Resize')".
//
// writeBack copies the Params and Buffers back into their dnn.constant ops, so
// the trained model can be exported or compiled.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_FROMIR_H
#define DNNOPT_PASSES_SEARCH_FROMIR_H

#include "passes/search/Graph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/DenseMap.h"

namespace dnnopt::search {

struct FromIROptions {
  bool trainable = true;                ///< false: weights become Constants (frozen model)
  std::string weightGroup = "weights";  ///< optimizer group of the weights
  float bnMomentum = 0.1f;              ///< running-statistics momentum (PyTorch convention)
};

struct IRGraph {
  Graph graph;
  mlir::func::FuncOp func;
  int64_t irBatch = 1;                   ///< the IR's leading dimension
  std::vector<std::string> inputNames;   ///< `dnn.name` of each argument (or "input<i>")
  std::vector<Shape> inputSamples;       ///< argument shapes without the batch dimension
  std::vector<Shape> outputSamples;      ///< result shapes without the batch dimension
  /// Every dnn.constant used by the graph and its value (Param, Buffer or Constant).
  std::vector<std::pair<mlir::Operation *, ValueId>> constants;
  /// The node computing each converted op (before a fused clamp node, if any).
  llvm::DenseMap<mlir::Operation *, NodeId> nodeOf;
  /// Graph value of each IR value (after the fused clamp).
  llvm::DenseMap<mlir::Value, ValueId> valueOf;

  /// The graph value feeding operand `operand` of IR op `op` (e.g. a conv's
  /// weight: operand 1), or -1.
  ValueId operandValue(mlir::Operation *op, unsigned operand) const;
};

llvm::FailureOr<std::unique_ptr<IRGraph>> buildGraph(mlir::func::FuncOp func, const FromIROptions &options,
                                                     std::string &error);

/// Replaces the value of every dnn.constant that became a Param or Buffer with the
/// graph's current data (same type and shape).
llvm::LogicalResult writeBack(const IRGraph &g, std::string &error);

/// "dnn.conv (node '/conv1/Conv')" — how errors name an op.
std::string describeOp(mlir::Operation *op);

} // namespace dnnopt::search

#endif
