//===- Pool.h - float pooling kernels (forward and backward) ----*- C++ -*-===//
//
// Max / average / global pooling shared by the reference engine
// (engine/EvalPoolReduce.cpp) and the search engine (passes/search). NC[D]HW,
// spatial axes padded to D, H, W. Planes (N*C) run in parallel.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_KERNELS_POOL_H
#define DNNOPT_ENGINE_KERNELS_POOL_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace dnnopt::kernels {

struct PoolGeometry {
  int64_t planes = 1; ///< N * C
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, padBegin[3] = {0, 0, 0}, padEnd[3] = {0, 0, 0};
  int64_t inPlane() const { return in[0] * in[1] * in[2]; }
  int64_t outPlane() const { return out[0] * out[1] * out[2]; }
};

/// From the input / output shapes and the op's attributes (`pads`: begins then
/// ends; empty strides / dilations mean 1).
PoolGeometry poolGeometry(llvm::ArrayRef<int64_t> xShape, llvm::ArrayRef<int64_t> yShape,
                          llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                          llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads);

/// Max pooling (a NaN in the window wins; an empty window gives -inf). When
/// `argmax` is non-null it receives, per output, the in-plane index of the chosen
/// input (-1 for an empty window).
void maxPoolForward(const PoolGeometry &g, const float *x, float *y, int64_t *argmax);
/// gx += scatter of gy to the argmax positions.
void maxPoolBackward(const PoolGeometry &g, const int64_t *argmax, const float *gy, float *gx);

/// Average pooling; the divisor counts the padded positions inside the window when
/// `countIncludePad` (never positions beyond the padding), else the inputs only.
void avgPoolForward(const PoolGeometry &g, bool countIncludePad, const float *x, float *y);
/// gx += d(avg pool)/dx^T gy.
void avgPoolBackward(const PoolGeometry &g, bool countIncludePad, const float *gy, float *gx);

/// Global pooling of `planes` planes of `planeSize` elements. Max uses fmax (a NaN
/// is ignored unless all are NaN); `argmax` as above when non-null.
void globalAvgPoolForward(int64_t planes, int64_t planeSize, const float *x, float *y);
void globalMaxPoolForward(int64_t planes, int64_t planeSize, const float *x, float *y, int64_t *argmax);

} // namespace dnnopt::kernels

#endif
