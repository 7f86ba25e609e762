//===- OnnxOpsElementwise.cpp - arithmetic, activations, casts, constants --===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxOpsUtil.h"

#include <cmath>
#include <limits>

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace dnnopt::onnximport {
namespace {

/// Sets output 0 to input 0 unchanged (constants stay constants).
LogicalResult forwardInput(NodeImporter &n) {
  if (DenseElementsAttr c = n.inputConstant(0)) return n.setOutputConstant(0, c);
  return n.setOutput(0, n.input(0));
}

/// Before opset 7, binary ops broadcast B only with `broadcast=1`, aligned to A's
/// axis `axis` (default: trailing). Returns B reshaped for numpy broadcasting.
Value legacyBroadcastRhs(NodeImporter &n, Value lhs, Value rhs) {
  if (n.opset() >= 7 || n.attrInt("broadcast", 0) == 0 || !n.hasAttr("axis")) return rhs;
  auto a = cast<RankedTensorType>(lhs.getType()), b = cast<RankedTensorType>(rhs.getType());
  auto axis = normalizeAxis(n, n.attrInt("axis", 0), a.getRank());
  if (!axis) return {};
  if (*axis + b.getRank() > a.getRank()) {
    (void)n.error("B " + shapeStr(b.getShape()) + " does not fit A " + shapeStr(a.getShape()) +
                  " at axis " + Twine(*axis));
    return {};
  }
  SmallVector<int64_t> shape(b.getShape());
  shape.append(a.getRank() - *axis - b.getRank(), 1);
  return reshapeTo(n, rhs, shape);
}

/// Evaluates a binary op when both operands are import-time constants.
std::optional<LogicalResult> tryEvalBinary(NodeImporter &n, BinaryKind kind) {
  if (!n.allInputsEvaluable() || n.opset() < 7) return std::nullopt;
  auto a = n.constTensor(0), b = n.constTensor(1);
  if (!a || !b) return std::nullopt;
  std::string err;
  EvalResult r = evalBinary(kind, *a, *b, err);
  return n.setOutputEval(0, r, err);
}

template <typename OpT, BinaryKind Kind> LogicalResult importBinary(NodeImporter &n) {
  if (auto folded = tryEvalBinary(n, Kind)) return *folded;
  Value lhs = n.input(0), rhs = n.input(1);
  if (!lhs || !rhs) return failure();
  rhs = legacyBroadcastRhs(n, lhs, rhs);
  if (!rhs) return failure();
  return n.setOutput(0, n.create<OpT>(ValueRange{lhs, rhs}));
}

LogicalResult importPow(NodeImporter &n) {
  if (auto folded = tryEvalBinary(n, BinaryKind::Pow)) return *folded;
  Value base = n.input(0), exponent = n.input(1);
  if (!base || !exponent) return failure();
  // ONNX allows an exponent type different from the base's; dnn.pow does not.
  auto bt = cast<RankedTensorType>(base.getType()), et = cast<RankedTensorType>(exponent.getType());
  if (bt.getElementType() != et.getElementType()) {
    std::string err;
    EvalResult c;
    if (auto e = n.constTensor(1)) c = evalCast(*e, bt.getElementType(), err);
    exponent = c ? n.constant(toAttr(*c, n.ctx()))
                 : n.createTyped<dnn::CastOp>(et.clone(bt.getElementType()), ValueRange{exponent});
  }
  if (!exponent) return failure();
  return n.setOutput(0, n.create<dnn::PowOp>(ValueRange{base, exponent}));
}

LogicalResult importPRelu(NodeImporter &n) {
  Value x = n.input(0), slope = n.input(1);
  if (!x || !slope) return failure();
  // Before opset 7 a 1-D slope of size C applies per channel (axis 1); numpy
  // broadcasting needs it as C x 1 x ... x 1.
  auto xt = cast<RankedTensorType>(x.getType()), st = cast<RankedTensorType>(slope.getType());
  if (n.opset() < 7 && st.getRank() == 1 && xt.getRank() >= 2 &&
      st.getDimSize(0) == xt.getDimSize(1) && st.getDimSize(0) != 1) {
    SmallVector<int64_t> shape(xt.getRank() - 1, 1);
    shape[0] = st.getDimSize(0);
    slope = reshapeTo(n, slope, shape);
    if (!slope) return failure();
  }
  return n.setOutput(0, n.create<dnn::PReluOp>(ValueRange{x, slope}));
}

/// Sum / Mean / Max / Min of any number of inputs: a chain of binary ops.
template <typename OpT, BinaryKind Kind, bool IsMean = false>
LogicalResult importVariadic(NodeImporter &n) {
  unsigned count = n.numInputs();
  if (n.allInputsEvaluable()) {
    std::optional<ConstTensor> acc = n.constTensor(0);
    std::string err;
    for (unsigned i = 1; acc && i < count; ++i) {
      auto next = n.constTensor(i);
      if (!next) return n.error("missing input #" + Twine(i));
      acc = evalBinary(Kind, *acc, *next, err);
    }
    if (acc && IsMean) {
      ConstTensor divisor = ConstTensor::ofFloats(acc->elementType, {}, {double(count)});
      acc = acc->isFloat() ? evalBinary(BinaryKind::Div, *acc, divisor, err) : std::nullopt;
      if (!acc && err.empty()) err = "Mean of integer tensors";
    }
    if (acc || !err.empty()) return n.setOutputEval(0, acc, err);
  }
  Value acc = n.input(0);
  for (unsigned i = 1; acc && i < count; ++i) {
    Value next = n.input(i);
    if (!next) return failure();
    acc = n.create<OpT>(ValueRange{acc, next});
  }
  if (acc && IsMean && count > 1) {
    Type elt = cast<RankedTensorType>(acc.getType()).getElementType();
    if (!isa<FloatType>(elt)) return n.error("Mean needs floating-point inputs");
    Value divisor = n.constant(scalarAttr(elt, count));
    acc = n.create<dnn::DivOp>(ValueRange{acc, divisor});
  }
  return n.setOutput(0, acc);
}

/// Ops that exist in dnnopt only as import-time evaluation (their results feed
/// shape computations).
template <BinaryKind Kind> LogicalResult importFoldOnlyBinary(NodeImporter &n) {
  if (auto folded = tryEvalBinary(n, Kind)) return *folded;
  return n.unsupported("operator " + n.opType() +
                       " on non-constant inputs (only evaluated at import time)");
}

LogicalResult importMod(NodeImporter &n) {
  if (n.attrInt("fmod", 0) != 0) return importFoldOnlyBinary<BinaryKind::FMod>(n);
  return importFoldOnlyBinary<BinaryKind::Mod>(n);
}

template <UnaryKind Kind> LogicalResult importFoldOnlyUnary(NodeImporter &n) {
  if (auto a = n.constTensor(0)) {
    std::string err;
    EvalResult r = evalUnary(Kind, *a, err);
    return n.setOutputEval(0, r, err);
  }
  return n.unsupported("operator " + n.opType() +
                       " on a non-constant input (only evaluated at import time)");
}

LogicalResult importWhere(NodeImporter &n) {
  auto c = n.constTensor(0), x = n.constTensor(1), y = n.constTensor(2);
  if (!c || !x || !y)
    return n.unsupported("operator Where on non-constant inputs (only evaluated at import time)");
  std::string err;
  EvalResult r = evalWhere(*c, *x, *y, err);
  return n.setOutputEval(0, r, err);
}

/// Unary op with an optional evaluator kind (for non-f32 constants).
template <typename OpT, std::optional<UnaryKind> (*KindFn)() = nullptr>
LogicalResult importUnary(NodeImporter &n) {
  if constexpr (KindFn != nullptr) {
    if (auto a = n.constTensor(0)) {
      std::string err;
      EvalResult r = evalUnary(*KindFn(), *a, err);
      if (r) return n.setOutputConstant(0, *r);
    }
  }
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0, n.create<OpT>(ValueRange{x}));
}
#define DNN_UNARY_KIND(NAME)                                                                       \
  std::optional<UnaryKind> kind##NAME() { return UnaryKind::NAME; }
DNN_UNARY_KIND(Neg)
DNN_UNARY_KIND(Abs)
DNN_UNARY_KIND(Floor)
DNN_UNARY_KIND(Ceil)
DNN_UNARY_KIND(Sqrt)
DNN_UNARY_KIND(Reciprocal)
DNN_UNARY_KIND(Relu)
DNN_UNARY_KIND(Exp)
DNN_UNARY_KIND(Log)
#undef DNN_UNARY_KIND

LogicalResult importLeakyRelu(NodeImporter &n) {
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(
      0, n.create<dnn::LeakyReluOp>(ValueRange{x}, {n.f32("alpha", n.attrFloat("alpha", 0.01f))}));
}

LogicalResult importHardSigmoid(NodeImporter &n) {
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(
      0, n.create<dnn::HardSigmoidOp>(ValueRange{x}, {n.f32("alpha", n.attrFloat("alpha", 0.2f)),
                                                      n.f32("beta", n.attrFloat("beta", 0.5f))}));
}

/// A Clip bound: attribute before opset 11, optional constant scalar input after.
std::optional<double> clipBound(NodeImporter &n, unsigned input, StringRef name, double dflt) {
  if (n.opset() < 11) return n.hasAttr(name) ? (double)n.attrFloat(name, 0) : dflt;
  if (!n.hasInput(input)) return dflt;
  auto v = n.constFloats(input, name);
  if (!v) return std::nullopt;
  if (v->size() != 1) {
    (void)n.error(name + " must be a scalar, got " + Twine(v->size()) + " values");
    return std::nullopt;
  }
  return (*v)[0];
}

LogicalResult importClip(NodeImporter &n) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  auto lo = clipBound(n, 1, "min", -inf), hi = clipBound(n, 2, "max", inf);
  if (!lo || !hi || n.hasFailed()) return failure();
  // ONNX: when min > max every element becomes max.
  if (*lo > *hi) lo = hi;
  if (auto a = n.constTensor(0)) {
    std::string err;
    ConstTensor loT = ConstTensor::ofFloats(Float64Type::get(n.ctx()), {}, {*lo});
    ConstTensor hiT = ConstTensor::ofFloats(Float64Type::get(n.ctx()), {}, {*hi});
    EvalResult r = evalBinary(BinaryKind::Max, *a, loT, err);
    if (r) r = evalBinary(BinaryKind::Min, *r, hiT, err);
    if (r) return n.setOutputConstant(0, *r);
  }
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0,
                     n.create<dnn::ClipOp>(ValueRange{x}, {n.f32("min", *lo), n.f32("max", *hi)}));
}

