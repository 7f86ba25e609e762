//===- EmitQuant.cpp - integer dnn ops to the int8 kernels (dnn_s8.h) ------===//
//
// One kernel call per op. Weights are packed and the per-channel requantization
// tables made at compile time by the runtime's own dnn_s8_*_pack (linked into the
// compiler), from the fixed-point scales of dnn_s8_quantize_multiplier, so code
// and reference (engine/EvalInt.cpp) share every definition.
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "dialects/dnn/DnnOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <functional>

extern "C" {
#include "dnn_s8.h"
#include "dnn_sub.h"
}

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

std::vector<int64_t> constantInts(Value v) {
  std::vector<int64_t> out;
  auto c = v.getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseIntElementsAttr>(c.getValue()) : DenseIntElementsAttr();
  if (!dense) return out;
  for (const APInt &i : dense.getValues<APInt>()) out.push_back(i.getSExtValue());
  return out;
}

/// Output channel m's weight width: `weight_bits` has 1 or one entry per channel
/// (absent: 8). A pruned (0-bit) channel that -dnn-group-precision did not remove has
/// all-zero weights and runs as a 2-bit channel.
int32_t bitsOf(std::optional<ArrayRef<int64_t>> bits, int64_t m) {
  if (!bits || bits->empty()) return 8;
  int64_t b = (*bits)[bits->size() == 1 ? 0 : m];
  return b == 0 ? 2 : (int32_t)b;
}

bool allInt8(std::optional<ArrayRef<int64_t>> bits) {
  return !bits || llvm::all_of(*bits, [](int64_t b) { return b == 8; });
}

/// Precision groups: runs of output channels of equal width, in channel order.
std::vector<std::array<int32_t, 3>> precisionRuns(std::optional<ArrayRef<int64_t>> bits,
                                                  int64_t channels) {
  std::vector<std::array<int32_t, 3>> runs; // bits, m0, m
  for (int64_t m = 0; m < channels; ++m) {
    int32_t b = bitsOf(bits, m);
    if (!runs.empty() && runs.back()[0] == b) ++runs.back()[2];
    else runs.push_back({b, (int32_t)m, 1});
  }
  return runs;
}

/// The table of precision groups of a sub-byte layer; `pack(bits, m0, m, packed, chan)`
/// packs one group.
template <typename PackFn>
std::string groupTable(CEmitContext &ctx, const std::vector<std::array<int32_t, 3>> &runs,
                       const std::function<size_t(int32_t bits, int32_t m)> &packedSize,
                       PackFn pack) {
  std::string init;
  for (const auto &[bits, m0, m] : runs) {
    std::vector<uint8_t> packed(packedSize(bits, m));
    std::vector<dnn_s8_chan> chan(m);
    pack(bits, m0, m, packed.data(), chan.data());
    std::string wn = ctx.wordArray("sub_w", packed.data(), packed.size());
    std::string cn = ctx.wordArray("sub_chan", chan.data(), chan.size() * sizeof(dnn_s8_chan));
    init += (init.empty() ? "" : ", ") + std::string("{") + std::to_string(bits) + ", " +
            std::to_string(m0) + ", " + std::to_string(m) + ", " + wn + ", (const dnn_s8_chan *)" +
            cn + "}";
  }
  return ctx.table("dnn_sub_wgroup", init, (int64_t)(runs.size() * sizeof(dnn_sub_wgroup)));
}

void multipliers(ArrayRef<double> scale, int64_t channels, std::vector<int32_t> &mult,
                 std::vector<int32_t> &shift) {
  mult.resize(channels);
  shift.resize(channels);
  for (int64_t m = 0; m < channels; ++m)
    dnn_s8_quantize_multiplier(scale[scale.size() == 1 ? 0 : m], &mult[m], &shift[m]);
}

/// Channels-last geometry of a 1-D (N x W x C) or 2-D (N x H x W x C) window op.
template <typename OpT>
LogicalResult windowGeometry(OpT op, Value x, Value y, ArrayRef<int64_t> kernel,
                             ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                             ArrayRef<int64_t> pads, std::array<int32_t, 17> &g) {
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  if (xs.size() != 3 && xs.size() != 4)
    return op.emitError("C backend: unsupported rank for the int8 kernels (1-D and 2-D only)");
  bool two = xs.size() == 4;
  auto at = [&](ArrayRef<int64_t> v, int64_t dflt, size_t i2) {
    return (int32_t)(two ? v[i2] : (i2 == 0 ? dflt : v[0]));
  };
  // n c h w oh ow kh kw sh sw dh dw pt pl pb pr m
  g = {(int32_t)xs[0], (int32_t)xs.back(), two ? (int32_t)xs[1] : 1, (int32_t)xs[xs.size() - 2],
       two ? (int32_t)ys[1] : 1, (int32_t)ys[ys.size() - 2], at(kernel, 1, 0),
       (int32_t)kernel.back(), at(strides, 1, 0), (int32_t)strides.back(), at(dilations, 1, 0),
       (int32_t)dilations.back(), two ? (int32_t)pads[0] : 0, (int32_t)pads[two ? 1 : 0],
       two ? (int32_t)pads[2] : 0, (int32_t)pads[two ? 3 : 1], (int32_t)ys.back()};
  return success();
}

