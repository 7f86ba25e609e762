//===- QuantInfo.cpp - reading quantization parameters off QDQ IR ----------===//
#include "passes/quant/QuantInfo.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::quant {

std::optional<std::vector<double>> constantValues(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr))) return std::nullopt;
  std::vector<double> out;
  out.reserve(attr.getNumElements());
  Type e = attr.getElementType();
  if (isa<FloatType>(e)) {
    auto vals = attr.tryGetValues<APFloat>();
    if (!vals) return std::nullopt;
    for (APFloat f : *vals) out.push_back(f.convertToDouble());
  } else if (auto it = dyn_cast<IntegerType>(e)) {
    auto vals = attr.tryGetValues<APInt>();
    if (!vals) return std::nullopt;
    for (APInt i : *vals)
      out.push_back(it.isUnsigned() ? (double)i.getZExtValue() : (double)i.getSExtValue());
  } else {
    return std::nullopt;
  }
  return out;
}

std::optional<double> constantScalar(Value v) {
  auto vals = constantValues(v);
  if (!vals || vals->empty()) return std::nullopt;
  return vals->front();
}

namespace {
/// Width of a signed activation tensor: 8, 4 or 2 (0: something else).
int64_t actBits(Type t) {
  auto it = dyn_cast<IntegerType>(getElementTypeOrSelf(t));
  if (!it || it.isUnsigned()) return 0;
  unsigned w = it.getWidth();
  return w == 8 || w == 4 || w == 2 ? w : 0;
}

/// Per-tensor (scale, zp) of a quantize / dequantize op with constant parameters
/// (the callers check that `bits` is the tensor's width: a narrower range in an 8-bit
/// container is a weight form, not an activation).
template <typename OpT>
std::optional<std::pair<double, int64_t>> perTensorParams(OpT op) {
  auto scale = constantValues(op.getScale());
  if (!scale || scale->size() != 1 || !((*scale)[0] > 0) || !std::isfinite((*scale)[0]))
    return std::nullopt;
  int64_t zp = 0;
  if (Value z = op.getZeroPoint()) {
    auto zv = constantValues(z);
    if (!zv || zv->size() != 1) return std::nullopt;
    zp = (int64_t)(*zv)[0];
  }
  return std::make_pair((*scale)[0], zp);
}
} // namespace

std::optional<Activation> dequantizedActivation(Value v) {
  auto dq = v ? v.getDefiningOp<DequantizeLinearOp>() : DequantizeLinearOp();
  int64_t bits = dq ? actBits(dq.getInput().getType()) : 0;
  if (!bits || (int64_t)dq.getBits() != bits) return std::nullopt;
  auto p = perTensorParams(dq);
  if (!p) return std::nullopt;
  return Activation{dq.getInput(), p->first, p->second, bits};
}

std::optional<Activation> quantizedOnlyUse(Value v, Operation **quantizeOp) {
  if (!v || !v.hasOneUse()) return std::nullopt;
  auto q = dyn_cast<QuantizeLinearOp>(*v.getUsers().begin());
  int64_t bits = q ? actBits(q.getOutput().getType()) : 0;
  if (!bits || (int64_t)q.getBits() != bits) return std::nullopt;
  auto p = perTensorParams(q);
  if (!p) return std::nullopt;
  if (quantizeOp) *quantizeOp = q;
  return Activation{q.getOutput(), p->first, p->second, bits};
}

