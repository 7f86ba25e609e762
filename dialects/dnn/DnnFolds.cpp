//===- DnnFolds.cpp - constant folding of dnn ops --------------------------===//
//
// Folders used by the greedy rewriter (-dnn-constant-fold, canonicalize): ops whose
// operands are all constants become constants; identities fold to their input.
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt::dnn;

namespace {
/// Folding is limited to tensors this large, so a fold never blows up the IR.
constexpr int64_t kMaxFoldElements = 1 << 20;

DenseElementsAttr asDense(Attribute a) {
  auto d = dyn_cast_or_null<DenseElementsAttr>(a);
  if (!d || d.getNumElements() > kMaxFoldElements) return {};
  return d;
}

/// Index of the element of `shape` (right-aligned, broadcast) read for flat output
/// index `flat` of `out`.
int64_t broadcastIndex(ArrayRef<int64_t> out, ArrayRef<int64_t> shape, int64_t flat) {
  int64_t idx = 0, stride = 1;
  for (int64_t d = (int64_t)out.size() - 1, s = (int64_t)shape.size() - 1; d >= 0; --d, --s) {
    int64_t coord = flat % out[d];
    flat /= out[d];
    if (s >= 0) {
      if (shape[s] != 1) idx += coord * stride;
      stride *= shape[s];
    }
  }
  return idx;
}

template <typename FloatFn, typename IntFn>
Attribute foldBinary(Attribute lhs, Attribute rhs, Type resultType, FloatFn ff, IntFn fi) {
  auto a = asDense(lhs), b = asDense(rhs);
  auto rt = dyn_cast<RankedTensorType>(resultType);
  if (!a || !b || !rt || !rt.hasStaticShape() || rt.getNumElements() > kMaxFoldElements)
    return {};
  Type elt = rt.getElementType();
  ArrayRef<int64_t> out = rt.getShape();
  auto as = a.getType().getShape(), bs = b.getType().getShape();
  int64_t n = rt.getNumElements();
  if (auto ft = dyn_cast<FloatType>(elt)) {
    if (!ft.isF32()) return {};
    auto av = llvm::to_vector(a.getValues<float>());
    auto bv = llvm::to_vector(b.getValues<float>());
    SmallVector<float> r(n);
    for (int64_t i = 0; i < n; ++i)
      r[i] = ff(av[broadcastIndex(out, as, i)], bv[broadcastIndex(out, bs, i)]);
    return DenseElementsAttr::get(rt, ArrayRef<float>(r));
  }
  auto it = dyn_cast<IntegerType>(elt);
  if (!it || it.getWidth() != 64) return {};
  auto av = llvm::to_vector(a.getValues<int64_t>());
  auto bv = llvm::to_vector(b.getValues<int64_t>());
  SmallVector<int64_t> r(n);
  for (int64_t i = 0; i < n; ++i) {
    auto v = fi(av[broadcastIndex(out, as, i)], bv[broadcastIndex(out, bs, i)]);
    if (!v) return {};
    r[i] = *v;
  }
  return DenseElementsAttr::get(rt, ArrayRef<int64_t>(r));
}

template <typename FloatFn>
Attribute foldUnary(Attribute in, Type resultType, FloatFn ff) {
  auto a = asDense(in);
  auto rt = dyn_cast<RankedTensorType>(resultType);
  if (!a || !rt || !rt.getElementType().isF32()) return {};
  SmallVector<float> r;
  r.reserve(a.getNumElements());
  for (float v : a.getValues<float>()) r.push_back(ff(v));
  return DenseElementsAttr::get(rt, ArrayRef<float>(r));
}

using OptI = std::optional<int64_t>;
} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }
OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getOutput().getType()) return getInput();
  auto a = asDense(adaptor.getInput());
  auto rt = cast<RankedTensorType>(getOutput().getType());
  if (!a) return {};
  Type from = a.getElementType(), to = rt.getElementType();
  if (from.isInteger(64) && to.isF32()) {
    SmallVector<float> r;
    for (int64_t v : a.getValues<int64_t>()) r.push_back((float)v);
    return DenseElementsAttr::get(rt, ArrayRef<float>(r));
  }
  if (from.isF32() && to.isInteger(64)) {
    SmallVector<int64_t> r;
    for (float v : a.getValues<float>()) {
      if (!std::isfinite(v) || std::fabs(v) > 9.0e18f) return {};
      r.push_back((int64_t)v);
    }
    return DenseElementsAttr::get(rt, ArrayRef<int64_t>(r));
  }
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(), [](float x, float y) { return x + y; },
                    [](int64_t x, int64_t y) -> OptI { return x + y; });
}
OpFoldResult SubOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(), [](float x, float y) { return x - y; },
                    [](int64_t x, int64_t y) -> OptI { return x - y; });
}
OpFoldResult MulOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(), [](float x, float y) { return x * y; },
                    [](int64_t x, int64_t y) -> OptI { return x * y; });
}
OpFoldResult DivOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(), [](float x, float y) { return x / y; },
                    [](int64_t x, int64_t y) -> OptI {
                      if (y == 0 || (x == INT64_MIN && y == -1)) return std::nullopt;
                      return x / y;
                    });
}
OpFoldResult MaxOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](float x, float y) { return std::fmax(x, y); },
                    [](int64_t x, int64_t y) -> OptI { return std::max(x, y); });
}
OpFoldResult MinOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](float x, float y) { return std::fmin(x, y); },
                    [](int64_t x, int64_t y) -> OptI { return std::min(x, y); });
}
OpFoldResult PowOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](float x, float y) { return std::pow(x, y); },
                    [](int64_t, int64_t) -> OptI { return std::nullopt; });
}
OpFoldResult PReluOp::fold(FoldAdaptor a) {
  if (getClipMin() || getClipMax()) return {};
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](float x, float s) { return x < 0 ? s * x : x; },
                    [](int64_t, int64_t) -> OptI { return std::nullopt; });
}

