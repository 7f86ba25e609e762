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
  if (!it || it.getWidth() != 64 || it.isUnsigned()) return {};
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

/// Elements of a dense int/float attribute as raw bytes; element i starts at
/// `at(i)` (a splat stores one element).
struct RawElements {
  ArrayRef<char> data;
  size_t bytes = 0;
  bool splat = false;
  const char *at(int64_t i) const { return data.data() + (splat ? 0 : i * bytes); }
};

std::optional<RawElements> rawElements(Attribute attr) {
  auto a = asDense(attr);
  if (!a) return std::nullopt;
  Type elt = a.getElementType();
  if (!elt.isIntOrIndexOrFloat()) return std::nullopt;
  unsigned width = elt.isIndex() ? 64 : elt.getIntOrFloatBitWidth();
  if (width % 8 != 0) return std::nullopt;
  RawElements r{a.getRawData(), width / 8, a.isSplat()};
  if (!r.splat && r.data.size() != r.bytes * (size_t)a.getNumElements()) return std::nullopt;
  return r;
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

bool foldable(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && rt.hasStaticShape() && rt.getNumElements() <= kMaxFoldElements;
}

DenseElementsAttr fromBytes(Type t, const std::vector<char> &bytes) {
  return DenseElementsAttr::getFromRawBuffer(cast<ShapedType>(t),
                                             ArrayRef<char>(bytes.data(), bytes.size()));
}

/// Copies `count` consecutive elements of `src` starting at `first` to `out`.
void appendRun(std::vector<char> &out, const RawElements &src, int64_t first, int64_t count) {
  if (src.splat) {
    for (int64_t i = 0; i < count; ++i) out.insert(out.end(), src.at(0), src.at(0) + src.bytes);
    return;
  }
  out.insert(out.end(), src.at(first), src.at(first) + count * src.bytes);
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
  if (from.isSignlessInteger(64) && to.isF32()) {
    SmallVector<float> r;
    for (int64_t v : a.getValues<int64_t>()) r.push_back((float)v);
    return DenseElementsAttr::get(rt, ArrayRef<float>(r));
  }
  if (from.isF32() && to.isSignlessInteger(64)) {
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
  // Copy raw element bytes when possible (no Attribute per element).
  if (auto raw = rawElements(a)) {
    std::vector<char> bytes;
    bytes.reserve(n * raw->bytes);
    for (int64_t i = 0; i < n; ++i) appendRun(bytes, *raw, srcIndex[i], 1);
    return fromBytes(rt, bytes);
  }
  auto values = llvm::to_vector(a.getValues<Attribute>());
  SmallVector<Attribute> r;
  r.reserve(n);
  for (int64_t i = 0; i < n; ++i) r.push_back(values[srcIndex[i]]);
  return DenseElementsAttr::get(rt, r);
}

//===----------------------------------------------------------------------===//
// Data movement of constants (concat, split, slice, gather, pad) and a few more
// activations. Element bytes are copied from the raw storage, so every int/float
// element type of a whole number of bytes folds.
//===----------------------------------------------------------------------===//


OpFoldResult DropoutOp::fold(FoldAdaptor) { return getInput(); }

OpFoldResult ClipOp::fold(FoldAdaptor a) {
  float lo = getMin().convertToFloat(), hi = getMax().convertToFloat();
  return foldUnary(a.getInput(), getType(),
                   [=](float x) -> float { return std::isnan(x) ? x : std::fmin(std::fmax(x, lo), hi); });
}

OpFoldResult LeakyReluOp::fold(FoldAdaptor a) {
  float alpha = getAlpha().convertToFloat();
  return foldUnary(a.getInput(), getType(),
                   [=](float x) -> float { return x < 0 ? alpha * x : x; });
}

OpFoldResult HardSigmoidOp::fold(FoldAdaptor a) {
  float alpha = getAlpha().convertToFloat(), beta = getBeta().convertToFloat();
  return foldUnary(a.getInput(), getType(), [=](float x) -> float {
    return std::fmax(0.0f, std::fmin(1.0f, alpha * x + beta));
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType()) return getInputs()[0];
  if (!foldable(getType())) return {};
  SmallVector<RawElements> srcs;
  for (Attribute in : adaptor.getInputs()) {
    auto r = rawElements(in);
    if (!r) return {};
    srcs.push_back(*r);
  }
  auto outShape = cast<RankedTensorType>(getType()).getShape();
  int64_t axis = getAxis(), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= outShape[d];
  for (size_t d = axis + 1; d < outShape.size(); ++d) inner *= outShape[d];
  std::vector<char> bytes;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [src, v] : llvm::zip(srcs, getInputs())) {
      int64_t run = cast<RankedTensorType>(v.getType()).getDimSize(axis) * inner;
      appendRun(bytes, src, o * run, run);
    }
  return fromBytes(getType(), bytes);
}

LogicalResult SplitOp::fold(FoldAdaptor adaptor, SmallVectorImpl<OpFoldResult> &results) {
  if (getNumResults() == 1 && getOutputs()[0].getType() == getInput().getType()) {
    results.push_back(getInput());
    return success();
  }
  auto src = rawElements(adaptor.getInput());
  if (!src || !foldable(getInput().getType())) return failure();
  auto inShape = cast<RankedTensorType>(getInput().getType()).getShape();
  int64_t axis = getAxis(), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= inShape[d];
  for (size_t d = axis + 1; d < inShape.size(); ++d) inner *= inShape[d];
  int64_t offset = 0;
  for (auto [size, result] : llvm::zip(getSizes(), getOutputs())) {
    std::vector<char> bytes;
    for (int64_t o = 0; o < outer; ++o)
      appendRun(bytes, *src, (o * inShape[axis] + offset) * inner, size * inner);
    results.push_back(fromBytes(result.getType(), bytes));
    offset += size;
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto inType = cast<RankedTensorType>(getInput().getType());
  if (inType == getType() && llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  auto src = rawElements(adaptor.getInput());
  if (!src || !foldable(getType())) return {};
  auto outShape = cast<RankedTensorType>(getType()).getShape();
  auto inStrides = stridesOf(inType.getShape());
  int64_t n = cast<RankedTensorType>(getType()).getNumElements(), rank = outShape.size();
  std::vector<char> bytes;
  bytes.reserve(n * src->bytes);
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, idx = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      idx += (getStarts()[d] + (flat % outShape[d]) * getSteps()[d]) * inStrides[d];
      flat /= outShape[d];
    }
    appendRun(bytes, *src, idx, 1);
  }
  return fromBytes(getType(), bytes);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto src = rawElements(adaptor.getData());
  auto indices = asDense(adaptor.getIndices());
  if (!src || !indices || !foldable(getType())) return {};
  auto dataShape = cast<RankedTensorType>(getData().getType()).getShape();
  int64_t axis = getAxis(), outer = 1, inner = 1, extent = dataShape[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= dataShape[d];
  for (size_t d = axis + 1; d < dataShape.size(); ++d) inner *= dataShape[d];
  bool isUnsigned = indices.getElementType().isUnsignedInteger();
  SmallVector<int64_t> idx;
  for (const APInt &v : indices.getValues<APInt>()) {
    int64_t i = isUnsigned ? (int64_t)v.getZExtValue() : v.getSExtValue();
    if (i < 0) i += extent;
    if (i < 0 || i >= extent) return {};
    idx.push_back(i);
  }
  std::vector<char> bytes;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx) appendRun(bytes, *src, (o * extent + i) * inner, inner);
  return fromBytes(getType(), bytes);
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; })) return getInput();
  if (getMode() != PadMode::constant) return {};
  auto src = rawElements(adaptor.getInput());
  if (!src || !foldable(getType())) return {};
  auto rt = cast<RankedTensorType>(getType());
  // The padding value as one element of the tensor's type.
  Type elt = rt.getElementType();
  float value = getValue().convertToFloat();
  Attribute padAttr;
  if (elt.isF32()) {
    padAttr = FloatAttr::get(elt, value);
  } else if (elt.isInteger() && value == std::trunc(value) && std::fabs(value) < 9.0e18f) {
    padAttr = IntegerAttr::get(elt, (int64_t)value);
  } else {
    return {};
  }
  auto padRaw = rawElements(DenseElementsAttr::get(RankedTensorType::get({}, elt), padAttr));
  if (!padRaw) return {};
  auto inShape = cast<RankedTensorType>(getInput().getType()).getShape();
  auto outShape = rt.getShape();
  auto inStrides = stridesOf(inShape);
  int64_t n = rt.getNumElements(), rank = outShape.size();
  std::vector<char> bytes;
  bytes.reserve(n * src->bytes);
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, idx = 0;
    bool inside = true;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t coord = flat % outShape[d] - getPads()[d];
      flat /= outShape[d];
      if (coord < 0 || coord >= inShape[d]) inside = false;
      idx += coord * inStrides[d];
    }
    if (inside) appendRun(bytes, *src, idx, 1);
    else appendRun(bytes, *padRaw, 0, 1);
  }
  return fromBytes(getType(), bytes);
}
