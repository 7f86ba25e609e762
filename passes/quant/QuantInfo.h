//===- QuantInfo.h - reading quantization parameters off QDQ IR -*- C++ -*-===//
//
// Shared by the quantization passes: what a dequantize_linear / quantize_linear
// says about its tensor (per-tensor activations, per-channel weights), and the
// arithmetic that turns float clamps and scales into the integer attributes of
// the dnn integer ops.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_QUANT_QUANTINFO_H
#define DNNOPT_PASSES_QUANT_QUANTINFO_H

#include "dialects/dnn/DnnOps.h"

#include "mlir/IR/Builders.h"

#include <optional>
#include <string>

namespace dnnopt::quant {

/// A per-tensor integer activation: the integer value and its real scale / zero
/// point; int8, or i4 / i2 (sub-byte activations, `bits` = the element width).
struct Activation {
  mlir::Value q;   ///< the int8 / i4 / i2 tensor
  double scale = 1;
  int64_t zp = 0;
  int64_t bits = 8;
};

/// Constant symmetric weights: int8 values (w - zero_point) with one scale per
/// channel of `axis` (or one for the whole tensor).
struct Weights {
  std::vector<int64_t> shape;
  std::vector<int8_t> values;
  std::vector<double> scales;
  int64_t bits = 8; ///< storage width of the dequantize_linear (8, 4 or 2)
};

/// Scalar value of a constant (first element), if `v` is a constant.
std::optional<double> constantScalar(mlir::Value v);
/// All elements of a constant as doubles.
std::optional<std::vector<double>> constantValues(mlir::Value v);

/// `v` = dequantize_linear(int8 / i4 / i2 tensor) with a constant per-tensor scale
/// and zero point (and `bits` = the tensor's width).
std::optional<Activation> dequantizedActivation(mlir::Value v);
/// The only use of `v` is a per-tensor int8 quantize_linear with constant
/// parameters: that op (its result, scale and zero point).
std::optional<Activation> quantizedOnlyUse(mlir::Value v, mlir::Operation **quantizeOp);
/// `v` = dequantize_linear(constant int8/uint8 tensor) with constant scales along
/// `axis` (or per tensor). Fails (with `why`) when w - zero_point leaves int8.
std::optional<Weights> dequantizedWeights(mlir::Value v, int64_t axis, std::string &why);

/// round_half_even(x / scale) + zp, saturated to int8 (or to a signed `bits`-wide
/// integer).
int64_t quantizeToI8(double x, double scale, int64_t zp, int64_t bits = 8);
/// [lo, hi] of a signed `bits`-wide integer.
std::pair<int64_t, int64_t> signedRange(int64_t bits);
/// The tensor type of shape `shape` holding signed `bits`-wide integers (i8, i4, i2).
mlir::RankedTensorType activationType(llvm::ArrayRef<int64_t> shape, int64_t bits,
                                      mlir::MLIRContext *ctx);
/// The integer [act_min, act_max] of a fused float clamp (clip_min / clip_max of
/// `op`, absent = unbounded) on an output quantized with (scale, zp). Exact:
/// quantization is monotonic, so Q(clamp(v, a, b)) = clamp(Q(v), Q(a), Q(b)).
std::pair<int64_t, int64_t> activationRange(mlir::Operation *op, double scale, int64_t zp,
                                            int64_t bits = 8);

/// dnn.constant of int8 / int32 values.
mlir::Value createI8Constant(mlir::OpBuilder &b, mlir::Location loc,
                             llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int8_t> values);
mlir::Value createI32Constant(mlir::OpBuilder &b, mlir::Location loc,
                              llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int32_t> values);

/// Permutations between channels-first (N x C x spatial) and channels-last.
llvm::SmallVector<int64_t> toChannelsLastPerm(int64_t rank);
llvm::SmallVector<int64_t> toChannelsFirstPerm(int64_t rank);

} // namespace dnnopt::quant

#endif
