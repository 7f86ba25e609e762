//===- DnnIntShapes.cpp - result types and verifiers of integer dnn ops ----===//
//
// The integer ops (DnnIntOps.td) are channels-last: their shape rules are those of
// the float ops with the channel axis moved to the end.
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"
#include "dialects/dnn/DnnShapeUtils.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt::dnn;
using namespace dnnopt::dnn::detail;

namespace {

/// N x spatial... x C  ->  N x C x spatial...
SmallVector<int64_t> toChannelsFirst(ArrayRef<int64_t> s) {
  SmallVector<int64_t> out{s[0], s.back()};
  out.append(s.begin() + 1, s.end() - 1);
  return out;
}
/// N x C x spatial...  ->  N x spatial... x C
SmallVector<int64_t> toChannelsLast(ArrayRef<int64_t> s) {
  SmallVector<int64_t> out{s[0]};
  out.append(s.begin() + 2, s.end());
  out.push_back(s[1]);
  return out;
}

/// Width of a signless activation element type: 8, 4 or 2 (0 for anything else).
unsigned actWidth(Type e) {
  auto it = dyn_cast<IntegerType>(e);
  if (!it || it.isUnsigned()) return 0;
  unsigned w = it.getWidth();
  return w == 8 || w == 4 || w == 2 ? w : 0;
}
unsigned actWidth(Value v) {
  return actWidth(cast<RankedTensorType>(v.getType()).getElementType());
}

/// The result element type of width `bits` (8, 4 or 2; reported otherwise).
FailureOr<Type> actType(MLIRContext *ctx, Loc loc, int64_t bits) {
  if (bits != 8 && bits != 4 && bits != 2)
    return emitOptionalError(loc, "output_bits must be 8, 4 or 2, got ", bits);
  return Type(IntegerType::get(ctx, (unsigned)bits));
}

/// `v` (when present) is a tensor of `width`-bit integers; `what` names it.
LogicalResult checkInt(Loc loc, Value v, unsigned width, StringRef what) {
  if (!v) return success();
  auto t = staticType(loc, v, what);
  if (failed(t)) return failure();
  Type e = t->getElementType();
  if (!e.isInteger(width) || e.isUnsignedInteger())
    return emitOptionalError(loc, what, " must hold int", width, ", got ", e);
  return success();
}

/// `v` is a tensor of 8-, 4- or 2-bit signed integers (an activation).
LogicalResult checkAct(Loc loc, Value v, StringRef what) {
  auto t = staticType(loc, v, what);
  if (failed(t)) return failure();
  if (!actWidth(t->getElementType()))
    return emitOptionalError(loc, what, " must hold int8, i4 or i2, got ", t->getElementType());
  return success();
}

/// A channels-last int8 / i4 / i2 input of rank >= 3.
FailureOr<RankedTensorType> channelsLastInput(Loc loc, Value v) {
  auto t = staticType(loc, v, "input");
  if (failed(t) || failed(checkAct(loc, v, "input"))) return failure();
  if (t->getRank() < 3)
    return emitOptionalError(loc, "input must be N x spatial... x C (rank >= 3), got rank ",
                             t->getRank());
  return t;
}

/// [lo, hi] of a signed `bits`-wide integer.
std::pair<int64_t, int64_t> bitsRange(unsigned bits) {
  int64_t h = int64_t(1) << (bits - 1);
  return {-h, h - 1};
}

/// Zero point `zp` of a `bits`-wide tensor lies in its range.
LogicalResult checkZp(Loc loc, int64_t zp, StringRef what, unsigned bits = 8) {
  auto [lo, hi] = bitsRange(bits ? bits : 8);
  if (zp < lo || zp > hi)
    return emitOptionalError(loc, what, " ", zp, " is outside [", lo, ", ", hi, "] (", bits,
                             "-bit tensor)");
  return success();
}

LogicalResult checkActRange(Loc loc, int64_t lo, int64_t hi, unsigned bits = 8) {
  auto [tlo, thi] = bitsRange(bits ? bits : 8);
  if (lo > hi || lo < tlo || hi > thi)
    return emitOptionalError(loc, "activation range [", lo, ", ", hi,
                             "] must be ordered and within [", tlo, ", ", thi, "] (", bits,
                             "-bit output)");
  return success();
}

/// `scale` has 1 or `channels` entries, all positive and finite.
LogicalResult checkScales(Loc loc, ArrayRef<double> scale, int64_t channels) {
  if (scale.size() != 1 && (int64_t)scale.size() != channels)
    return emitOptionalError(loc, "scale must have 1 or ", channels, " entries, got ",
                             scale.size());
  for (double s : scale)
    if (!(s > 0.0) || !std::isfinite(s))
      return emitOptionalError(loc, "scale must be positive and finite, got ", s);
  return success();
}

/// `bits` (absent: 8) has 1 or `channels` entries of 8, 4 or 2, or 0 for a pruned
/// channel (per-channel form only), and a constant `weight` (channel = axis 0) fits
/// them: a 0-bit channel's weights are all zero.
LogicalResult checkWeightBits(Loc loc, std::optional<ArrayRef<int64_t>> bits, Value weight,
                              int64_t channels) {
  if (!bits) return success();
  if (bits->size() != 1 && (int64_t)bits->size() != channels)
    return emitOptionalError(loc, "weight_bits must have 1 or ", channels, " entries, got ",
                             bits->size());
  bool perChannel = (int64_t)bits->size() == channels;
  for (int64_t b : *bits) {
    if (b == 0 && !perChannel)
      return emitOptionalError(loc, "weight_bits 0 (a pruned channel) needs one entry per "
                                    "output channel");
    if (b != 0 && b != 2 && b != 4 && b != 8)
      return emitOptionalError(loc, "weight_bits must be 2, 4 or 8 (0: pruned channel), got ", b);
  }
  auto c = weight.getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseIntElementsAttr>(c.getValue()) : DenseIntElementsAttr();
  if (!dense || channels == 0) return success();
  int64_t per = dense.getNumElements() / channels, k = 0;
  for (const APInt &v : dense.getValues<APInt>()) {
    int64_t m = k++ / per, b = (*bits)[bits->size() == 1 ? 0 : m], x = v.getSExtValue();
    if (b == 0 && x != 0)
      return emitOptionalError(loc, "weight ", x, " of output channel ", m,
                               " is not zero: a 0-bit (pruned) channel holds no weights");
    if (b != 0 && (x < -(int64_t(1) << (b - 1)) || x >= (int64_t(1) << (b - 1))))
      return emitOptionalError(loc, "weight ", x, " of output channel ", m, " does not fit ", b,
                               " bits");
  }
  return success();
}

template <typename Adaptor>
FailureOr<SmallVector<int64_t>> poolShape(Loc loc, Adaptor adaptor, ArrayRef<int64_t> dilations) {
  auto x = channelsLastInput(loc, adaptor.getInput());
  if (failed(x)) return failure();
  size_t s = x->getRank() - 2;
  if (adaptor.getKernelShape().size() != s)
    return emitOptionalError(loc, "expected ", s, " kernel_shape values");
  if (failed(checkSpatialAttrs(loc, s, adaptor.getStrides(), dilations, adaptor.getPads())))
    return failure();
  SmallVector<int64_t> in = toChannelsFirst(x->getShape());
  auto out = windowShape(loc, in, in[1], adaptor.getKernelShape(), adaptor.getStrides(),
                         dilations, adaptor.getPads(), adaptor.getCeilMode());
  if (failed(out)) return failure();
  return toChannelsLast(*out);
}

} // namespace

