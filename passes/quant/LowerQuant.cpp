//===- LowerQuant.cpp - QDQ / QLinear IR to integer dnn ops ----------------===//
//
// -dnn-lower-quant, in four steps (docs/quantization.md):
//  1. QLinearConv / QLinearMatMul become dequantize -> float op -> quantize, so
//     both ONNX forms meet the same patterns;
//  2. uint8 tensors move to int8 (values and zero points minus 128, exact);
//  3. a float op whose inputs are dequantized int8 (or i4 / i2: sub-byte activations,
//     whose width the integer op's `output_bits` / result type carries) tensors and
//     whose only use is a quantize_linear becomes its integer op (conv, gemm / matmul, add, pools,
//     relu / clip, reshape, quantize(dequantize)); spatial integer ops are
//     channels-last, with transposes at the borders;
//  4. cleanup: transposes move through elementwise integer ops and cancel, clamps
//     fold into their producer (QuantCleanup.cpp).
// A QDQ-wrapped op that cannot become integer stays in float between its
// dequantize and quantize, with a warning naming the op.
//
//===----------------------------------------------------------------------===//
#include "passes/PassUtils.h"
#include "passes/Passes.h"
#include "passes/quant/QuantCleanup.h"
#include "passes/quant/QuantInfo.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace dnnopt {
#define GEN_PASS_DEF_DNNLOWERQUANT
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;
using namespace dnnopt::quant;