std::optional<Weights> dequantizedWeights(Value v, int64_t axis, std::string &why) {
  auto dq = v ? v.getDefiningOp<DequantizeLinearOp>() : DequantizeLinearOp();
  if (!dq) {
    why = "weights are not dequantize_linear of a constant";
    return std::nullopt;
  }
  auto type = cast<RankedTensorType>(dq.getInput().getType());
  auto vals = constantValues(dq.getInput());
  auto scales = constantValues(dq.getScale());
  if (!vals || !scales || !type.getElementType().isInteger(8)) {
    why = "weights are not constant 8-bit integers with constant scales";
    return std::nullopt;
  }
  std::vector<double> zps(1, 0.0);
  if (Value z = dq.getZeroPoint()) {
    auto zv = constantValues(z);
    if (!zv) {
      why = "weight zero point is not constant";
      return std::nullopt;
    }
    zps = *zv;
  }
  int64_t channels = type.getRank() ? type.getDimSize(axis) : 1;
  bool perChannel = scales->size() > 1 || zps.size() > 1;
  if (perChannel && ((int64_t)dq.getAxis() != axis ||
                     (scales->size() != 1 && (int64_t)scales->size() != channels) ||
                     (zps.size() != 1 && (int64_t)zps.size() != channels))) {
    why = "weight scales are not per tensor or per output channel";
    return std::nullopt;
  }
  Weights w;
  w.bits = dq.getBits();
  w.shape.assign(type.getShape().begin(), type.getShape().end());
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d) inner *= type.getDimSize(d);
  w.values.resize(vals->size());
  for (size_t k = 0; k < vals->size(); ++k) {
    int64_t ch = type.getRank() ? (int64_t)(k / inner) % channels : 0;
    double zp = zps.size() == 1 ? zps[0] : zps[ch];
    double q = (*vals)[k] - zp;
    if (q < -128 || q > 127) {
      why = "weight minus its zero point leaves int8 (asymmetric weights)";
      return std::nullopt;
    }
    if (w.bits < 8 && (q < -(1 << (w.bits - 1)) || q >= (1 << (w.bits - 1)))) {
      why = "weight minus its zero point leaves " + std::to_string(w.bits) + " bits";
      return std::nullopt;
    }
    w.values[k] = (int8_t)q;
  }
  for (int64_t c = 0; c < (scales->size() == 1 ? 1 : channels); ++c) {
    double s = (*scales)[c];
    if (!(s > 0) || !std::isfinite(s)) {
      why = "weight scale is not positive";
      return std::nullopt;
    }
    w.scales.push_back(s);
  }
  return w;
}

std::pair<int64_t, int64_t> signedRange(int64_t bits) {
  int64_t h = int64_t(1) << (bits - 1);
  return {-h, h - 1};
}

RankedTensorType activationType(ArrayRef<int64_t> shape, int64_t bits, MLIRContext *ctx) {
  return RankedTensorType::get(shape, IntegerType::get(ctx, (unsigned)bits));
}

int64_t quantizeToI8(double x, double scale, int64_t zp, int64_t bits) {
  auto [lo, hi] = signedRange(bits);
  double q = std::nearbyint((double)((float)x / (float)scale)) + (double)zp; // float32, as ONNX
  return q < (double)lo ? lo : (q > (double)hi ? hi : (int64_t)q);
}

std::pair<int64_t, int64_t> activationRange(Operation *op, double scale, int64_t zp,
                                            int64_t bits) {
  auto [lo, hi] = signedRange(bits);
  if (auto a = op->getAttrOfType<FloatAttr>("clip_min"))
    lo = quantizeToI8(a.getValueAsDouble(), scale, zp, bits);
  if (auto a = op->getAttrOfType<FloatAttr>("clip_max"))
    hi = quantizeToI8(a.getValueAsDouble(), scale, zp, bits);
  return {lo, hi};
}

Value createI8Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       ArrayRef<int8_t> values) {
  auto type = RankedTensorType::get(shape, b.getIntegerType(8));
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, values)).getResult();
}

Value createI32Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get(shape, b.getIntegerType(32));
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, values)).getResult();
}

SmallVector<int64_t> toChannelsLastPerm(int64_t rank) {
  SmallVector<int64_t> p{0};
  for (int64_t d = 2; d < rank; ++d) p.push_back(d);
  p.push_back(1);
  return p;
}

SmallVector<int64_t> toChannelsFirstPerm(int64_t rank) {
  SmallVector<int64_t> p{0, rank - 1};
  for (int64_t d = 1; d < rank - 1; ++d) p.push_back(d);
  return p;
}

} // namespace dnnopt::quant