/// Softmax / LogSoftmax. Before opset 13 the input is coerced to 2-D
/// [prod(d < axis), prod(d >= axis)] and normalized over the second dimension, i.e.
/// over all axes from `axis` on: that is a reshape + single-axis op + reshape
/// unless the axes after `axis` all have size 1.
template <typename OpT> LogicalResult importSoftmax(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  int64_t rank = t.getRank();
  auto axis = normalizeAxis(n, n.attrInt("axis", n.opset() < 13 ? 1 : -1), rank);
  if (!axis) return failure();
  Value x = n.input(0);
  if (!x) return failure();
  int64_t inner = 1, outer = 1;
  for (int64_t d = 0; d < rank; ++d) (d < *axis ? outer : inner) *= t.getDimSize(d);
  bool flatten = n.opset() < 13 && inner != t.getDimSize(*axis);
  if (!flatten) return n.setOutput(0, n.create<OpT>(ValueRange{x}, {n.i64("axis", *axis)}));
  Value flat = reshapeTo(n, x, {outer, inner});
  Value y = flat ? n.create<OpT>(ValueRange{flat}, {n.i64("axis", 1)}) : Value();
  return n.setOutput(0, reshapeTo(n, y, t.getShape()));
}

/// Shared by Cast and CastLike.
LogicalResult castTo(NodeImporter &n, Type to) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  if (t.getElementType() == to) return forwardInput(n);
  if (auto a = n.constTensor(0)) {
    std::string err;
    EvalResult r = evalCast(*a, to, err);
    return n.setOutputEval(0, r, err);
  }
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0, n.createTyped<dnn::CastOp>(t.clone(to), ValueRange{x}));
}

