//===- EmitQuant.cpp - integer dnn ops to the int8 kernels (dnn_s8.h) ------===//
//
// One kernel call per op. Weights are packed and the per-channel requantization
// tables made at compile time by the runtime's own dnn_s8_*_pack (linked into the
// compiler), from the fixed-point scales of dnn_s8_quantize_multiplier, so code
// and reference (engine/EvalInt.cpp) share every definition. Kernel parameters and
// weight packing helpers: QuantLayer.h (shared with EmitPacked.cpp).
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "backends/c/QuantLayer.h"
#include "dialects/dnn/DnnOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <functional>

extern "C" {
#include "dnn_s8.h"
#include "dnn_sub.h"
}

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

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
  // Pointwise and small first layers (dnn_s8_conv_wide_ok) take the wide kernel: int16
  // weights, twice their flash, about 0.09 instructions per MAC less on Cortex-M4.
  const bool wide = !ctx.compactWeights && dnn_s8_conv_wide_ok(&p);
  std::vector<int8_t> packed(wide ? dnn_s8_conv_wide_packed_size(&p) : dnn_s8_conv_packed_size(&p));
  std::vector<dnn_s8_chan> chan(p.m);
  if (wide)
    dnn_s8_conv_wide_pack(&p, w.data(), bias.empty() ? nullptr : bias.data(), mult.data(),
                          shift.data(), reinterpret_cast<int16_t *>(packed.data()), chan.data());
  else
    dnn_s8_conv_pack(&p, w.data(), bias.empty() ? nullptr : bias.data(), mult.data(),
                     shift.data(), packed.data(), chan.data());
  std::string params = ctx.params("dnn_s8_conv_params", convInit);
  std::string wn = ctx.wordArray("qconv_w", packed.data(), packed.size());
  std::string cn = ctx.wordArray("qconv_chan", chan.data(), chan.size() * sizeof(dnn_s8_chan));
  ctx.useRuntime("dnn_s8");
  ctx.stmt(std::string(wide ? "dnn_s8_conv_wide(" : "dnn_s8_conv(") + params + ", " +
           ctx.ptr(op.getInput()) + (wide ? ", (const int16_t *)" : ", (const int8_t *)") + wn +
           ", (const dnn_s8_chan *)" + cn + ", " + ctx.ptr(op.getOutput()) + ", " +
           ctx.scratch(op) + ");");
  return success();
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

/// The transpose that dnn_s8_quantize_f32_nhwc does together with `q` (null if none): q
/// quantizes a graph input (not arena memory the transpose's output could reuse), its only
/// user is a channels-first to channels-last int8 transpose scheduled right after it (so
/// writing that transpose's output at q's step overwrites nothing live).
TransposeOp fusableTranspose(const CEmitContext &ctx, QuantizeLinearOp q) {
  if (!isa<BlockArgument>(q.getInput()) || !q.getOutput().hasOneUse()) return {};
  auto t = dyn_cast<TransposeOp>(*q.getOutput().getUsers().begin());
  if (!t || ctx.plan.elided.contains(t.getOperation())) return {};
  auto ty = cast<RankedTensorType>(t.getOutput().getType());
  ArrayRef<int64_t> perm = t.getPerm();
  int64_t r = (int64_t)perm.size();
  if (!ty.getElementType().isSignlessInteger(8) || r < 3 || perm[0] != 0 || perm[r - 1] != 1)
    return {};
  for (int64_t i = 1; i + 1 < r; i++)
    if (perm[i] != i + 1) return {};
  const auto &sched = ctx.plan.schedule;
  auto it = std::find(sched.begin(), sched.end(), q.getOperation());
  if (it == sched.end() || it + 1 == sched.end() || *(it + 1) != t.getOperation()) return {};
  return t;
}

LogicalResult emitQuantize(CEmitContext &ctx, QuantizeLinearOp op) {
  Type out = cast<RankedTensorType>(op.getOutput().getType()).getElementType();
  Type in = cast<RankedTensorType>(op.getInput().getType()).getElementType();
  if (!out.isSignlessInteger(8) || !in.isF32() || op.getBits() != 8)
    return op.emitError("C backend: unsupported quantize_linear (float32 to 8-bit int8 only)");
  auto p = perTensor(op);
  if (failed(p)) return failure();
  if (TransposeOp t = fusableTranspose(ctx, op)) { // float NCHW input -> int8 NHWC, one pass
    ArrayRef<int64_t> xs = shapeOf(op.getInput());
    int64_t hw = 1;
    for (size_t i = 2; i < xs.size(); i++) hw *= xs[i];
    std::string params = ctx.params("dnn_s8_quant_nhwc_params",
                                    cInts({xs[0], xs[1], hw}) + ", " + cFloat(p->first) + ", " +
                                        std::to_string(p->second));
    ctx.useRuntime("dnn_s8");
    ctx.stmt("dnn_s8_quantize_f32_nhwc(" + params + ", " + ctx.ptr(op.getInput()) + ", " +
             ctx.ptr(t.getOutput()) + "); /* and the transpose that follows */");
    return success();
  }
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

bool transposeFusedIntoQuantize(const CEmitContext &ctx, Operation *transpose) {
  auto t = dyn_cast<TransposeOp>(transpose);
  auto q = t ? t.getInput().getDefiningOp<QuantizeLinearOp>() : QuantizeLinearOp();
  return q && fusableTranspose(ctx, q) == t;
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