/// The kernel parameters of a dnn.qconv (reports and fails for ranks the int8
/// kernels do not take).
FailureOr<dnn_s8_conv_params> qconvParams(QConvOp op) {
  std::array<int32_t, 17> g;
  if (failed(windowGeometry(op, op.getInput(), op.getOutput(), shapeOf(op.getWeight()).drop_front(2),
                            op.getStrides(), op.getDilations(), op.getPads(), g)))
    return failure();
  return dnn_s8_conv_params{g[0], g[1], g[2], g[3], g[16], g[4], g[5], g[6], g[7], g[8], g[9], g[10],
                            g[11], g[12], g[13], g[14], g[15], (int32_t)op.getGroup(),
                            (int32_t)op.getInputZp(), (int32_t)op.getOutputZp(),
                            (int32_t)op.getActMin(), (int32_t)op.getActMax()};
}

LogicalResult emitQConv(CEmitContext &ctx, QConvOp op) {
  if (failed(requireConstant(op, op.getWeight(), "weights"))) return failure();
  FailureOr<dnn_s8_conv_params> geometry = qconvParams(op);
  if (failed(geometry)) return failure();
  dnn_s8_conv_params p = *geometry;
  std::vector<int64_t> w64 = constantInts(op.getWeight());
  std::vector<int8_t> w(w64.begin(), w64.end());
  std::vector<int32_t> bias, mult, shift;
  if (op.getBias()) {
    if (failed(requireConstant(op, op.getBias(), "bias"))) return failure();
    for (int64_t b : constantInts(op.getBias())) bias.push_back((int32_t)b);
  }
  multipliers(op.getScale(), p.m, mult, shift);
  std::string convInit = cInts({p.n, p.c, p.h, p.w, p.m, p.oh, p.ow, p.kh, p.kw, p.stride_h, p.stride_w,
                                p.dil_h, p.dil_w, p.pad_t, p.pad_l, p.pad_b, p.pad_r, p.group,
                                p.input_zp, p.output_zp, p.act_min, p.act_max});
  if (!allInt8(op.getWeightBits())) {
    // Sub-byte or mixed-precision weights: one dnn_sub_conv call over the layer's
    // precision groups (runs of equal width), each writing its channels.
    dnn_sub_conv_params sp;
    dnn_sub_conv_params_init(&sp, &p);
    std::string groups = groupTable(
        ctx, precisionRuns(op.getWeightBits(), p.m),
        [&](int32_t bits, int32_t m) { return dnn_sub_conv_packed_size(&sp, bits, m); },
        [&](int32_t bits, int32_t m0, int32_t m, uint8_t *packed, dnn_s8_chan *chan) {
          dnn_sub_conv_pack(&sp, bits, m0, m, w.data(), bias.empty() ? nullptr : bias.data(),
                            mult.data(), shift.data(), packed, chan);
        });
    std::string params = ctx.params("dnn_sub_conv_params", "{" + convInit + "}, " +
                                                               cInts({p.c, 0, p.m, 0}));
    ctx.useRuntime("dnn_sub");
    ctx.stmt("dnn_sub_conv(" + params + ", " + ctx.ptr(op.getInput()) + ", " + groups + ", " +
             std::to_string(precisionRuns(op.getWeightBits(), p.m).size()) + ", " +
             ctx.ptr(op.getOutput()) + ", " + ctx.scratch(op) + ");");
    return success();
  }
  std::vector<int8_t> packed(dnn_s8_conv_packed_size(&p));
  std::vector<dnn_s8_chan> chan(p.m);
  dnn_s8_conv_pack(&p, w.data(), bias.empty() ? nullptr : bias.data(), mult.data(), shift.data(),
                   packed.data(), chan.data());
  std::string params = ctx.params("dnn_s8_conv_params", convInit);
  std::string wn = ctx.wordArray("qconv_w", packed.data(), packed.size());
  std::string cn = ctx.wordArray("qconv_chan", chan.data(), chan.size() * sizeof(dnn_s8_chan));
  ctx.useRuntime("dnn_s8");
  ctx.stmt("dnn_s8_conv(" + params + ", " + ctx.ptr(op.getInput()) + ", (const int8_t *)" + wn +
           ", (const dnn_s8_chan *)" + cn + ", " + ctx.ptr(op.getOutput()) + ", " +
           ctx.scratch(op) + ");");
  return success();
}

