//===- QuantLayer.h - kernel parameters and packed weights of integer layers -*- C++ -*-===//
//
// What the int8 emitter (EmitQuant.cpp) and the packed sub-byte activation emitter
// (EmitPacked.cpp) both need from a dnn.qconv / dnn.qfully_connected: the runtime's
// parameter structs (channels-last geometry, zero points, clamp) and the weights
// packed at compile time by the runtime's own pack functions (dnn_s8_*_pack for int8
// weights, dnn_sub_*_pack per precision group for sub-byte or mixed weights).
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_C_QUANTLAYER_H
#define DNNOPT_BACKENDS_C_QUANTLAYER_H

#include "backends/c/CEmitContext.h"
#include "dialects/dnn/DnnOps.h"

extern "C" {
#include "dnn_s8.h"
#include "dnn_sub.h"
}

#include <array>
#include <functional>
#include <optional>
#include <utility>

namespace dnnopt::cemit {

/// The integer values of a dnn.constant (sign-extended), empty if `v` is not one.
std::vector<int64_t> constantInts(mlir::Value v);

/// Whether every weight of the layer is 8 bits (`weight_bits` absent or all 8).
bool allInt8(std::optional<llvm::ArrayRef<int64_t>> bits);

/// Precision groups: runs of output channels of equal width {bits, m0, m}, in channel
/// order (a 0-bit, pruned channel runs as an all-zero 2-bit channel).
std::vector<std::array<int32_t, 3>> precisionRuns(std::optional<llvm::ArrayRef<int64_t>> bits,
                                                  int64_t channels);

/// Fixed-point requantization multipliers and shifts (dnn_s8_quantize_multiplier) of
/// `scale` (1 or `channels` entries), one per channel.
void multipliers(llvm::ArrayRef<double> scale, int64_t channels, std::vector<int32_t> &mult,
                 std::vector<int32_t> &shift);

/// Emits the table of precision groups of a sub-byte layer (their packed weights and
/// channel records); `pack(bits, m0, m, packed, chan)` packs one group into
/// `packedSize(bits, m)` bytes. Returns the table's name.
std::string groupTable(
    CEmitContext &ctx, const std::vector<std::array<int32_t, 3>> &runs,
    const std::function<size_t(int32_t bits, int32_t m)> &packedSize,
    const std::function<void(int32_t bits, int32_t m0, int32_t m, uint8_t *packed,
                             dnn_s8_chan *chan)> &pack);

/// Channels-last geometry of a 1-D (N x W x C) or 2-D (N x H x W x C) window op:
/// n c h w oh ow kh kw sh sw dh dw pt pl pb pr m (reports and fails on other ranks).
mlir::LogicalResult windowGeometry(mlir::Operation *op, mlir::Value x, mlir::Value y,
                                   llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                                   llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads,
                                   std::array<int32_t, 17> &g);

/// The int8 kernel parameters of a dnn.qconv / dnn.qfully_connected.
mlir::FailureOr<dnn_s8_conv_params> qconvParams(dnn::QConvOp op);
dnn_s8_fc_params fcParams(dnn::QFullyConnectedOp op);

/// The compile-time-packed weights of a layer, as emitted arrays: int8 weights
/// (`w`, `chan`: the dnn_s8 kernels) or the precision-group table (`groups`,
/// `ngroups`: the dnn_sub kernels).
struct LayerWeights {
  bool sub = false;
  std::string w, chan;
  std::string groups;
  size_t ngroups = 0;
};

/// Packs a layer's weights for the kernel parameters `p` (reports and fails on
/// non-constant weights or bias).
mlir::FailureOr<LayerWeights> packConvWeights(CEmitContext &ctx, dnn::QConvOp op,
                                              const dnn_s8_conv_params &p);
mlir::FailureOr<LayerWeights> packFcWeights(CEmitContext &ctx, dnn::QFullyConnectedOp op,
                                            const dnn_s8_fc_params &p);

/// Per-tensor (scale, zero point) of a quantize / dequantize op, read from its constant
/// operands (`zeroPoint` null: 0); failure, reported at `op`, for per-axis, non-constant or
/// non-positive parameters.
mlir::FailureOr<std::pair<float, int64_t>> perTensorParams(mlir::Operation *op, mlir::Value scale,
                                                           mlir::Value zeroPoint);
template <typename OpT>
mlir::FailureOr<std::pair<float, int64_t>> perTensor(OpT op) {
  return perTensorParams(op.getOperation(), op.getScale(), op.getZeroPoint());
}

} // namespace dnnopt::cemit

#endif
