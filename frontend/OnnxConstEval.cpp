//===- OnnxConstEval.cpp - import-time evaluation of static sub-graphs ----===//
#include "frontend/OnnxConstEval.h"
#include "frontend/OnnxConstEvalDetail.h"
#include "frontend/OnnxTensors.h"

#include "dialects/dnn/DnnOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace dnnopt::onnximport {

//===----------------------------------------------------------------------===//
// ConstTensor
//===----------------------------------------------------------------------===//

namespace detail {
int64_t satInt(double v) {
  if (!(v == v)) return 0;
  if (v >= 9.2e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

int64_t wrapInt(Type elt, int64_t v) {
  auto it = dyn_cast<IntegerType>(elt);
  if (!it || it.getWidth() >= 64) return v;
  unsigned w = it.getWidth();
  if (w == 1) return v != 0;
  uint64_t mask = (uint64_t(1) << w) - 1, u = static_cast<uint64_t>(v) & mask;
  if (it.isUnsigned()) return static_cast<int64_t>(u);
  if (u >> (w - 1)) u |= ~mask; // sign-extend
  return static_cast<int64_t>(u);
}

double roundFloat(Type elt, double v) {
  if (elt.isF64()) return v;
  if (elt.isF32()) return static_cast<double>(static_cast<float>(v));
  auto ft = dyn_cast<FloatType>(elt);
  if (!ft) return v;
  llvm::APFloat f(v);
  bool lost;
  f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven, &lost);
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &lost);
  return f.convertToDouble();
}

int64_t boundedCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || d > kMaxTensorElements) return -1;
    n = (d == 0 || n == 0) ? 0 : n * d;
    if (n > kMaxEvalElements) return -1;
  }
  return n;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

bool checkSize(ArrayRef<int64_t> shape, std::string &error) {
  if (boundedCount(shape) >= 0) return true;
  error = "result too large to evaluate at import time";
  return false;
}

EvalResult pick(const ConstTensor &src, ArrayRef<int64_t> shape, ArrayRef<int64_t> index,
                std::string &error) {
  ConstTensor out;
  out.elementType = src.elementType;
  out.shape.assign(shape.begin(), shape.end());
  int64_t n = src.numElements();
  for (int64_t i : index)
    if (i < 0 || i >= n) {
      error = "internal error: constant index out of range";
      return std::nullopt;
    }
  if (src.isFloat()) {
    out.floats.reserve(index.size());
    for (int64_t i : index) out.floats.push_back(src.floats[i]);
  } else {
    out.ints.reserve(index.size());
    for (int64_t i : index) out.ints.push_back(src.ints[i]);
  }
  return out;
}

std::vector<int64_t> broadcastIndex(ArrayRef<int64_t> out, ArrayRef<int64_t> in) {
  int64_t n = boundedCount(out);
  std::vector<int64_t> idx(std::max<int64_t>(n, 0));
  SmallVector<int64_t> inStrides = stridesOf(in);
  size_t lead = out.size() - in.size();
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, src = 0;
    for (int64_t d = (int64_t)out.size() - 1; d >= (int64_t)lead; --d) {
      int64_t coord = flat % out[d];
      flat /= out[d];
      if (in[d - lead] != 1) src += coord * inStrides[d - lead];
    }
    idx[i] = src;
  }
  return idx;
}

std::optional<SmallVector<int64_t>> broadcast(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                                              std::string &error) {
  auto s = dnn::broadcastShapes(a, b);
  if (failed(s)) {
    error = "shapes do not broadcast";
    return std::nullopt;
  }
  if (!checkSize(*s, error)) return std::nullopt;
  return *s;
}
} // namespace detail

using namespace detail;

bool ConstTensor::isFloat() const { return isa<FloatType>(elementType); }

int64_t ConstTensor::intAt(int64_t i) const { return isFloat() ? satInt(floats[i]) : ints[i]; }