dnn_s8_fc_params fcParams(QFullyConnectedOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput()), ws = shapeOf(op.getWeight());
  return dnn_s8_fc_params{(int32_t)xs[0],          (int32_t)xs[1],
                          (int32_t)ws[0],          (int32_t)op.getInputZp(),
                          (int32_t)op.getOutputZp(), (int32_t)op.getActMin(),
                          (int32_t)op.getActMax()};
}

LogicalResult emitQFullyConnected(CEmitContext &ctx, QFullyConnectedOp op) {
  if (failed(requireConstant(op, op.getWeight(), "weights"))) return failure();
  dnn_s8_fc_params p = fcParams(op);
  std::vector<int64_t> w64 = constantInts(op.getWeight());
  std::vector<int8_t> w(w64.begin(), w64.end());
  std::vector<int32_t> bias, mult, shift;
  if (op.getBias()) {
    if (failed(requireConstant(op, op.getBias(), "bias"))) return failure();
    for (int64_t b : constantInts(op.getBias())) bias.push_back((int32_t)b);
  }
  multipliers(op.getScale(), p.out_features, mult, shift);
  std::string fcInit = cInts({p.batch, p.in_features, p.out_features, p.input_zp, p.output_zp,
                              p.act_min, p.act_max});
  if (!allInt8(op.getWeightBits())) {
    dnn_sub_fc_params sp;
    dnn_sub_fc_params_init(&sp, &p);
    auto runs = precisionRuns(op.getWeightBits(), p.out_features);
    std::string groups = groupTable(
        ctx, runs, [&](int32_t bits, int32_t n) { return dnn_sub_fc_packed_size(&sp, bits, n); },
        [&](int32_t bits, int32_t n0, int32_t n, uint8_t *packed, dnn_s8_chan *chan) {
          dnn_sub_fc_pack(&sp, bits, n0, n, w.data(), 1, bias.empty() ? nullptr : bias.data(),
                          mult.data(), shift.data(), packed, chan);
        });
    std::string params =
        ctx.params("dnn_sub_fc_params", "{" + fcInit + "}, " + cInts({p.out_features, 0}));
    ctx.useRuntime("dnn_sub");
    ctx.stmt("dnn_sub_fc(" + params + ", " + ctx.ptr(op.getInput()) + ", " + groups + ", " +
             std::to_string(runs.size()) + ", " + ctx.ptr(op.getOutput()) + ", " +
             ctx.scratch(op) + ");");
    return success();
  }
  std::vector<int8_t> packed(dnn_s8_fc_packed_size(&p));
  std::vector<dnn_s8_chan> chan(p.out_features);
  dnn_s8_fc_pack(&p, w.data(), 1, bias.empty() ? nullptr : bias.data(), mult.data(), shift.data(),
                 packed.data(), chan.data());
  std::string params = ctx.params("dnn_s8_fc_params", fcInit);
  std::string wn = ctx.wordArray("qfc_w", packed.data(), packed.size());
  std::string cn = ctx.wordArray("qfc_chan", chan.data(), chan.size() * sizeof(dnn_s8_chan));
  ctx.useRuntime("dnn_s8");
  ctx.stmt("dnn_s8_fc(" + params + ", " + ctx.ptr(op.getInput()) + ", (const int8_t *)" + wn +
           ", (const dnn_s8_chan *)" + cn + ", " + ctx.ptr(op.getOutput()) + ", " +
           ctx.scratch(op) + ");");
  return success();
}

LogicalResult emitQAdd(CEmitContext &ctx, QAddOp op) {
  int32_t am, bm, shift;
  dnn_s8_add_quantize(op.getLhsScale().convertToDouble(), op.getRhsScale().convertToDouble(),
                      op.getOutputScale().convertToDouble(), &am, &bm, &shift);
  std::string params = ctx.params(
      "dnn_s8_add_params",
      cInts({numElements(op.getOutput()), numElements(op.getRhs()), (int64_t)op.getLhsZp(),
             (int64_t)op.getRhsZp(), (int64_t)op.getOutputZp(), am, bm, shift,
             (int64_t)op.getActMin(), (int64_t)op.getActMax()}));
  ctx.useRuntime("dnn_s8");
  ctx.stmt("dnn_s8_add(" + params + ", " + ctx.ptr(op.getLhs()) + ", " + ctx.ptr(op.getRhs()) +
           ", " + ctx.ptr(op.getOutput()) + ");");
  return success();
}