LogicalResult importCast(NodeImporter &n) {
  const onnx::AttributeProto *to = n.attr("to");
  if (!to) return n.error("missing attribute 'to'");
  int32_t code;
  if (to->type() == onnx::AttributeProto::STRING) { // opset 1 spells the type
    onnx::TensorProto::DataType dt;
    if (!onnx::TensorProto::DataType_Parse(to->s(), &dt))
      return n.error("unknown cast target type '" + to->s() + "'");
    code = dt;
  } else {
    int64_t v = n.attrInt("to", 0);
    if (n.hasFailed()) return failure();
    if (v < 0 || v > std::numeric_limits<int32_t>::max())
      return n.error("invalid cast target type code " + Twine(v));
    code = static_cast<int32_t>(v);
  }
  Type elt = elementTypeFor(code, n.ctx());
  if (!elt) return n.unsupported("cast to element type " + dataTypeName(code));
  return castTo(n, elt);
}

LogicalResult importCastLike(NodeImporter &n) {
  RankedTensorType like = n.inputType(1);
  if (!like) return failure();
  return castTo(n, like.getElementType());
}

LogicalResult importIdentity(NodeImporter &n) {
  if (DenseElementsAttr c = n.inputConstant(0)) return n.setOutputConstant(0, c);
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0, n.create<dnn::IdentityOp>(ValueRange{x}));
}