namespace {
uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
int64_t s(uint64_t v) { return static_cast<int64_t>(v); }

std::optional<int64_t> intBinary(BinaryKind k, int64_t a, int64_t b, std::string &error) {
  switch (k) {
  case BinaryKind::Add: return s(u(a) + u(b));
  case BinaryKind::Sub: return s(u(a) - u(b));
  case BinaryKind::Mul: return s(u(a) * u(b));
  case BinaryKind::Max: return std::max(a, b);
  case BinaryKind::Min: return std::min(a, b);
  case BinaryKind::Div:
  case BinaryKind::Mod:
  case BinaryKind::FMod: {
    if (b == 0) {
      error = "integer division by zero";
      return std::nullopt;
    }
    if (b == -1) return k == BinaryKind::Div ? s(0 - u(a)) : 0;
    if (k == BinaryKind::Div) return a / b;
    int64_t r = a % b;
    if (k == BinaryKind::Mod && r != 0 && ((r < 0) != (b < 0))) r += b; // sign of divisor
    return r;
  }
  case BinaryKind::Pow: {
    if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) ? -1 : 1) : 0;
    uint64_t r = 1, base = u(a);
    for (int64_t e = b; e > 0; e >>= 1, base *= base)
      if (e & 1) r *= base;
    return s(r);
  }
  case BinaryKind::Equal: return a == b;
  case BinaryKind::Less: return a < b;
  case BinaryKind::Greater: return a > b;
  case BinaryKind::LessOrEqual: return a <= b;
  case BinaryKind::GreaterOrEqual: return a >= b;
  case BinaryKind::And: return (a != 0) && (b != 0);
  case BinaryKind::Or: return (a != 0) || (b != 0);
  case BinaryKind::Xor: return (a != 0) != (b != 0);
  }
  return std::nullopt;
}

double floatBinary(BinaryKind k, double a, double b) {
  switch (k) {
  case BinaryKind::Add: return a + b;
  case BinaryKind::Sub: return a - b;
  case BinaryKind::Mul: return a * b;
  case BinaryKind::Div: return a / b;
  case BinaryKind::Pow: return std::pow(a, b);
  case BinaryKind::Max: return std::fmax(a, b);
  case BinaryKind::Min: return std::fmin(a, b);
  case BinaryKind::FMod: return std::fmod(a, b);
  case BinaryKind::Mod: {
    double r = std::fmod(a, b);
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
  }
  case BinaryKind::Equal: return a == b;
  case BinaryKind::Less: return a < b;
  case BinaryKind::Greater: return a > b;
  case BinaryKind::LessOrEqual: return a <= b;
  case BinaryKind::GreaterOrEqual: return a >= b;
  case BinaryKind::And: return (a != 0) && (b != 0);
  case BinaryKind::Or: return (a != 0) || (b != 0);
  case BinaryKind::Xor: return (a != 0) != (b != 0);
  }
  return 0;
}

bool isPredicate(BinaryKind k) { return k >= BinaryKind::Equal; }
} // namespace

ConstTensor ConstTensor::ofInts(Type elementType, ArrayRef<int64_t> shape,
                                std::vector<int64_t> values) {
  ConstTensor t;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  for (int64_t &v : values) v = wrapInt(elementType, v);
  t.ints = std::move(values);
  return t;
}

ConstTensor ConstTensor::ofFloats(Type elementType, ArrayRef<int64_t> shape,
                                  std::vector<double> values) {
  ConstTensor t;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  for (double &v : values) v = roundFloat(elementType, v);
  t.floats = std::move(values);
  return t;
}