namespace {

NamedAttribute attr(OpBuilder &b, StringRef name, int64_t v) {
  return b.getNamedAttr(name, b.getI64IntegerAttr(v));
}
NamedAttribute attrF(OpBuilder &b, StringRef name, double v) {
  return b.getNamedAttr(name, b.getF64FloatAttr(v));
}

//===----------------------------------------------------------------------===//
// 1. QLinear ops -> dequantize / float op / quantize
//===----------------------------------------------------------------------===//

Value dequantize(OpBuilder &b, Location loc, Value x, Value scale, Value zp, int64_t axis) {
  SmallVector<Value> ops{x, scale};
  if (zp) ops.push_back(zp);
  int64_t bits = getElementTypeOrSelf(x.getType()).getIntOrFloatBitWidth();
  return DequantizeLinearOp::create(b, loc, ops, {attr(b, "axis", axis), attr(b, "bits", bits)})
      .getResult();
}

Value quantize(OpBuilder &b, Location loc, Value x, Value scale, Value zp, int64_t axis) {
  return QuantizeLinearOp::create(b, loc, ValueRange{x, scale, zp},
                                  {attr(b, "axis", axis), attr(b, "bits", 8)})
      .getResult();
}

void expandQLinearConv(QLinearConvOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value bias;
  if (Value bi = op.getBias()) {
    // int32 bias at scale x_scale * w_scale[m]
    auto xs = constantScalar(op.getXScale());
    auto ws = constantValues(op.getWScale());
    if (!xs || !ws) return;
    std::vector<float> bs;
    for (double w : *ws) bs.push_back((float)(*xs * w));
    Value scale = passutil::createF32Constant(
        b, loc, bs.size() == 1 ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{(int64_t)bs.size()}, bs);
    bias = dequantize(b, loc, bi, scale, Value(), 0);
  }
  Value x = dequantize(b, loc, op.getX(), op.getXScale(), op.getXZeroPoint(), 1);
  Value w = dequantize(b, loc, op.getW(), op.getWScale(), op.getWZeroPoint(), 0);
  SmallVector<Value> ops{x, w};
  if (bias) ops.push_back(bias);
  Value y = ConvOp::create(b, loc, ops,
                           {b.getNamedAttr("strides", op.getStridesAttr()),
                            b.getNamedAttr("dilations", op.getDilationsAttr()),
                            b.getNamedAttr("pads", op.getPadsAttr()),
                            attr(b, "group", op.getGroup())})
                .getResult();
  op.getOutput().replaceAllUsesWith(quantize(b, loc, y, op.getYScale(), op.getYZeroPoint(), 1));
  op.erase();
}

void expandQLinearMatMul(QLinearMatMulOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  int64_t ra = cast<RankedTensorType>(op.getA().getType()).getRank();
  int64_t rb = cast<RankedTensorType>(op.getB().getType()).getRank();
  Value a = dequantize(b, loc, op.getA(), op.getAScale(), op.getAZeroPoint(), std::max<int64_t>(ra - 2, 0));
  Value bb = dequantize(b, loc, op.getB(), op.getBScale(), op.getBZeroPoint(), rb - 1);
  Value y = MatMulOp::create(b, loc, ValueRange{a, bb}, ArrayRef<NamedAttribute>{}).getResult();
  int64_t ry = cast<RankedTensorType>(y.getType()).getRank();
  op.getOutput().replaceAllUsesWith(
      quantize(b, loc, y, op.getYScale(), op.getYZeroPoint(), ry - 1));
  op.erase();
}

//===----------------------------------------------------------------------===//
// 2. uint8 -> int8
//===----------------------------------------------------------------------===//

bool isU8(Type t) {
  auto it = dyn_cast<IntegerType>(getElementTypeOrSelf(t));
  return it && it.getWidth() == 8 && it.isUnsigned();
}

/// The zero point constant of a quantize / dequantize op shifted into int8.
std::optional<Value> shiftedZeroPoint(OpBuilder &b, Location loc, Value zp) {
  std::vector<int8_t> vals{-128};
  std::vector<int64_t> shape;
  if (zp) {
    auto v = constantValues(zp);
    if (!v) return std::nullopt;
    vals.clear();
    for (double z : *v) vals.push_back((int8_t)((int64_t)z - 128));
    auto t = cast<RankedTensorType>(zp.getType());
    shape.assign(t.getShape().begin(), t.getShape().end());
  }
  return createI8Constant(b, loc, shape, vals);
}

Value requantize(OpBuilder &b, Location loc, Value x, Type resultType, int64_t izp, double scale,
                 int64_t ozp, int64_t lo, int64_t hi) {
  return RequantizeOp::create(b, loc, resultType, x,
                              {attr(b, "input_zp", izp), attrF(b, "scale", scale),
                               attr(b, "output_zp", ozp), attr(b, "act_min", lo),
                               attr(b, "act_max", hi)})
      .getResult();
}

void normalizeQuantize(QuantizeLinearOp q) {
  if (!isU8(q.getOutput().getType()) || q.getBits() != 8) return;
  OpBuilder b(q);
  Location loc = q.getLoc();
  auto zp = shiftedZeroPoint(b, loc, q.getZeroPoint());
  if (!zp) return;
  Value nq = QuantizeLinearOp::create(b, loc, ValueRange{q.getInput(), q.getScale(), *zp},
                                      {attr(b, "axis", q.getAxis()), attr(b, "bits", 8)})
                 .getResult();
  for (OpOperand &use : llvm::make_early_inc_range(q.getOutput().getUses())) {
    auto dq = dyn_cast<DequantizeLinearOp>(use.getOwner());
    if (dq && dq.getZeroPoint() == q.getZeroPoint() && dq.getScale() == q.getScale()) {
      OpBuilder db(dq);
      dq.getOutput().replaceAllUsesWith(
          dequantize(db, dq.getLoc(), nq, dq.getScale(), *zp, dq.getAxis()));
      dq.erase();
    }
  }
  if (!q.getOutput().use_empty()) {
    auto zv = constantValues(*zp);
    if (!zv || zv->size() != 1) return; // per-axis uint8 output: leave it
    int64_t z = (int64_t)(*zv)[0];
    q.getOutput().replaceAllUsesWith(
        requantize(b, loc, nq, q.getOutput().getType(), z, 1.0, z + 128, 0, 255));
  }
  q.erase();
}

void normalizeDequantize(DequantizeLinearOp dq) {
  if (!isU8(dq.getInput().getType())) return;
  OpBuilder b(dq);
  Location loc = dq.getLoc();
  auto zp = shiftedZeroPoint(b, loc, dq.getZeroPoint());
  if (!zp) return;
  auto inType = cast<RankedTensorType>(dq.getInput().getType());
  auto i8Type = RankedTensorType::get(inType.getShape(), b.getIntegerType(8));
  Value x;
  if (auto vals = constantValues(dq.getInput())) {
    std::vector<int8_t> shifted;
    for (double v : *vals) shifted.push_back((int8_t)((int64_t)v - 128));
    x = createI8Constant(b, loc, inType.getShape(), shifted);
  } else {
    auto zv = constantValues(*zp);
    if (!zv || zv->size() != 1) return;
    int64_t z = (int64_t)(*zv)[0];
    x = requantize(b, loc, dq.getInput(), i8Type, z + 128, 1.0, z, -128, 127);
  }
  dq.getOutput().replaceAllUsesWith(dequantize(b, loc, x, dq.getScale(), *zp, dq.getAxis()));
  dq.erase();
}

//===----------------------------------------------------------------------===//
// 3. float op between dequantize and quantize -> integer op
//===----------------------------------------------------------------------===//

class Converter {
public:
  /// Converts `op` if it is QDQ-wrapped and supported. Returns false when it is
  /// not wrapped at all (nothing to say); on a wrapped op that stays float, sets
  /// `why`.
  bool convert(Operation *op, std::string &why);
  /// Ops erased by earlier conversions (the pass walks a list made beforehand).
  llvm::DenseSet<Operation *> erased;

private:
  /// The channels-last form of channels-first int8 value `v`.
  Value channelsLast(OpBuilder &b, Location loc, Value v) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    if (auto t = v.getDefiningOp<TransposeOp>())
      if (t.getPerm() == ArrayRef<int64_t>(toChannelsFirstPerm(rank))) return t.getInput();
    return TransposeOp::create(b, loc, v, b.getDenseI64ArrayAttr(toChannelsLastPerm(rank)))
        .getResult();
  }
  Value channelsFirst(OpBuilder &b, Location loc, Value v) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    return TransposeOp::create(b, loc, v, b.getDenseI64ArrayAttr(toChannelsFirstPerm(rank)))
        .getResult();
  }
  /// Replaces the quantize op `q` (the float op's only use) by `v` and erases both.
  void finish(Operation *op, Operation *q, Value v) {
    q->getResult(0).replaceAllUsesWith(v);
    erased.insert(q);
    erased.insert(op);
    q->erase();
    op->erase();
  }
  bool conv(ConvOp op, std::string &why);
  bool fullyConnected(Operation *op, std::string &why);
  bool add(AddOp op, std::string &why);
  bool clamp(Operation *op, std::string &why);
  bool pool(Operation *op, std::string &why);
  bool reshape(ReshapeOp op, std::string &why);
  bool requantizePair(QuantizeLinearOp op);
  /// int32 bias at scale in_scale * w_scale[m], from a dequantized int32 or a float
  /// constant bias (re-quantized when its scale differs).
  std::optional<std::vector<int32_t>> bias(Value v, double inScale, const Weights &w,
                                           int64_t channels, std::string &why);
};