LogicalResult importDropout(NodeImporter &n) {
  if (n.outputUsed(1)) return n.unsupported("Dropout mask output (inference only)");
  double ratio = n.attrFloat("ratio", 0.5f);
  if (n.opset() >= 12) {
    if (n.hasInput(2)) {
      auto training = n.constInts(2, "training_mode");
      if (!training) return failure();
      if (llvm::any_of(*training, [](int64_t v) { return v != 0; }))
        return n.unsupported("training-mode Dropout");
    }
    if (n.hasInput(1)) {
      auto r = n.constFloats(1, "ratio");
      if (!r) return failure();
      if (r->size() == 1) ratio = (*r)[0];
    }
  }
  if (DenseElementsAttr c = n.inputConstant(0)) return n.setOutputConstant(0, c);
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0, n.create<dnn::DropoutOp>(ValueRange{x}, {n.f32("ratio", ratio)}));
}

LogicalResult importConstant(NodeImporter &n) {
  const auto &attrs = n.proto().attribute();
  if (attrs.size() != 1)
    return n.error("expects exactly one value attribute, got " + Twine(attrs.size()));
  StringRef name = attrs[0].name();
  MLIRContext *ctx = n.ctx();
  Type f32 = Float32Type::get(ctx), i64 = IntegerType::get(ctx, 64);
  if (name == "value") return n.setOutputConstant(0, n.attrTensor("value"));
  if (name == "value_float")
    return n.setOutputConstant(0, ConstTensor::ofFloats(f32, {}, {n.attrFloat(name, 0)}));
  if (name == "value_int")
    return n.setOutputConstant(0, ConstTensor::ofInts(i64, {}, {n.attrInt(name, 0)}));
  if (name == "value_floats") {
    SmallVector<float> v = n.attrFloats(name);
    return n.setOutputConstant(0, ConstTensor::ofFloats(f32, {(int64_t)v.size()},
                                                        std::vector<double>(v.begin(), v.end())));
  }
  if (name == "value_ints") {
    SmallVector<int64_t> v = n.attrInts(name);
    return n.setOutputConstant(
        0, ConstTensor::ofInts(i64, {(int64_t)v.size()}, std::vector<int64_t>(v.begin(), v.end())));
  }
  if (name == "value_string" || name == "value_strings") return n.unsupported("string Constant");
  if (name == "sparse_value") return n.unsupported("sparse Constant");
  return n.error("unknown attribute '" + name + "'");
}

} // namespace