LogicalResult emitRequantize(CEmitContext &ctx, RequantizeOp op) {
  Type in = cast<RankedTensorType>(op.getInput().getType()).getElementType();
  Type out = cast<RankedTensorType>(op.getOutput().getType()).getElementType();
  int64_t n = numElements(op.getOutput());
  ctx.useRuntime("dnn_s8");
  if (in != out) {
    // uint8 <-> int8 of the same values: scale 1, zero point moved by 128, no clamp.
    int64_t lo = out.isUnsignedInteger() ? 0 : -128;
    int64_t shift = out.isUnsignedInteger() ? 128 : -128;
    if (op.getScale().convertToDouble() != 1.0 ||
        (int64_t)op.getOutputZp() != (int64_t)op.getInputZp() + shift ||
        (int64_t)op.getActMin() != lo || (int64_t)op.getActMax() != lo + 255)
      return op.emitError("C backend: unsupported uint8 requantization (only the exact "
                          "uint8 <-> int8 change of representation)");
    ctx.stmt("dnn_s8_flip_sign(" + std::to_string(n) + ", " + ctx.ptr(op.getInput()) + ", " +
             ctx.ptr(op.getOutput()) + ");");
    return success();
  }
  if (!in.isSignlessInteger(8))
    return op.emitError("C backend: unsupported uint8 requantization");
  int32_t mult, shift;
  dnn_s8_quantize_multiplier(op.getScale().convertToDouble(), &mult, &shift);
  std::string params = ctx.params(
      "dnn_s8_requantize_params", cInts({n, (int64_t)op.getInputZp(), (int64_t)op.getOutputZp(),
                                         mult, shift, (int64_t)op.getActMin(),
                                         (int64_t)op.getActMax()}));
  ctx.stmt("dnn_s8_requantize(" + params + ", " + ctx.ptr(op.getInput()) + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

template <typename OpT>
LogicalResult emitQPool(CEmitContext &ctx, OpT op, ArrayRef<int64_t> dilations, bool isMax,
                        int64_t countIncludePad, int64_t zp) {
  std::array<int32_t, 17> g;
  if (failed(windowGeometry(op, op.getInput(), op.getOutput(), op.getKernelShape(),
                            op.getStrides(), dilations, op.getPads(), g)))
    return failure();
  // n c h w oh ow kh kw sh sw dh dw pt pl pb pr count_include_pad zp act_min act_max
  std::string params = ctx.params(
      "dnn_s8_pool_params",
      cInts({g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12],
             g[13], g[14], g[15], countIncludePad, zp, (int64_t)op.getActMin(),
             (int64_t)op.getActMax()}));
  ctx.useRuntime("dnn_s8");
  ctx.stmt(std::string(isMax ? "dnn_s8_maxpool(" : "dnn_s8_avgpool(") + params + ", " +
           ctx.ptr(op.getInput()) + ", " + ctx.ptr(op.getOutput()) + ");");
  return success();
}

LogicalResult emitQGlobalAvgPool(CEmitContext &ctx, QGlobalAvgPoolOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  int64_t n = xs[0], c = xs.back(), size = numElements(op.getInput()) / (n * c);
  int32_t mult, shift;
  dnn_s8_quantize_multiplier(op.getScale().convertToDouble() / (double)size, &mult, &shift);
  std::string params = ctx.params(
      "dnn_s8_global_pool_params",
      cInts({n, size, c, (int64_t)op.getInputZp(), (int64_t)op.getOutputZp(), mult, shift,
             (int64_t)op.getActMin(), (int64_t)op.getActMax()}));
  ctx.useRuntime("dnn_s8");
  ctx.stmt("dnn_s8_global_avgpool(" + params + ", " + ctx.ptr(op.getInput()) + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

/// Per-tensor (scale, zero point) of a quantize / dequantize op, read from its
/// constant operands; failure (reported) otherwise.
template <typename OpT>
FailureOr<std::pair<float, int64_t>> perTensor(OpT op) {
  Value s = op.getScale(), z = op.getZeroPoint();
  if (numElements(s) != 1 || (z && numElements(z) != 1))
    return op.emitError("C backend: unsupported per-axis quantization parameters");
  if (failed(requireConstant(op, s, "scale")) || (z && failed(requireConstant(op, z, "zero point"))))
    return failure();
  std::vector<float> sv = constantFloats(s);
  int64_t zp = z ? constantInts(z).front() : 0;
  if (sv.empty() || !(sv[0] > 0.0f))
    return op.emitError("C backend: quantization scale must be positive");
  return std::make_pair(sv[0], zp);
}

LogicalResult emitQuantize(CEmitContext &ctx, QuantizeLinearOp op) {
  Type out = cast<RankedTensorType>(op.getOutput().getType()).getElementType();
  Type in = cast<RankedTensorType>(op.getInput().getType()).getElementType();
  if (!out.isSignlessInteger(8) || !in.isF32() || op.getBits() != 8)
    return op.emitError("C backend: unsupported quantize_linear (float32 to 8-bit int8 only)");
  auto p = perTensor(op);
  if (failed(p)) return failure();
  std::string params = ctx.params("dnn_s8_quant_params",
                                  cInts({numElements(op.getOutput())}) + ", " + cFloat(p->first) +
                                      ", " + std::to_string(p->second));
  ctx.useRuntime("dnn_s8");
  ctx.stmt("dnn_s8_quantize_f32(" + params + ", " + ctx.ptr(op.getInput()) + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

LogicalResult emitDequantize(CEmitContext &ctx, DequantizeLinearOp op) {
  Type in = cast<RankedTensorType>(op.getInput().getType()).getElementType();
  Type out = cast<RankedTensorType>(op.getOutput().getType()).getElementType();
  if (!in.isSignlessInteger(8) || !out.isF32())
    return op.emitError("C backend: unsupported dequantize_linear (int8 to float32 only)");
  auto p = perTensor(op);
  if (failed(p)) return failure();
  std::string params = ctx.params("dnn_s8_quant_params",
                                  cInts({numElements(op.getOutput())}) + ", " + cFloat(p->first) +
                                      ", " + std::to_string(p->second));
  ctx.useRuntime("dnn_s8");
  ctx.stmt("dnn_s8_dequantize_f32(" + params + ", " + ctx.ptr(op.getInput()) + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

} // namespace

int64_t quantScratchBytes(Operation *op) {
  if (auto c = dyn_cast<QConvOp>(op)) {
    // Unsupported ranks are reported when the op is emitted.
    ScopedDiagnosticHandler quiet(op->getContext(), [](Diagnostic &) { return success(); });
    FailureOr<dnn_s8_conv_params> params = qconvParams(c);
    if (failed(params)) return 0;
    dnn_s8_conv_params p = *params;
    if (!allInt8(c.getWeightBits())) {
      dnn_sub_conv_params sp;
      dnn_sub_conv_params_init(&sp, &p);
      return (int64_t)dnn_sub_conv_scratch_size(&sp);
    }
    return (int64_t)dnn_s8_conv_scratch_size(&p);
  }
  if (auto f = dyn_cast<QFullyConnectedOp>(op)) {
    dnn_s8_fc_params p = fcParams(f);
    if (!allInt8(f.getWeightBits())) {
      dnn_sub_fc_params sp;
      dnn_sub_fc_params_init(&sp, &p);
      return (int64_t)dnn_sub_fc_scratch_size(&sp);
    }
    return (int64_t)dnn_s8_fc_scratch_size(&p);
  }
  return 0;
}

LogicalResult emitQuantOp(CEmitContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto o = dyn_cast<QConvOp>(op)) return emitQConv(ctx, o);
  if (auto o = dyn_cast<QFullyConnectedOp>(op)) return emitQFullyConnected(ctx, o);
  if (auto o = dyn_cast<QAddOp>(op)) return emitQAdd(ctx, o);
  if (auto o = dyn_cast<RequantizeOp>(op)) return emitRequantize(ctx, o);
  if (auto o = dyn_cast<QMaxPoolOp>(op))
    return emitQPool(ctx, o, o.getDilations(), true, 0, 0);
  if (auto o = dyn_cast<QAvgPoolOp>(op)) {
    SmallVector<int64_t> ones(o.getKernelShape().size(), 1);
    return emitQPool(ctx, o, ones, false, o.getCountIncludePad() ? 1 : 0, o.getZp());
  }
  if (auto o = dyn_cast<QGlobalAvgPoolOp>(op)) return emitQGlobalAvgPool(ctx, o);
  if (auto o = dyn_cast<QuantizeLinearOp>(op)) return emitQuantize(ctx, o);
  if (auto o = dyn_cast<DequantizeLinearOp>(op)) return emitDequantize(ctx, o);
  handled = false;
  return success();
}

} // namespace dnnopt::cemit