std::optional<std::vector<int32_t>> Converter::bias(Value v, double inScale, const Weights &w,
                                                    int64_t channels, std::string &why) {
  std::vector<int32_t> out(channels, 0);
  if (!v) return out;
  std::vector<double> real;
  if (auto dq = v.getDefiningOp<DequantizeLinearOp>()) {
    auto q = constantValues(dq.getInput());
    auto s = constantValues(dq.getScale());
    std::vector<double> z(1, 0.0);
    if (dq.getZeroPoint()) {
      auto zv = constantValues(dq.getZeroPoint());
      if (zv) z = *zv;
      else q.reset();
    }
    if (!q || !s || (int64_t)q->size() != channels) {
      why = "bias is not a constant per-channel tensor";
      return std::nullopt;
    }
    for (int64_t m = 0; m < channels; ++m)
      real.push_back(((*q)[m] - z[z.size() == 1 ? 0 : m]) * (*s)[s->size() == 1 ? 0 : m]);
  } else if (auto f = constantValues(v); f && (int64_t)f->size() == channels) {
    real = *f;
  } else {
    why = "bias is not constant";
    return std::nullopt;
  }
  for (int64_t m = 0; m < channels; ++m) {
    double q = std::nearbyint(real[m] / (inScale * w.scales[w.scales.size() == 1 ? 0 : m]));
    if (!(std::fabs(q) < 1073741824.0)) {
      why = "bias does not fit int32 at scale input_scale * weight_scale";
      return std::nullopt;
    }
    out[m] = (int32_t)q;
  }
  return out;
}

/// Sub-byte weights (a dequantize_linear with bits 4 or 2) keep their width.
void setWeightBits(Operation *op, const Weights &w) {
  if (w.bits != 8)
    op->setAttr("weight_bits", DenseI64ArrayAttr::get(op->getContext(), {w.bits}));
}

