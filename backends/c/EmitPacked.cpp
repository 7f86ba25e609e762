//===- EmitPacked.cpp - integer ops on packed sub-byte activations (dnn_pk.h) ---===//
//
// An op reading or writing an i4 / i2 tensor (a sub-byte activation, packed densely
// in the arena: tensorBytes) calls the runtime/dnn_pk.h kernel of its family, which
// unpacks one band / row / chunk of its input into scratch, runs the int8 (dnn_s8) or
// sub-byte-weight (dnn_sub) kernel on it and packs the outputs. This emitter runs
// before the others: any op on a sub-byte tensor is either lowered here or reported.
// The weights are packed exactly as for the int8 kernels (QuantLayer.h).
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "backends/c/QuantLayer.h"
#include "backends/common/StoragePlan.h"
#include "dialects/dnn/DnnOps.h"

extern "C" {
#include "dnn_pk.h"
}

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

/// Width of a sub-byte activation type (4 or 2), else 0.
int32_t subBits(Type t) {
  Type e = getElementTypeOrSelf(t);
  if (e.isSignlessInteger(4)) return 4;
  if (e.isSignlessInteger(2)) return 2;
  return 0;
}
/// Width of an integer activation: 4 or 2 (packed) or 8.
int32_t bitsOf(Value v) {
  int32_t b = subBits(v.getType());
  return b ? b : 8;
}

/// Unpacked bytes (input rows plus output rows of a packed side) one kernel call of a
/// window op holds at least: dnn_pk_conv_plan / dnn_pk_pool_plan pick the band from it
/// (a conv's band then grows while its scratch stays within the int8 kernel's scratch
/// for the whole layer).
constexpr size_t kBandBytes = 1024;

FailureOr<dnn_pk_conv_params> pkConvParams(QConvOp op) {
  FailureOr<dnn_s8_conv_params> c = qconvParams(op);
  if (failed(c)) return failure();
  dnn_pk_conv_params p;
  p.conv = *c;
  p.in_bits = bitsOf(op.getInput());
  p.out_bits = bitsOf(op.getOutput());
  dnn_pk_conv_plan(&p, !allInt8(op.getWeightBits()), kBandBytes);
  return p;
}

dnn_pk_fc_params pkFcParams(QFullyConnectedOp op) {
  return dnn_pk_fc_params{fcParams(op), bitsOf(op.getInput()), bitsOf(op.getOutput())};
}

template <typename OpT>
FailureOr<dnn_pk_pool_params> pkPoolParams(OpT op, ArrayRef<int64_t> dilations,
                                           int64_t countIncludePad, int64_t zp) {
  std::array<int32_t, 17> g;
  if (failed(windowGeometry(op, op.getInput(), op.getOutput(), op.getKernelShape(),
                            op.getStrides(), dilations, op.getPads(), g)))
    return failure();
  dnn_pk_pool_params p;
  p.pool = dnn_s8_pool_params{g[0],  g[1],  g[2],  g[3],  g[4],  g[5],  g[6],
                              g[7],  g[8],  g[9],  g[10], g[11], g[12], g[13],
                              g[14], g[15], (int32_t)countIncludePad, (int32_t)zp,
                              (int32_t)op.getActMin(), (int32_t)op.getActMax()};
  p.bits = bitsOf(op.getInput());
  dnn_pk_pool_plan(&p, kBandBytes);
  return p;
}

dnn_pk_global_pool_params pkGlobalPoolParams(QGlobalAvgPoolOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  int64_t n = xs[0], c = xs.back(), size = numElements(op.getInput()) / (n * c);
  dnn_pk_global_pool_params p;
  p.gp.n = (int32_t)n, p.gp.size = (int32_t)size, p.gp.c = (int32_t)c;
  p.gp.input_zp = (int32_t)op.getInputZp(), p.gp.output_zp = (int32_t)op.getOutputZp();
  dnn_s8_quantize_multiplier(op.getScale().convertToDouble() / (double)size, &p.gp.mult,
                             &p.gp.shift);
  p.gp.act_min = (int32_t)op.getActMin(), p.gp.act_max = (int32_t)op.getActMax();
  p.in_bits = bitsOf(op.getInput());
  p.out_bits = bitsOf(op.getOutput());
  return p;
}

/// A pointer to `v`'s data: its storage, or for a sub-byte constant a packed copy
/// of its values (const data).
std::string packedPtr(CEmitContext &ctx, Value v) {
  int32_t bits = subBits(v.getType());
  if (!bits || !v.getDefiningOp<ConstantOp>()) return ctx.ptr(v);
  std::vector<int64_t> vals = constantInts(v);
  std::vector<int8_t> s8(vals.begin(), vals.end());
  std::vector<uint8_t> packed(dnn_pk_bytes(bits, (int32_t)s8.size()), 0);
  dnn_pk_pack(bits, s8.data(), (int32_t)s8.size(), packed.data(), 0);
  return "((const uint8_t *)" + ctx.wordArray("pk_const", packed.data(), packed.size()) + ")";
}