LogicalResult QConvOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = channelsLastInput(loc, adaptor.getInput());
  auto w = staticType(loc, adaptor.getWeight(), "weight");
  if (failed(x) || failed(w) || failed(checkInt(loc, adaptor.getWeight(), 8, "weight")) ||
      failed(checkInt(loc, adaptor.getBias(), 32, "bias")))
    return failure();
  auto xf = RankedTensorType::get(toChannelsFirst(x->getShape()), x->getElementType());
  auto out = convShape(loc, xf, *w, adaptor.getBias(), adaptor.getStrides(),
                       adaptor.getDilations(), adaptor.getPads(), adaptor.getGroup());
  auto e = actType(ctx, loc, adaptor.getOutputBits());
  if (failed(out) || failed(e)) return failure();
  types.push_back(RankedTensorType::get(toChannelsLast(*out), *e));
  return success();
}

LogicalResult QConvOp::verify() {
  Loc loc = getLoc();
  int64_t m = cast<RankedTensorType>(getWeight().getType()).getDimSize(0);
  unsigned ob = actWidth(getOutput());
  if (failed(checkZp(loc, getInputZp(), "input_zp", actWidth(getInput()))) ||
      failed(checkZp(loc, getOutputZp(), "output_zp", ob)) ||
      failed(checkActRange(loc, getActMin(), getActMax(), ob)) ||
      failed(checkScales(loc, getScale(), m)) ||
      failed(checkWeightBits(loc, getWeightBits(), getWeight(), m)))
    return failure();
  return success();
}