/// `v`'s shape with signed `bits`-wide elements (a requantize into another width).
Type retyped(Value v, int64_t bits) {
  return activationType(cast<RankedTensorType>(v.getType()).getShape(), bits, v.getContext());
}

std::vector<double> requantScales(double inScale, const Weights &w, double outScale) {
  std::vector<double> s;
  for (double ws : w.scales) s.push_back(inScale * ws / outScale);
  return s;
}

bool Converter::conv(ConvOp op, std::string &why) {
  auto x = dequantizedActivation(op.getInput());
  Operation *q = nullptr;
  auto y = quantizedOnlyUse(op.getOutput(), &q);
  if (!x || !y) return false;
  int64_t rank = cast<RankedTensorType>(op.getInput().getType()).getRank();
  if (rank != 3 && rank != 4) {
    why = "only 1-D and 2-D convolutions have integer kernels";
    return true;
  }
  auto w = dequantizedWeights(op.getWeight(), 0, why);
  if (!w) return true;
  int64_t m = w->shape[0];
  auto b = bias(op.getBias(), x->scale, *w, m, why);
  if (!b) return true;
  OpBuilder bld(op);
  Location loc = op.getLoc();
  auto [lo, hi] = activationRange(op, y->scale, y->zp, y->bits);
  Value wv = createI8Constant(bld, loc, w->shape, w->values);
  SmallVector<Value> operands{channelsLast(bld, loc, x->q), wv};
  if (op.getBias()) operands.push_back(createI32Constant(bld, loc, {m}, *b));
  Value r = QConvOp::create(bld, loc, operands,
                            {bld.getNamedAttr("strides", op.getStridesAttr()),
                             bld.getNamedAttr("dilations", op.getDilationsAttr()),
                             bld.getNamedAttr("pads", op.getPadsAttr()),
                             attr(bld, "group", op.getGroup()), attr(bld, "input_zp", x->zp),
                             bld.getNamedAttr("scale", bld.getDenseF64ArrayAttr(
                                                           requantScales(x->scale, *w, y->scale))),
                             attr(bld, "output_zp", y->zp), attr(bld, "act_min", lo),
                             attr(bld, "act_max", hi), attr(bld, "output_bits", y->bits)})
                .getResult();
  setWeightBits(r.getDefiningOp(), *w);
  finish(op, q, channelsFirst(bld, loc, r));
  return true;
}

bool Converter::fullyConnected(Operation *op, std::string &why) {
  Value a, bw, c;
  bool transB = false;
  if (auto g = dyn_cast<GemmOp>(op)) {
    a = g.getA();
    bw = g.getB();
    c = g.getC();
    transB = g.getTransB();
    if (g.getTransA() || g.getAlpha().convertToDouble() != 1.0 ||
        g.getBeta().convertToDouble() != 1.0) {
      if (dequantizedActivation(a) && quantizedOnlyUse(op->getResult(0), nullptr))
        why = "gemm with trans_a, alpha or beta";
      return !why.empty();
    }
  } else {
    auto mm = cast<MatMulOp>(op);
    a = mm.getA();
    bw = mm.getB();
  }
  auto x = dequantizedActivation(a);
  Operation *q = nullptr;
  auto y = quantizedOnlyUse(op->getResult(0), &q);
  if (!x || !y) return false;
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(bw.getType());
  if (at.getRank() != 2 || bt.getRank() != 2) {
    why = "only 2-D matrix products have integer kernels";
    return true;
  }
  // Output features are axis 0 of B when transposed (N x K), else axis 1.
  auto w = dequantizedWeights(bw, transB ? 0 : 1, why);
  if (!w) return true;
  int64_t n = transB ? w->shape[0] : w->shape[1], k = transB ? w->shape[1] : w->shape[0];
  if (!transB) { // K x N -> N x K
    std::vector<int8_t> t(w->values.size());
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j) t[j * k + i] = w->values[i * n + j];
    w->values = std::move(t);
    w->shape = {n, k};
  }
  if (c) {
    auto ct = cast<RankedTensorType>(c.getType());
    if (ct.getNumElements() != n) {
      why = "gemm bias varies along the rows";
      return true;
    }
  }
  auto b = bias(c ? c : Value(), x->scale, *w, n, why);
  if (!b) {
    // a [1, N] float bias is fine: read it flat
    return true;
  }
  OpBuilder bld(op);
  Location loc = op->getLoc();
  auto [lo, hi] = activationRange(op, y->scale, y->zp, y->bits);
  SmallVector<Value> operands{x->q, createI8Constant(bld, loc, w->shape, w->values)};
  if (c) operands.push_back(createI32Constant(bld, loc, {n}, *b));
  Value r = QFullyConnectedOp::create(
                bld, loc, operands,
                {attr(bld, "input_zp", x->zp),
                 bld.getNamedAttr("scale",
                                  bld.getDenseF64ArrayAttr(requantScales(x->scale, *w, y->scale))),
                 attr(bld, "output_zp", y->zp), attr(bld, "act_min", lo), attr(bld, "act_max", hi),
                 attr(bld, "output_bits", y->bits)})
                .getResult();
  setWeightBits(r.getDefiningOp(), *w);
  finish(op, q, r);
  return true;
}