std::string convInit(const dnn_s8_conv_params &p) {
  return "{" + cInts({p.n, p.c, p.h, p.w, p.m, p.oh, p.ow, p.kh, p.kw, p.stride_h, p.stride_w,
                      p.dil_h, p.dil_w, p.pad_t, p.pad_l, p.pad_b, p.pad_r, p.group, p.input_zp,
                      p.output_zp, p.act_min, p.act_max}) +
         "}";
}

void useRuntime(CEmitContext &ctx) {
  ctx.useRuntime("dnn_sub"); // the int8 and sub-byte-weight kernels the dnn_pk ones call
  ctx.useRuntime("dnn_pk");
}

/// The call of a layer with weights: dnn_pk_KIND (int8 weights) or dnn_pk_sub_KIND
/// (precision groups of sub-byte weights) on the op's input, output and scratch.
void emitWeightedCall(CEmitContext &ctx, const std::string &kind, const std::string &params,
                      Operation *op, const LayerWeights &lw) {
  useRuntime(ctx);
  std::string in = ctx.ptr(op->getOperand(0)), out = ctx.ptr(op->getResult(0));
  if (lw.sub)
    ctx.stmt("dnn_pk_sub_" + kind + "(" + params + ", " + in + ", " + lw.groups + ", " +
             std::to_string(lw.ngroups) + ", " + out + ", " + ctx.scratch(op) + ");");
  else
    ctx.stmt("dnn_pk_" + kind + "(" + params + ", " + in + ", (const int8_t *)" + lw.w +
             ", (const dnn_s8_chan *)" + lw.chan + ", " + out + ", " + ctx.scratch(op) + ");");
}

LogicalResult emitConv(CEmitContext &ctx, QConvOp op) {
  FailureOr<dnn_pk_conv_params> p = pkConvParams(op);
  if (failed(p)) return failure();
  FailureOr<LayerWeights> lw = packConvWeights(ctx, op, p->conv);
  if (failed(lw)) return failure();
  std::string params = ctx.params("dnn_pk_conv_params", convInit(p->conv) + ", " +
                                                            cInts({p->in_bits, p->out_bits, p->band, p->by_channels}));
  emitWeightedCall(ctx, "conv", params, op, *lw);
  return success();
}

LogicalResult emitFc(CEmitContext &ctx, QFullyConnectedOp op) {
  dnn_pk_fc_params p = pkFcParams(op);
  FailureOr<LayerWeights> lw = packFcWeights(ctx, op, p.fc);
  if (failed(lw)) return failure();
  std::string params = ctx.params(
      "dnn_pk_fc_params", "{" + cInts({p.fc.batch, p.fc.in_features, p.fc.out_features,
                                       p.fc.input_zp, p.fc.output_zp, p.fc.act_min, p.fc.act_max}) +
                              "}, " + cInts({p.in_bits, p.out_bits}));
  emitWeightedCall(ctx, "fc", params, op, *lw);
  return success();
}

LogicalResult emitAdd(CEmitContext &ctx, QAddOp op) {
  int32_t am, bm, shift;
  dnn_s8_add_quantize(op.getLhsScale().convertToDouble(), op.getRhsScale().convertToDouble(),
                      op.getOutputScale().convertToDouble(), &am, &bm, &shift);
  std::string params = ctx.params(
      "dnn_pk_add_params",
      "{" +
          cInts({numElements(op.getOutput()), numElements(op.getRhs()), (int64_t)op.getLhsZp(),
                 (int64_t)op.getRhsZp(), (int64_t)op.getOutputZp(), am, bm, shift,
                 (int64_t)op.getActMin(), (int64_t)op.getActMax()}) +
          "}, " + cInts({bitsOf(op.getLhs()), bitsOf(op.getRhs()), bitsOf(op.getOutput())}));
  useRuntime(ctx);
  ctx.stmt("dnn_pk_add(" + params + ", " + packedPtr(ctx, op.getLhs()) + ", " +
           packedPtr(ctx, op.getRhs()) + ", " + ctx.ptr(op.getOutput()) + ", " + ctx.scratch(op) +
           ");");
  return success();
}