LogicalResult QFullyConnectedOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                                  SmallVectorImpl<Type> &types) {
  auto x = staticType(loc, adaptor.getInput(), "input");
  auto w = staticType(loc, adaptor.getWeight(), "weight");
  if (failed(x) || failed(w) || failed(checkAct(loc, adaptor.getInput(), "input")) ||
      failed(checkInt(loc, adaptor.getWeight(), 8, "weight")) ||
      failed(checkInt(loc, adaptor.getBias(), 32, "bias")))
    return failure();
  if (x->getRank() != 2 || w->getRank() != 2)
    return emitOptionalError(loc, "input (B x K) and weight (N x K) must be 2-D, got ",
                             shapeStr(x->getShape()), " and ", shapeStr(w->getShape()));
  if (x->getDimSize(1) != w->getDimSize(1))
    return emitOptionalError(loc, "input ", shapeStr(x->getShape()), " has ", x->getDimSize(1),
                             " features, weight ", shapeStr(w->getShape()), " expects ",
                             w->getDimSize(1));
  if (adaptor.getBias() &&
      failed(checkPerChannel(loc, adaptor.getBias(), w->getDimSize(0), "bias")))
    return failure();
  auto e = actType(ctx, loc, adaptor.getOutputBits());
  if (failed(e)) return failure();
  types.push_back(RankedTensorType::get({x->getDimSize(0), w->getDimSize(0)}, *e));
  return success();
}

LogicalResult QFullyConnectedOp::verify() {
  Loc loc = getLoc();
  int64_t n = cast<RankedTensorType>(getWeight().getType()).getDimSize(0);
  unsigned ob = actWidth(getOutput());
  if (failed(checkZp(loc, getInputZp(), "input_zp", actWidth(getInput()))) ||
      failed(checkZp(loc, getOutputZp(), "output_zp", ob)) ||
      failed(checkActRange(loc, getActMin(), getActMax(), ob)) ||
      failed(checkScales(loc, getScale(), n)) ||
      failed(checkWeightBits(loc, getWeightBits(), getWeight(), n)))
    return failure();
  return success();
}

LogicalResult QAddOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto a = staticType(loc, adaptor.getLhs(), "lhs");
  auto b = staticType(loc, adaptor.getRhs(), "rhs");
  if (failed(a) || failed(b) || failed(checkAct(loc, adaptor.getLhs(), "lhs")) ||
      failed(checkAct(loc, adaptor.getRhs(), "rhs")))
    return failure();
  ArrayRef<int64_t> as = a->getShape(), bs = b->getShape();
  bool same = as == bs, scalar = b->getNumElements() == 1,
       lastAxis = !as.empty() && b->getNumElements() == as.back() && !bs.empty() &&
                  bs.back() == as.back();
  if (!same && !scalar && !lastAxis)
    return emitOptionalError(loc, "rhs ", shapeStr(bs), " must have lhs's shape ", shapeStr(as),
                             ", be a scalar, or vary along the last axis only");
  auto e = actType(ctx, loc, adaptor.getOutputBits());
  if (failed(e)) return failure();
  types.push_back(RankedTensorType::get(as, *e));
  return success();
}