#define DNN_UNARY_FOLD(OP, EXPR)                                                               \
  OpFoldResult OP::fold(FoldAdaptor a) {                                                       \
    return foldUnary(a.getInput(), getType(), [](float x) -> float { return EXPR; });          \
  }
DNN_UNARY_FOLD(ReluOp, x > 0 ? x : 0.0f)
DNN_UNARY_FOLD(SigmoidOp, 1.0f / (1.0f + std::exp(-x)))
DNN_UNARY_FOLD(TanhOp, std::tanh(x))
DNN_UNARY_FOLD(HardSwishOp, x * std::fmax(0.0f, std::fmin(1.0f, x / 6.0f + 0.5f)))
DNN_UNARY_FOLD(ExpOp, std::exp(x))
DNN_UNARY_FOLD(LogOp, std::log(x))
DNN_UNARY_FOLD(SqrtOp, std::sqrt(x))
DNN_UNARY_FOLD(AbsOp, std::fabs(x))
DNN_UNARY_FOLD(NegOp, -x)
DNN_UNARY_FOLD(ReciprocalOp, 1.0f / x)
DNN_UNARY_FOLD(FloorOp, std::floor(x))
DNN_UNARY_FOLD(CeilOp, std::ceil(x))
DNN_UNARY_FOLD(ErfOp, std::erf(x))
#undef DNN_UNARY_FOLD

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType()) return getInput();
  if (auto a = asDense(adaptor.getInput())) return a.reshape(cast<ShapedType>(getType()));
  // reshape(reshape(x)) -> reshape(x)
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity &= perm[i] == (int64_t)i;
  if (identity) return getInput();
  // transpose(transpose(x, p1), p2) -> transpose(x, p1 o p2)
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t p : perm) composed.push_back(producer.getPerm()[p]);
    getInputMutable().assign(producer.getInput());
    setPerm(composed);
    return getResult();
  }
  auto a = asDense(adaptor.getInput());
  if (!a) return {};
  auto inShape = a.getType().getShape();
  auto rt = cast<RankedTensorType>(getType());
  auto outShape = rt.getShape();
  int64_t n = rt.getNumElements(), rank = perm.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  SmallVector<int64_t> srcIndex(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, src = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      src += (flat % outShape[d]) * inStrides[perm[d]];
      flat /= outShape[d];
    }
    srcIndex[i] = src;
  }
  auto values = llvm::to_vector(a.getValues<Attribute>());
  SmallVector<Attribute> r;
  r.reserve(n);
  for (int64_t i = 0; i < n; ++i) r.push_back(values[srcIndex[i]]);
  return DenseElementsAttr::get(rt, r);
}
