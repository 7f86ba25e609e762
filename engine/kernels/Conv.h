//===- Conv.h - float convolution kernels (forward and backward) -*- C++ -*-===//
//
// The one implementation of float convolution in dnnopt's host code: the
// reference engine (engine/EvalLinear.cpp, `dnnopt validate`, constant
// evaluation) and the search engine (passes/search) both call convForward;
// the search engine's training also calls convBackward.
//
// Layout NC[D]HW, weights M x C/group x kernel. 1-D and 2-D convolutions are 3-D
// ones with leading spatial extents of 1. Implementation: 1-D convolutions with
// stride 1 run direct SIMD loops on zero-padded rows (ConvDirect.h); the others
// im2col over a chunk of samples, then Eigen products per sample and group.
// Chunks of samples run in parallel (Parallel.h).
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_KERNELS_CONV_H
#define DNNOPT_ENGINE_KERNELS_CONV_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace dnnopt::kernels {

/// Geometry of one convolution (spatial axes padded to D, H, W).
struct ConvGeometry {
  int64_t batch = 1, inChannels = 1, outChannels = 1, group = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, padBegin[3] = {0, 0, 0};

  int64_t inPlane() const { return in[0] * in[1] * in[2]; }
  int64_t outPlane() const { return out[0] * out[1] * out[2]; }
  int64_t kernelVolume() const { return kernel[0] * kernel[1] * kernel[2]; }
  /// Rows of the im2col matrix of one group: C/group x kernel volume.
  int64_t colRows() const { return inChannels / group * kernelVolume(); }
};

/// Geometry from the shapes of input x (N x C x spatial), weight w (M x C/g x
/// kernel) and output y, and the op's attributes (`pads`: begins then ends; empty
/// strides / dilations / pads mean 1 / 1 / 0).
ConvGeometry convGeometry(llvm::ArrayRef<int64_t> xShape, llvm::ArrayRef<int64_t> wShape,
                          llvm::ArrayRef<int64_t> yShape, llvm::ArrayRef<int64_t> strides,
                          llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads,
                          int64_t group);

/// Output extent of one spatial axis (floor mode); < 1 when the window does not fit.
int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                       int64_t padBegin, int64_t padEnd);

/// y = conv(x, w) + bias (bias may be null). y is overwritten.
void convForward(const ConvGeometry &g, const float *x, const float *w, const float *bias, float *y);

/// Gradients of y = conv(x, w) + bias given gy = dL/dy. Each non-null output is
/// ADDED to: gx += dL/dx, gw += dL/dw, gb += dL/dbias.
void convBackward(const ConvGeometry &g, const float *x, const float *w, const float *gy, float *gx,
                  float *gw, float *gb);

} // namespace dnnopt::kernels

#endif