LogicalResult emitRequantize(CEmitContext &ctx, RequantizeOp op) {
  Type in = getElementTypeOrSelf(op.getInput().getType());
  if (in.isUnsignedInteger())
    return op.emitError("C backend: unsupported uint8 to sub-byte requantization");
  int32_t mult, shift;
  dnn_s8_quantize_multiplier(op.getScale().convertToDouble(), &mult, &shift);
  std::string params = ctx.params(
      "dnn_pk_requantize_params",
      "{" +
          cInts({numElements(op.getOutput()), (int64_t)op.getInputZp(), (int64_t)op.getOutputZp(),
                 mult, shift, (int64_t)op.getActMin(), (int64_t)op.getActMax()}) +
          "}, " + cInts({bitsOf(op.getInput()), bitsOf(op.getOutput())}));
  useRuntime(ctx);
  ctx.stmt("dnn_pk_requantize(" + params + ", " + packedPtr(ctx, op.getInput()) + ", " +
           ctx.ptr(op.getOutput()) + ", " + ctx.scratch(op) + ");");
  return success();
}

template <typename OpT>
LogicalResult emitPool(CEmitContext &ctx, OpT op, ArrayRef<int64_t> dilations, bool isMax,
                       int64_t countIncludePad, int64_t zp) {
  FailureOr<dnn_pk_pool_params> p = pkPoolParams(op, dilations, countIncludePad, zp);
  if (failed(p)) return failure();
  const dnn_s8_pool_params &g = p->pool;
  std::string params = ctx.params(
      "dnn_pk_pool_params",
      "{" +
          cInts({g.n, g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.stride_h, g.stride_w, g.dil_h,
                 g.dil_w, g.pad_t, g.pad_l, g.pad_b, g.pad_r, g.count_include_pad, g.zp, g.act_min,
                 g.act_max}) +
          "}, " + cInts({p->bits, p->band}));
  useRuntime(ctx);
  ctx.stmt(std::string(isMax ? "dnn_pk_maxpool(" : "dnn_pk_avgpool(") + params + ", " +
           ctx.ptr(op.getInput()) + ", " + ctx.ptr(op.getOutput()) + ", " + ctx.scratch(op) + ");");
  return success();
}

LogicalResult emitGlobalPool(CEmitContext &ctx, QGlobalAvgPoolOp op) {
  dnn_pk_global_pool_params p = pkGlobalPoolParams(op);
  std::string params = ctx.params(
      "dnn_pk_global_pool_params",
      "{" +
          cInts({p.gp.n, p.gp.size, p.gp.c, p.gp.input_zp, p.gp.output_zp, p.gp.mult, p.gp.shift,
                 p.gp.act_min, p.gp.act_max}) +
          "}, " + cInts({p.in_bits, p.out_bits}));
  useRuntime(ctx);
  ctx.stmt("dnn_pk_global_avgpool(" + params + ", " + ctx.ptr(op.getInput()) + ", " +
           ctx.ptr(op.getOutput()) + ", " + ctx.scratch(op) + ");");
  return success();
}

template <typename OpT>
LogicalResult emitQuantDequant(CEmitContext &ctx, OpT op, bool quantize) {
  Value f = quantize ? op.getInput() : op.getOutput(), q = quantize ? op.getOutput() : op.getInput();
  if (!getElementTypeOrSelf(f.getType()).isF32())
    return op.emitError("C backend: unsupported quantize / dequantize of a sub-byte tensor "
                        "(float32 only)");
  auto p = perTensor(op);
  if (failed(p)) return failure();
  std::string params =
      ctx.params("dnn_pk_quant_params", "{" + cInts({numElements(q)}) + ", " + cFloat(p->first) +
                                            ", " + std::to_string(p->second) + "}, " +
                                            std::to_string(bitsOf(q)));
  useRuntime(ctx);
  ctx.stmt(std::string(quantize ? "dnn_pk_quantize_f32(" : "dnn_pk_dequantize_f32(") + params +
           ", " + (quantize ? ctx.ptr(f) : packedPtr(ctx, q)) + ", " +
           (quantize ? ctx.ptr(q) : ctx.ptr(f)) + ", " + ctx.scratch(op) + ");");
  return success();
}

LogicalResult emitTranspose(CEmitContext &ctx, TransposeOp op) {
  ArrayRef<int64_t> shape = shapeOf(op.getInput());
  if (shape.size() > 6)
    return op.emitError("C backend: transpose of a sub-byte tensor of rank > 6");
  std::string sn = ctx.table("int32_t", cInts(shape), (int64_t)(4 * shape.size()));
  std::string pn = ctx.table("int32_t", cInts(op.getPerm()), (int64_t)(4 * shape.size()));
  useRuntime(ctx);
  ctx.stmt("dnn_pk_transpose(" + std::to_string(bitsOf(op.getInput())) + ", " +
           std::to_string(shape.size()) + ", " + sn + ", " + pn + ", " +
           packedPtr(ctx, op.getInput()) + ", " + ctx.ptr(op.getOutput()) + ");");
  return success();
}