std::optional<ConstTensor> fromAttr(DenseElementsAttr attr) {
  if (!attr || attr.getNumElements() > kMaxEvalElements) return std::nullopt;
  auto type = cast<ShapedType>(attr.getType());
  Type elt = type.getElementType();
  ConstTensor t;
  t.elementType = elt;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  if (auto it = dyn_cast<IntegerType>(elt)) {
    bool zext = it.isUnsigned() || it.getWidth() == 1;
    for (const APInt &v : attr.getValues<APInt>())
      t.ints.push_back(zext ? (int64_t)v.getZExtValue() : v.getSExtValue());
    return t;
  }
  if (isa<FloatType>(elt)) {
    if (elt.isF32()) {
      for (float v : attr.getValues<float>()) t.floats.push_back(v);
    } else {
      for (APFloat v : attr.getValues<APFloat>()) {
        bool lost;
        v.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &lost);
        t.floats.push_back(v.convertToDouble());
      }
    }
    return t;
  }
  return std::nullopt;
}

DenseElementsAttr toAttr(const ConstTensor &t, MLIRContext *ctx) {
  (void)ctx;
  auto type = RankedTensorType::get(t.shape, t.elementType);
  if (t.elementType.isF32()) {
    SmallVector<float> v(t.floats.begin(), t.floats.end());
    return DenseElementsAttr::get(type, ArrayRef<float>(v));
  }
  if (t.elementType.isInteger(1)) {
    SmallVector<bool> v;
    for (int64_t x : t.ints) v.push_back(x != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(v));
  }
  if (auto ft = dyn_cast<FloatType>(t.elementType)) {
    SmallVector<APFloat> v;
    for (double x : t.floats) {
      APFloat f(x);
      bool lost;
      f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven, &lost);
      v.push_back(f);
    }
    return DenseElementsAttr::get(type, v);
  }
  unsigned w = t.elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> v;
  for (int64_t x : t.ints) v.push_back(APInt(w, u(x), /*isSigned=*/true, /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, v);
}

//===----------------------------------------------------------------------===//
// Elementwise kernels
//===----------------------------------------------------------------------===//

EvalResult evalBinary(BinaryKind k, const ConstTensor &a, const ConstTensor &b,
                      std::string &error) {
  auto shape = broadcast(a.shape, b.shape, error);
  if (!shape) return std::nullopt;
  std::vector<int64_t> ia = broadcastIndex(*shape, a.shape), ib = broadcastIndex(*shape, b.shape);
  bool useFloat = a.isFloat() || b.isFloat();
  Type resultType =
      isPredicate(k) ? IntegerType::get(a.elementType.getContext(), 1) : a.elementType;
  size_t n = ia.size();
  if (useFloat) {
    std::vector<double> r(n);
    for (size_t i = 0; i < n; ++i) r[i] = floatBinary(k, a.floatAt(ia[i]), b.floatAt(ib[i]));
    if (!isa<FloatType>(resultType)) {
      std::vector<int64_t> ri(n);
      for (size_t i = 0; i < n; ++i) ri[i] = satInt(r[i]);
      return ConstTensor::ofInts(resultType, *shape, std::move(ri));
    }
    return ConstTensor::ofFloats(resultType, *shape, std::move(r));
  }
  std::vector<int64_t> r(n);
  for (size_t i = 0; i < n; ++i) {
    auto v = intBinary(k, a.ints[ia[i]], b.ints[ib[i]], error);
    if (!v) return std::nullopt;
    r[i] = *v;
  }
  return ConstTensor::ofInts(resultType, *shape, std::move(r));
}