bool Converter::add(AddOp op, std::string &why) {
  auto a = dequantizedActivation(op.getLhs());
  auto c = dequantizedActivation(op.getRhs());
  Operation *q = nullptr;
  auto y = quantizedOnlyUse(op.getOutput(), &q);
  if (!a || !c || !y) {
    if ((a || c) && y) why = "one operand of the sum is not a dequantized int8 tensor";
    return !why.empty();
  }
  auto at = cast<RankedTensorType>(a->q.getType()), ct = cast<RankedTensorType>(c->q.getType());
  if (at.getShape() != ct.getShape()) {
    if (at.getNumElements() == 1) std::swap(a, c);
    if (cast<RankedTensorType>(c->q.getType()).getNumElements() != 1 ||
        cast<RankedTensorType>(a->q.getType()).getShape() !=
            cast<RankedTensorType>(op.getOutput().getType()).getShape()) {
      why = "integer sums need equal shapes or a scalar";
      return true;
    }
  }
  OpBuilder bld(op);
  auto [lo, hi] = activationRange(op, y->scale, y->zp, y->bits);
  Value r = QAddOp::create(bld, op.getLoc(), ValueRange{a->q, c->q},
                           {attr(bld, "lhs_zp", a->zp), attr(bld, "rhs_zp", c->zp),
                            attrF(bld, "lhs_scale", a->scale), attrF(bld, "rhs_scale", c->scale),
                            attrF(bld, "output_scale", y->scale), attr(bld, "output_zp", y->zp),
                            attr(bld, "act_min", lo), attr(bld, "act_max", hi),
                            attr(bld, "output_bits", y->bits)})
                .getResult();
  finish(op, q, r);
  return true;
}

bool Converter::clamp(Operation *op, std::string &) {
  auto x = dequantizedActivation(op->getOperand(0));
  Operation *q = nullptr;
  auto y = quantizedOnlyUse(op->getResult(0), &q);
  if (!x || !y) return false;
  int64_t lo = quantizeToI8(0.0, y->scale, y->zp, y->bits), hi = signedRange(y->bits).second;
  if (auto c = dyn_cast<ClipOp>(op)) {
    lo = quantizeToI8(c.getMin().convertToDouble(), y->scale, y->zp, y->bits);
    hi = quantizeToI8(c.getMax().convertToDouble(), y->scale, y->zp, y->bits);
  }
  OpBuilder bld(op);
  finish(op, q,
         requantize(bld, op->getLoc(), x->q, q->getResult(0).getType(), x->zp,
                    x->scale / y->scale, y->zp, lo, hi));
  return true;
}