/// A view (reshape, identity) the storage plan did not share: a byte copy (the packed
/// order is the flat order, which a reshape keeps).
LogicalResult emitView(CEmitContext &ctx, Operation *op) {
  std::string x = packedPtr(ctx, op->getOperand(0)), y = ctx.ptr(op->getResult(0));
  if (x != y)
    ctx.stmt("memmove(" + y + ", " + x + ", " + std::to_string(tensorBytes(op->getResult(0))) +
             ");");
  return success();
}

bool touchesSubByte(Operation *op) {
  auto sub = [](Value v) { return subBits(v.getType()) != 0; };
  return llvm::any_of(op->getOperands(), sub) || llvm::any_of(op->getResults(), sub);
}

} // namespace

int64_t packedScratchBytes(Operation *op) {
  if (!touchesSubByte(op)) return 0;
  // Unsupported ranks are reported when the op is emitted.
  ScopedDiagnosticHandler quiet(op->getContext(), [](Diagnostic &) { return success(); });
  if (auto c = dyn_cast<QConvOp>(op)) {
    FailureOr<dnn_pk_conv_params> p = pkConvParams(c);
    return failed(p) ? 0 : (int64_t)dnn_pk_conv_scratch_size(&*p, !allInt8(c.getWeightBits()));
  }
  if (auto f = dyn_cast<QFullyConnectedOp>(op)) {
    dnn_pk_fc_params p = pkFcParams(f);
    return (int64_t)dnn_pk_fc_scratch_size(&p, !allInt8(f.getWeightBits()));
  }
  if (isa<QAddOp>(op)) return (int64_t)dnn_pk_add_scratch_size(nullptr);
  if (isa<RequantizeOp>(op)) return (int64_t)dnn_pk_requantize_scratch_size(nullptr);
  if (isa<QuantizeLinearOp, DequantizeLinearOp>(op)) return (int64_t)dnn_pk_quant_scratch_size(nullptr);
  if (auto m = dyn_cast<QMaxPoolOp>(op)) {
    auto p = pkPoolParams(m, m.getDilations(), 0, 0);
    return failed(p) ? 0 : (int64_t)dnn_pk_pool_scratch_size(&*p);
  }
  if (auto a = dyn_cast<QAvgPoolOp>(op)) {
    SmallVector<int64_t> ones(a.getKernelShape().size(), 1);
    auto p = pkPoolParams(a, ones, a.getCountIncludePad() ? 1 : 0, a.getZp());
    return failed(p) ? 0 : (int64_t)dnn_pk_pool_scratch_size(&*p);
  }
  if (auto g = dyn_cast<QGlobalAvgPoolOp>(op)) {
    dnn_pk_global_pool_params p = pkGlobalPoolParams(g);
    return (int64_t)dnn_pk_global_pool_scratch_size(&p);
  }
  return 0;
}

LogicalResult emitPackedOp(CEmitContext &ctx, Operation *op, bool &handled) {
  handled = touchesSubByte(op);
  if (!handled) return success();
  if (auto o = dyn_cast<QConvOp>(op)) return emitConv(ctx, o);
  if (auto o = dyn_cast<QFullyConnectedOp>(op)) return emitFc(ctx, o);
  if (auto o = dyn_cast<QAddOp>(op)) return emitAdd(ctx, o);
  if (auto o = dyn_cast<RequantizeOp>(op)) return emitRequantize(ctx, o);
  if (auto o = dyn_cast<QMaxPoolOp>(op)) return emitPool(ctx, o, o.getDilations(), true, 0, 0);
  if (auto o = dyn_cast<QAvgPoolOp>(op)) {
    SmallVector<int64_t> ones(o.getKernelShape().size(), 1);
    return emitPool(ctx, o, ones, false, o.getCountIncludePad() ? 1 : 0, o.getZp());
  }
  if (auto o = dyn_cast<QGlobalAvgPoolOp>(op)) return emitGlobalPool(ctx, o);
  if (auto o = dyn_cast<QuantizeLinearOp>(op)) return emitQuantDequant(ctx, o, true);
  if (auto o = dyn_cast<DequantizeLinearOp>(op)) return emitQuantDequant(ctx, o, false);
  if (auto o = dyn_cast<TransposeOp>(op)) return emitTranspose(ctx, o);
  if (isa<ReshapeOp, IdentityOp, DropoutOp>(op)) return emitView(ctx, op);
  return op->emitError() << "C backend: '" << op->getName()
                         << "' on a sub-byte (i4 / i2) activation is not supported (packed "
                            "kernels: qconv, qfully_connected, qadd, requantize, the integer "
                            "pools, quantize / dequantize, transpose, reshape)";
}

} // namespace dnnopt::cemit
