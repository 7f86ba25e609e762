//===- EvalOps.h - per-family evaluation functions (engine-internal) -*- C++ -*-===//
#ifndef DNNOPT_ENGINE_EVALOPS_H
#define DNNOPT_ENGINE_EVALOPS_H

#include "dialects/dnn/DnnOps.h"
#include "engine/Tensor.h"

namespace dnnopt::engine {

using Operands = llvm::ArrayRef<const Tensor *>;
using Results = std::vector<Tensor>;

/// Each returns std::nullopt when `op` is not of its family, else success/failure.
std::optional<mlir::LogicalResult> evalLinear(mlir::Operation *op, Operands in, Results &out, std::string &err);
std::optional<mlir::LogicalResult> evalElementwise(mlir::Operation *op, Operands in, Results &out, std::string &err);
std::optional<mlir::LogicalResult> evalPoolReduce(mlir::Operation *op, Operands in, Results &out, std::string &err);
std::optional<mlir::LogicalResult> evalLayout(mlir::Operation *op, Operands in, Results &out, std::string &err);
std::optional<mlir::LogicalResult> evalQuant(mlir::Operation *op, Operands in, Results &out, std::string &err);
std::optional<mlir::LogicalResult> evalInt(mlir::Operation *op, Operands in, Results &out, std::string &err);

/// A tensor of the op result's type (shape, element type), zero-filled.
Tensor resultLike(mlir::Value result);

using dnn::broadcastIndex; // numpy broadcasting, shared with the dialect's folders

/// Applies an optional fused clamp (clip_min / clip_max attributes) to `t`.
void applyFusedClamp(mlir::Operation *op, Tensor &t);

/// Spatial geometry of conv / pool ops, padded to 3 spatial axes (D, H, W).
struct Window {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, stride[3] = {1, 1, 1},
          dil[3] = {1, 1, 1}, padBegin[3] = {0, 0, 0};
};
Window makeWindow(const std::vector<int64_t> &inShape, const std::vector<int64_t> &outShape,
                  llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                  llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads);

/// Float reference convolution and numpy matmul (used by the quantized ops too).
void referenceConv(const Tensor &x, const Tensor &w, const Tensor *bias, Tensor &out,
                   const Window &win, int64_t group);
void referenceMatmul(const Tensor &a, const Tensor &b, Tensor &y);

} // namespace dnnopt::engine

#endif