bool Converter::pool(Operation *op, std::string &why) {
  auto x = dequantizedActivation(op->getOperand(0));
  Operation *q = nullptr;
  auto y = quantizedOnlyUse(op->getResult(0), &q);
  if (!x || !y) return false;
  int64_t rank = cast<RankedTensorType>(op->getOperand(0).getType()).getRank();
  if (rank != 3 && rank != 4) {
    why = "only 1-D and 2-D pooling has integer kernels";
    return true;
  }
  bool sameParams =
      std::fabs(x->scale / y->scale - 1.0) < 1e-6 && x->zp == y->zp && x->bits == y->bits;
  auto [xlo, xhi] = signedRange(x->bits);
  auto [ylo, yhi] = signedRange(y->bits);
  if (isa<AvgPoolOp>(op) && !sameParams) {
    // The integer average rounds on the input's grid; requantizing that result
    // rounds again, which can land two output steps away.
    why = "average pooling into another scale (two roundings)";
    return true;
  }
  OpBuilder bld(op);
  Location loc = op->getLoc();
  Value in = channelsLast(bld, loc, x->q), r;
  if (auto g = dyn_cast<GlobalAvgPoolOp>(op)) {
    r = QGlobalAvgPoolOp::create(bld, loc, ValueRange{in},
                                 {attr(bld, "input_zp", x->zp), attrF(bld, "scale", x->scale / y->scale),
                                  attr(bld, "output_zp", y->zp), attr(bld, "act_min", ylo),
                                  attr(bld, "act_max", yhi), attr(bld, "output_bits", y->bits)})
            .getResult();
    finish(op, q, channelsFirst(bld, loc, r));
    return true;
  }
  if (auto m = dyn_cast<MaxPoolOp>(op)) {
    r = QMaxPoolOp::create(bld, loc, ValueRange{in},
                           {bld.getNamedAttr("kernel_shape", m.getKernelShapeAttr()),
                            bld.getNamedAttr("strides", m.getStridesAttr()),
                            bld.getNamedAttr("pads", m.getPadsAttr()),
                            bld.getNamedAttr("dilations", m.getDilationsAttr()),
                            bld.getNamedAttr("ceil_mode", m.getCeilModeAttr()),
                            attr(bld, "act_min", xlo), attr(bld, "act_max", xhi)})
            .getResult();
  } else if (auto a = dyn_cast<AvgPoolOp>(op)) {
    r = QAvgPoolOp::create(bld, loc, ValueRange{in},
                           {bld.getNamedAttr("kernel_shape", a.getKernelShapeAttr()),
                            bld.getNamedAttr("strides", a.getStridesAttr()),
                            bld.getNamedAttr("pads", a.getPadsAttr()),
                            bld.getNamedAttr("ceil_mode", a.getCeilModeAttr()),
                            bld.getNamedAttr("count_include_pad", a.getCountIncludePadAttr()),
                            attr(bld, "zp", x->zp), attr(bld, "act_min", xlo),
                            attr(bld, "act_max", xhi)})
            .getResult();
  } else {
    return false;
  }
  if (!sameParams)
    r = requantize(bld, loc, r, retyped(r, y->bits), x->zp, x->scale / y->scale, y->zp, ylo, yhi);
  finish(op, q, channelsFirst(bld, loc, r));
  return true;
}

bool Converter::reshape(ReshapeOp op, std::string &) {
  auto x = dequantizedActivation(op.getInput());
  Operation *q = nullptr;
  auto y = quantizedOnlyUse(op.getOutput(), &q);
  if (!x || !y) return false;
  OpBuilder bld(op);
  Location loc = op.getLoc();
  Value r = ReshapeOp::create(bld, loc, ValueRange{x->q},
                              {bld.getNamedAttr("shape", op.getShapeAttr())})
                .getResult();
  if (std::fabs(x->scale / y->scale - 1.0) >= 1e-6 || x->zp != y->zp || x->bits != y->bits)
    r = requantize(bld, loc, r, retyped(r, y->bits), x->zp, x->scale / y->scale, y->zp,
                   signedRange(y->bits).first, signedRange(y->bits).second);
  finish(op, q, r);
  return true;
}

bool Converter::requantizePair(QuantizeLinearOp q) {
  auto x = dequantizedActivation(q.getInput());
  Operation *self = nullptr;
  if (!x || !q.getInput().hasOneUse()) return false;
  auto y = quantizedOnlyUse(q.getInput(), &self);
  if (!y) return false;
  Operation *dq = q.getInput().getDefiningOp();
  Value r = x->q;
  if (std::fabs(x->scale / y->scale - 1.0) >= 1e-6 || x->zp != y->zp || x->bits != y->bits) {
    OpBuilder bld(q);
    r = requantize(bld, q.getLoc(), r, q.getOutput().getType(), x->zp, x->scale / y->scale, y->zp,
                   signedRange(y->bits).first, signedRange(y->bits).second);
  }
  q.getOutput().replaceAllUsesWith(r);
  erased.insert(q);
  erased.insert(dq);
  q.erase();
  dq->erase();
  return true;
}