void registerElementwiseOps(HandlerTable &t) {
  t["Add"] = {importBinary<dnn::AddOp, BinaryKind::Add>, 2, 2};
  t["Sub"] = {importBinary<dnn::SubOp, BinaryKind::Sub>, 2, 2};
  t["Mul"] = {importBinary<dnn::MulOp, BinaryKind::Mul>, 2, 2};
  t["Div"] = {importBinary<dnn::DivOp, BinaryKind::Div>, 2, 2};
  t["Pow"] = {importPow, 2, 2};
  t["PRelu"] = {importPRelu, 2, 2};
  t["Sum"] = {importVariadic<dnn::AddOp, BinaryKind::Add>, 1, kVariadic};
  t["Mean"] = {importVariadic<dnn::AddOp, BinaryKind::Add, true>, 1, kVariadic};
  t["Max"] = {importVariadic<dnn::MaxOp, BinaryKind::Max>, 1, kVariadic};
  t["Min"] = {importVariadic<dnn::MinOp, BinaryKind::Min>, 1, kVariadic};

  t["Equal"] = {importFoldOnlyBinary<BinaryKind::Equal>, 2, 2};
  t["Less"] = {importFoldOnlyBinary<BinaryKind::Less>, 2, 2};
  t["Greater"] = {importFoldOnlyBinary<BinaryKind::Greater>, 2, 2};
  t["LessOrEqual"] = {importFoldOnlyBinary<BinaryKind::LessOrEqual>, 2, 2};
  t["GreaterOrEqual"] = {importFoldOnlyBinary<BinaryKind::GreaterOrEqual>, 2, 2};
  t["And"] = {importFoldOnlyBinary<BinaryKind::And>, 2, 2};
  t["Or"] = {importFoldOnlyBinary<BinaryKind::Or>, 2, 2};
  t["Xor"] = {importFoldOnlyBinary<BinaryKind::Xor>, 2, 2};
  t["Mod"] = {importMod, 2, 2};
  t["Not"] = {importFoldOnlyUnary<UnaryKind::Not>, 1, 1};
  t["Sign"] = {importFoldOnlyUnary<UnaryKind::Sign>, 1, 1};
  t["Where"] = {importWhere, 3, 3};

  t["Relu"] = {importUnary<dnn::ReluOp, kindRelu>, 1, 1};
  t["Sigmoid"] = {importUnary<dnn::SigmoidOp>, 1, 1};
  t["Tanh"] = {importUnary<dnn::TanhOp>, 1, 1};
  t["HardSwish"] = {importUnary<dnn::HardSwishOp>, 1, 1};
  t["Exp"] = {importUnary<dnn::ExpOp, kindExp>, 1, 1};
  t["Log"] = {importUnary<dnn::LogOp, kindLog>, 1, 1};
  t["Sqrt"] = {importUnary<dnn::SqrtOp, kindSqrt>, 1, 1};
  t["Abs"] = {importUnary<dnn::AbsOp, kindAbs>, 1, 1};
  t["Neg"] = {importUnary<dnn::NegOp, kindNeg>, 1, 1};
  t["Reciprocal"] = {importUnary<dnn::ReciprocalOp, kindReciprocal>, 1, 1};
  t["Floor"] = {importUnary<dnn::FloorOp, kindFloor>, 1, 1};
  t["Ceil"] = {importUnary<dnn::CeilOp, kindCeil>, 1, 1};
  t["Erf"] = {importUnary<dnn::ErfOp>, 1, 1};
  t["LeakyRelu"] = {importLeakyRelu, 1, 1};
  t["HardSigmoid"] = {importHardSigmoid, 1, 1};
  t["Clip"] = {importClip, 1, 3};
  t["Softmax"] = {importSoftmax<dnn::SoftmaxOp>, 1, 1};
  t["LogSoftmax"] = {importSoftmax<dnn::LogSoftmaxOp>, 1, 1};

  t["Cast"] = {importCast, 1, 1};
  t["CastLike"] = {importCastLike, 2, 2};
  t["Identity"] = {importIdentity, 1, 1};
  t["Dropout"] = {importDropout, 1, 3, 1, 2};
  t["Constant"] = {importConstant, 0, 0};
}

} // namespace dnnopt::onnximport