EvalResult evalUnary(UnaryKind k, const ConstTensor &a, std::string &error) {
  if (a.isFloat()) {
    std::vector<double> r(a.floats);
    for (double &x : r) {
      switch (k) {
      case UnaryKind::Neg: x = -x; break;
      case UnaryKind::Abs: x = std::fabs(x); break;
      case UnaryKind::Floor: x = std::floor(x); break;
      case UnaryKind::Ceil: x = std::ceil(x); break;
      case UnaryKind::Sqrt: x = std::sqrt(x); break;
      case UnaryKind::Reciprocal: x = 1.0 / x; break;
      case UnaryKind::Relu: x = x > 0 ? x : 0.0; break;
      case UnaryKind::Exp: x = std::exp(x); break;
      case UnaryKind::Log: x = std::log(x); break;
      case UnaryKind::Sign: x = x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; break;
      case UnaryKind::Not: x = x == 0; break;
      }
    }
    return ConstTensor::ofFloats(a.elementType, a.shape, std::move(r));
  }
  std::vector<int64_t> r(a.ints);
  for (int64_t &x : r) {
    switch (k) {
    case UnaryKind::Neg: x = s(0 - u(x)); break;
    case UnaryKind::Abs: x = x < 0 ? s(0 - u(x)) : x; break;
    case UnaryKind::Floor:
    case UnaryKind::Ceil: break;
    case UnaryKind::Relu: x = x > 0 ? x : 0; break;
    case UnaryKind::Sign: x = x > 0 ? 1 : x < 0 ? -1 : 0; break;
    case UnaryKind::Not: x = x == 0; break;
    default: error = "operation is not defined for integer tensors"; return std::nullopt;
    }
  }
  return ConstTensor::ofInts(a.elementType, a.shape, std::move(r));
}

EvalResult evalCast(const ConstTensor &a, Type to, std::string &error) {
  if (!to.isIntOrFloat()) {
    error = "unsupported cast target type";
    return std::nullopt;
  }
  int64_t n = a.numElements();
  if (isa<FloatType>(to)) {
    std::vector<double> r(n);
    bool fromU64 = a.elementType.isUnsignedInteger(64);
    for (int64_t i = 0; i < n; ++i) r[i] = fromU64 ? (double)(uint64_t)a.ints[i] : a.floatAt(i);
    return ConstTensor::ofFloats(to, a.shape, std::move(r));
  }
  std::vector<int64_t> r(n);
  for (int64_t i = 0; i < n; ++i)
    r[i] = (to.isInteger(1) && a.isFloat()) ? (a.floats[i] != 0) : a.intAt(i);
  return ConstTensor::ofInts(to, a.shape, std::move(r));
}

EvalResult evalWhere(const ConstTensor &c, const ConstTensor &x, const ConstTensor &y,
                     std::string &error) {
  auto xy = broadcast(x.shape, y.shape, error);
  if (!xy) return std::nullopt;
  auto shape = broadcast(c.shape, *xy, error);
  if (!shape) return std::nullopt;
  if (x.elementType != y.elementType) {
    error = "X and Y element types differ";
    return std::nullopt;
  }
  std::vector<int64_t> ic = broadcastIndex(*shape, c.shape), ix = broadcastIndex(*shape, x.shape),
                       iy = broadcastIndex(*shape, y.shape);
  size_t n = ic.size();
  if (x.isFloat()) {
    std::vector<double> r(n);
    for (size_t i = 0; i < n; ++i) r[i] = c.intAt(ic[i]) ? x.floats[ix[i]] : y.floats[iy[i]];
    return ConstTensor::ofFloats(x.elementType, *shape, std::move(r));
  }
  std::vector<int64_t> r(n);
  for (size_t i = 0; i < n; ++i) r[i] = c.intAt(ic[i]) ? x.ints[ix[i]] : y.ints[iy[i]];
  return ConstTensor::ofInts(x.elementType, *shape, std::move(r));
}