LogicalResult QAddOp::verify() {
  Loc loc = getLoc();
  unsigned ob = actWidth(getOutput());
  if (failed(checkZp(loc, getLhsZp(), "lhs_zp", actWidth(getLhs()))) ||
      failed(checkZp(loc, getRhsZp(), "rhs_zp", actWidth(getRhs()))) ||
      failed(checkZp(loc, getOutputZp(), "output_zp", ob)) ||
      failed(checkActRange(loc, getActMin(), getActMax(), ob)))
    return failure();
  for (double s : {getLhsScale().convertToDouble(), getRhsScale().convertToDouble(),
                   getOutputScale().convertToDouble()})
    if (!(s > 0.0) || !std::isfinite(s))
      return emitOpError("scales must be positive and finite, got ") << s;
  return success();
}

LogicalResult RequantizeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (in.getShape() != out.getShape())
    return emitOpError("changes the shape: ") << in << " to " << out;
  auto range = [](Type t) -> std::optional<std::pair<int64_t, int64_t>> {
    if (t.isUnsignedInteger(8)) return std::make_pair<int64_t, int64_t>(0, 255);
    if (unsigned w = actWidth(t)) return bitsRange(w);
    return std::nullopt;
  };
  auto ri = range(in.getElementType()), ro = range(out.getElementType());
  if (!ri || !ro)
    return emitOpError("needs int8, uint8, i4 or i2 tensors, got ") << in << " to " << out;
  // I64Attr getters are unsigned: compare as int64_t.
  int64_t izp = getInputZp(), ozp = getOutputZp(), lo = getActMin(), hi = getActMax();
  if (izp < ri->first || izp > ri->second)
    return emitOpError("input_zp ") << izp << " is outside the input's range";
  if (ozp < ro->first || ozp > ro->second)
    return emitOpError("output_zp ") << ozp << " is outside the output's range";
  if (lo > hi || lo < ro->first || hi > ro->second)
    return emitOpError("activation range [") << lo << ", " << hi
                                             << "] is not within the output's range";
  double s = getScale().convertToDouble();
  if (!(s > 0.0) || !std::isfinite(s))
    return emitOpError("scale must be positive and finite, got ") << s;
  return success();
}

LogicalResult QMaxPoolOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto out = poolShape(loc, adaptor, adaptor.getDilations());
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, getElementTypeOrSelf(adaptor.getInput().getType())));
  return success();
}

LogicalResult QAvgPoolOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  SmallVector<int64_t> ones(adaptor.getKernelShape().size(), 1);
  auto out = poolShape(loc, adaptor, ones);
  if (failed(out)) return failure();
  types.push_back(RankedTensorType::get(*out, getElementTypeOrSelf(adaptor.getInput().getType())));
  return success();
}

LogicalResult QGlobalAvgPoolOp::inferReturnTypes(MLIRContext *ctx, Loc loc, Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  auto x = channelsLastInput(loc, adaptor.getInput());
  if (failed(x)) return failure();
  SmallVector<int64_t> out(x->getShape());
  for (size_t i = 1; i + 1 < out.size(); ++i) out[i] = 1;
  auto e = actType(ctx, loc, adaptor.getOutputBits());
  if (failed(e)) return failure();
  types.push_back(RankedTensorType::get(out, *e));
  return success();
}

// Attribute ranges are checked by the verifiers (inferReturnTypes also runs while an
// op is being built, before its default-valued attributes are filled in).
// The pools keep their input's width (the result type says it).
LogicalResult QMaxPoolOp::verify() {
  return checkActRange(getLoc(), getActMin(), getActMax(), actWidth(getOutput()));
}

LogicalResult QAvgPoolOp::verify() {
  unsigned b = actWidth(getOutput());
  if (failed(checkZp(getLoc(), getZp(), "zp", b))) return failure();
  return checkActRange(getLoc(), getActMin(), getActMax(), b);
}

LogicalResult QGlobalAvgPoolOp::verify() {
  Loc loc = getLoc();
  unsigned ob = actWidth(getOutput());
  if (failed(checkZp(loc, getInputZp(), "input_zp", actWidth(getInput()))) ||
      failed(checkZp(loc, getOutputZp(), "output_zp", ob)) ||
      failed(checkActRange(loc, getActMin(), getActMax(), ob)))
    return failure();
  double s = getScale().convertToDouble();
  if (!(s > 0.0) || !std::isfinite(s)) return emitOpError("scale must be positive and finite, got ") << s;
  return success();
}