bool Converter::convert(Operation *op, std::string &why) {
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case<ConvOp>([&](ConvOp o) { return conv(o, why); })
      .Case<GemmOp, MatMulOp>([&](Operation *o) { return fullyConnected(o, why); })
      .Case<AddOp>([&](AddOp o) { return add(o, why); })
      .Case<ReluOp, ClipOp>([&](Operation *o) { return clamp(o, why); })
      .Case<MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp>([&](Operation *o) { return pool(o, why); })
      .Case<ReshapeOp>([&](ReshapeOp o) { return reshape(o, why); })
      .Case<QuantizeLinearOp>([&](QuantizeLinearOp o) { return requantizePair(o); })
      .Default([](Operation *) { return false; });
}

//===----------------------------------------------------------------------===//
// 5. weights of ops kept in float: dequantize_linear of constants -> constants
//===----------------------------------------------------------------------===//

void foldConstantDequantize(DequantizeLinearOp dq) {
  auto q = constantValues(dq.getInput());
  auto s = constantValues(dq.getScale());
  std::vector<double> z(1, 0.0);
  if (dq.getZeroPoint()) {
    auto zv = constantValues(dq.getZeroPoint());
    if (!zv) return;
    z = *zv;
  }
  if (!q || !s) return;
  auto type = cast<RankedTensorType>(dq.getInput().getType());
  int64_t axis = dq.getAxis(), inner = 1,
          channels = type.getRank() ? type.getDimSize(axis) : 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d) inner *= type.getDimSize(d);
  std::vector<float> out(q->size());
  for (size_t k = 0; k < q->size(); ++k) {
    int64_t c = type.getRank() ? (int64_t)(k / inner) % channels : 0;
    out[k] = (float)(((*q)[k] - z[z.size() == 1 ? 0 : c]) * (*s)[s->size() == 1 ? 0 : c]);
  }
  OpBuilder b(dq);
  dq.getOutput().replaceAllUsesWith(
      passutil::createF32Constant(b, dq.getLoc(), type.getShape(), out));
  dq.erase();
}

/// Whether `op` sits between dequantize_linear and quantize_linear (a QDQ unit
/// that was meant to run in integer).
bool isQdqWrapped(Operation *op) {
  if (op->getNumResults() != 1 || !quantizedOnlyUse(op->getResult(0), nullptr)) return false;
  return llvm::any_of(op->getOperands(),
                      [](Value v) { return v.getDefiningOp<DequantizeLinearOp>(); });
}

struct DnnLowerQuant : ::dnnopt::impl::DnnLowerQuantBase<DnnLowerQuant> {
  void runOnOperation() override {
    Operation *root = getOperation();
    SmallVector<Operation *> ops;
    root->walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops) {
      if (auto c = dyn_cast<QLinearConvOp>(op)) expandQLinearConv(c);
      else if (auto m = dyn_cast<QLinearMatMulOp>(op)) expandQLinearMatMul(m);
    }
    ops.clear();
    root->walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops)
      if (auto q = dyn_cast<QuantizeLinearOp>(op)) normalizeQuantize(q);
    ops.clear();
    root->walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops)
      if (auto dq = dyn_cast<DequantizeLinearOp>(op)) normalizeDequantize(dq);

    // Program order: producers are integer before their consumers are looked at.
    ops.clear();
    root->walk([&](Operation *op) {
      if (isa<DnnDialect>(op->getDialect())) ops.push_back(op);
    });
    Converter converter;
    for (Operation *op : ops) {
      if (converter.erased.contains(op)) continue;
      bool wrapped = isQdqWrapped(op);
      std::string why;
      bool converted = converter.convert(op, why);
      if (!why.empty()) {
        op->emitWarning() << "kept in float: " << why;
      } else if (!converted && wrapped && !isa<QuantizeLinearOp, DequantizeLinearOp>(op)) {
        op->emitWarning() << "kept in float: '" << op->getName()
                          << "' has no integer form (dequantized, computed in float, "
                             "quantized again)";
      }
    }

    ops.clear();
    root->walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops)
      if (auto dq = dyn_cast<DequantizeLinearOp>(op)) foldConstantDequantize(dq);

    RewritePatternSet patterns(&getContext());
    populateQuantCleanupPatterns(patterns);
    if (failed(applyPatternsGreedily(root, std::move(patterns), passutil::patternsOnlyConfig())))
      return signalPassFailure();
  }
};

} // namespace