EvalResult evalReduce(ReduceKind k, const ConstTensor &a, ArrayRef<int64_t> axes, bool keepDims,
                      std::string &error) {
  int64_t rank = a.shape.size();
  SmallVector<int64_t> keptShape; // with reduced axes set to 1
  SmallVector<int64_t> outShape;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    keptShape.push_back(reduced ? 1 : a.shape[d]);
    if (!reduced)
      outShape.push_back(a.shape[d]);
    else if (keepDims)
      outShape.push_back(1);
  }
  for (int64_t ax : axes)
    if (ax < 0 || ax >= rank) {
      error = "internal error: reduce axis out of range";
      return std::nullopt;
    }
  int64_t outN = boundedCount(keptShape), inN = a.numElements();
  SmallVector<int64_t> inStrides = stridesOf(a.shape), outStrides = stridesOf(keptShape);
  std::vector<double> acc(outN), cnt(outN, 0);
  std::vector<int64_t> iacc(outN);
  double fInit = k == ReduceKind::Prod  ? 1
                 : k == ReduceKind::Max ? -INFINITY
                 : k == ReduceKind::Min ? INFINITY
                                        : 0;
  int64_t iInit = k == ReduceKind::Prod  ? 1
                  : k == ReduceKind::Max ? INT64_MIN
                  : k == ReduceKind::Min ? INT64_MAX
                                         : 0;
  std::fill(acc.begin(), acc.end(), fInit);
  std::fill(iacc.begin(), iacc.end(), iInit);
  for (int64_t i = 0; i < inN; ++i) {
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (keptShape[d] != 1) o += ((i / inStrides[d]) % a.shape[d]) * outStrides[d];
    cnt[o] += 1;
    if (a.isFloat()) {
      double v = a.floats[i];
      if (k == ReduceKind::Sum || k == ReduceKind::Mean)
        acc[o] += v;
      else if (k == ReduceKind::Prod)
        acc[o] *= v;
      else if (k == ReduceKind::Max)
        acc[o] = std::fmax(acc[o], v);
      else
        acc[o] = std::fmin(acc[o], v);
    } else {
      int64_t v = a.ints[i];
      if (k == ReduceKind::Sum || k == ReduceKind::Mean)
        iacc[o] = s(u(iacc[o]) + u(v));
      else if (k == ReduceKind::Prod)
        iacc[o] = s(u(iacc[o]) * u(v));
      else if (k == ReduceKind::Max)
        iacc[o] = std::max(iacc[o], v);
      else
        iacc[o] = std::min(iacc[o], v);
    }
  }
  if (a.isFloat()) {
    if (k == ReduceKind::Mean)
      for (int64_t o = 0; o < outN; ++o) acc[o] /= cnt[o];
    return ConstTensor::ofFloats(a.elementType, outShape, std::move(acc));
  }
  if (k == ReduceKind::Mean)
    for (int64_t o = 0; o < outN; ++o) iacc[o] = cnt[o] > 0 ? iacc[o] / (int64_t)cnt[o] : 0;
  return ConstTensor::ofInts(a.elementType, outShape, std::move(iacc));
}

EvalResult evalRange(const ConstTensor &start, const ConstTensor &limit, const ConstTensor &delta,
                     std::string &error) {
  if (start.numElements() != 1 || limit.numElements() != 1 || delta.numElements() != 1) {
    error = "start, limit and delta must be scalars";
    return std::nullopt;
  }
  if (start.isFloat()) {
    double s0 = start.floats[0], l = limit.floatAt(0), d = delta.floatAt(0);
    double count = std::ceil((l - s0) / d);
    if (d == 0 || !std::isfinite(count) || count > (double)kMaxEvalElements) {
      error = "range is empty-stepped or too long to evaluate";
      return std::nullopt;
    }
    std::vector<double> r;
    for (int64_t i = 0; i < (int64_t)std::max(count, 0.0); ++i) r.push_back(s0 + i * d);
    int64_t n = r.size();
    return ConstTensor::ofFloats(start.elementType, {n}, std::move(r));
  }
  __int128 s0 = start.ints[0], l = limit.intAt(0), d = delta.intAt(0);
  if (d == 0) {
    error = "range delta is zero";
    return std::nullopt;
  }
  __int128 span = l - s0;
  __int128 count = d > 0 ? (span + d - 1) / d : (span + d + 1) / d;
  if (count < 0) count = 0;
  if (count > kMaxEvalElements) {
    error = "range too long to evaluate at import time";
    return std::nullopt;
  }
  std::vector<int64_t> r;
  for (int64_t i = 0; i < (int64_t)count; ++i) r.push_back((int64_t)(s0 + i * d));
  int64_t n = r.size();
  return ConstTensor::ofInts(start.elementType, {n}, std::move(r));
}

} // namespace dnnopt::onnximport
