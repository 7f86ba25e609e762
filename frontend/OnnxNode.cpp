//===- OnnxNode.cpp - per-node import context for op handlers -------------===//
#include "frontend/OnnxNode.h"

#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxTensors.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace dnnopt::onnximport {

std::string typeText(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

RankedTensorType GraphValue::type() const {
  if (value) return dyn_cast<RankedTensorType>(value.getType());
  return constant ? dyn_cast<RankedTensorType>(constant.getType()) : RankedTensorType();
}

Value ImportState::materialize(GraphValue &gv) {
  if (!gv.value && gv.constant) {
    Location loc = gv.constantLoc ? Location(gv.constantLoc) : builder.getUnknownLoc();
    gv.value = dnn::ConstantOp::create(builder, loc, gv.constant);
  }
  return gv.value;
}

NodeImporter::NodeImporter(ImportState &state, const onnx::NodeProto &node, std::string displayName,
                           Location loc, int64_t opset)
    : state(state), node(node), displayName(std::move(displayName)), location(loc),
      opsetVersion(opset) {}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

LogicalResult NodeImporter::error(const Twine &msg) {
  failedFlag = true;
  emitError(location) << state.fileName << ": node '" << displayName << "' (" << node.op_type()
                      << "): " << msg;
  return failure();
}

LogicalResult NodeImporter::unsupported(const Twine &what) { return error("unsupported " + what); }

LogicalResult NodeImporter::withCapturedDiagnostics(function_ref<LogicalResult()> fn) {
  std::string messages;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler capture(state.ctx, [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error) {
        if (!messages.empty()) messages += "; ";
        messages += d.str();
      }
      return success();
    });
    result = fn();
  }
  if (failed(result))
    return error(messages.empty() ? "internal error: op creation failed" : messages);
  return success();
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

bool NodeImporter::hasInput(unsigned i) const {
  return i < (unsigned)node.input_size() && !node.input(i).empty();
}

StringRef NodeImporter::inputName(unsigned i) const {
  return i < (unsigned)node.input_size() ? StringRef(node.input(i)) : StringRef();
}

GraphValue *NodeImporter::lookupInput(unsigned i) {
  if (!hasInput(i)) {
    (void)error("missing required input #" + Twine(i));
    return nullptr;
  }
  auto it = state.values.find(node.input(i));
  if (it == state.values.end() || !it->second.type()) {
    (void)error("input '" + node.input(i) + "' is not defined");
    return nullptr;
  }
  return &it->second;
}

Value NodeImporter::input(unsigned i) {
  GraphValue *gv = lookupInput(i);
  if (!gv) return {};
  OpBuilder::InsertionGuard guard(state.builder);
  return state.materialize(*gv);
}

RankedTensorType NodeImporter::inputType(unsigned i) {
  GraphValue *gv = lookupInput(i);
  return gv ? gv->type() : RankedTensorType();
}

DenseElementsAttr NodeImporter::inputConstant(unsigned i) {
  if (!hasInput(i)) return {};
  auto it = state.values.find(node.input(i));
  if (it == state.values.end()) return {};
  if (it->second.constant) return it->second.constant;
  DenseElementsAttr attr;
  if (it->second.value && matchPattern(it->second.value, m_Constant(&attr))) return attr;
  return {};
}

std::optional<ConstTensor> NodeImporter::constTensor(unsigned i) {
  return fromAttr(inputConstant(i));
}

bool NodeImporter::allInputsEvaluable() {
  for (unsigned i = 0, e = numInputs(); i < e; ++i) {
    if (!hasInput(i)) continue;
    DenseElementsAttr c = inputConstant(i);
    if (!c || c.getNumElements() > kMaxEvalElements || !c.getElementType().isIntOrFloat())
      return false;
  }
  return true;
}

std::optional<SmallVector<int64_t>> NodeImporter::constInts(unsigned i, StringRef what) {
  if (!hasInput(i)) {
    (void)error("missing required input '" + what + "'");
    return std::nullopt;
  }
  if (!inputType(i)) return std::nullopt;
  DenseElementsAttr c = inputConstant(i);
  if (!c) {
    (void)unsupported("non-constant " + what + " input '" + inputName(i) +
                      "' (it must be known at import time)");
    return std::nullopt;
  }
  if (!c.getElementType().isInteger()) {
    (void)error(what + " input '" + inputName(i) + "' must be an integer tensor");
    return std::nullopt;
  }
  auto t = fromAttr(c);
  if (!t) {
    (void)unsupported(what + " input '" + inputName(i) + "' too large to read at import time");
    return std::nullopt;
  }
  return SmallVector<int64_t>(t->ints.begin(), t->ints.end());
}

std::optional<SmallVector<double>> NodeImporter::constFloats(unsigned i, StringRef what) {
  if (!hasInput(i)) {
    (void)error("missing required input '" + what + "'");
    return std::nullopt;
  }
  if (!inputType(i)) return std::nullopt;
  DenseElementsAttr c = inputConstant(i);
  if (!c) {
    (void)unsupported("non-constant " + what + " input '" + inputName(i) +
                      "' (it must be known at import time)");
    return std::nullopt;
  }
  auto t = fromAttr(c);
  if (!t) {
    (void)unsupported(what + " input '" + inputName(i) + "' too large or of a non-numeric type");
    return std::nullopt;
  }
  SmallVector<double> r;
  for (int64_t k = 0, n = t->numElements(); k < n; ++k) r.push_back(t->floatAt(k));
  return r;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

namespace {
/// For attributes written without a type (very old exporters): the type implied
/// by the field that is set.
int impliedType(const onnx::AttributeProto &a) {
  using AP = onnx::AttributeProto;
  if (a.type() != AP::UNDEFINED) return a.type();
  if (a.has_f()) return AP::FLOAT;
  if (a.has_i()) return AP::INT;
  if (a.has_s()) return AP::STRING;
  if (a.has_t()) return AP::TENSOR;
  if (a.floats_size()) return AP::FLOATS;
  if (a.ints_size()) return AP::INTS;
  if (a.strings_size()) return AP::STRINGS;
  return AP::UNDEFINED;
}

const char *attrTypeName(int type) {
  if (onnx::AttributeProto::AttributeType_IsValid(type))
    return onnx::AttributeProto::AttributeType_Name(
               static_cast<onnx::AttributeProto::AttributeType>(type))
        .c_str();
  return "an unknown type";
}
} // namespace

const onnx::AttributeProto *NodeImporter::typedAttr(StringRef name, int type) {
  const onnx::AttributeProto *a = attr(name);
  if (!a) return nullptr;
  int actual = impliedType(*a);
  if (actual == type) return a;
  // An empty list may be written without a type; treat it as the wanted list.
  using AP = onnx::AttributeProto;
  if (actual == AP::UNDEFINED && (type == AP::INTS || type == AP::FLOATS)) return a;
  (void)error("attribute '" + name + "' must be " + attrTypeName(type) + ", got " +
              attrTypeName(actual));
  return nullptr;
}

int64_t NodeImporter::attrInt(StringRef name, int64_t dflt) {
  const auto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : dflt;
}

float NodeImporter::attrFloat(StringRef name, float dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (a && impliedType(*a) == onnx::AttributeProto::INT) return static_cast<float>(a->i());
  a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : dflt;
}

std::string NodeImporter::attrString(StringRef name, StringRef dflt) {
  const auto *a = typedAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> NodeImporter::attrInts(StringRef name) {
  const auto *a = typedAttr(name, onnx::AttributeProto::INTS);
  if (!a) return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeImporter::attrFloats(StringRef name) {
  const auto *a = typedAttr(name, onnx::AttributeProto::FLOATS);
  if (!a) return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

DenseElementsAttr NodeImporter::attrTensor(StringRef name) {
  const auto *a = typedAttr(name, onnx::AttributeProto::TENSOR);
  if (!a) return {};
  std::string err;
  DenseElementsAttr value = decodeTensor(a->t(), state.external, state.ctx, err);
  if (!value) {
    if (StringRef(err).starts_with("unsupported"))
      (void)error(err);
    else
      (void)error("attribute '" + name + "': " + err);
  }
  return value;
}

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

bool NodeImporter::outputUsed(unsigned i) const {
  return i < (unsigned)node.output_size() && !node.output(i).empty() &&
         state.usedNames.contains(node.output(i));
}

bool NodeImporter::outputSet(unsigned i) const {
  if (i >= (unsigned)node.output_size() || node.output(i).empty()) return true;
  return state.values.count(node.output(i)) != 0;
}

LogicalResult NodeImporter::setOutput(unsigned i, Value v) {
  if (!v) return failure();
  if (i >= (unsigned)node.output_size()) return error("internal error: output #" + Twine(i));
  if (node.output(i).empty()) return success();
  GraphValue gv;
  gv.value = v;
  state.values[node.output(i)] = gv;
  return success();
}

LogicalResult NodeImporter::setOutputConstant(unsigned i, DenseElementsAttr value) {
  if (!value) return failure();
  if (i >= (unsigned)node.output_size()) return error("internal error: output #" + Twine(i));
  if (node.output(i).empty()) return success();
  GraphValue gv;
  gv.constant = value;
  gv.constantLoc = location;
  state.values[node.output(i)] = gv;
  return success();
}

LogicalResult NodeImporter::setOutputConstant(unsigned i, const ConstTensor &value) {
  return setOutputConstant(i, toAttr(value, state.ctx));
}

LogicalResult NodeImporter::setOutputEval(unsigned i, const EvalResult &r, const std::string &err) {
  if (r) return setOutputConstant(i, *r);
  if (StringRef(err).contains("too large") || StringRef(err).starts_with("unsupported"))
    return unsupported("evaluation at import time: " + err);
  return error("cannot evaluate at import time: " + err);
}

//===----------------------------------------------------------------------===//
// Op creation
//===----------------------------------------------------------------------===//

Operation *NodeImporter::finishOp(OperationState &opState) {
  for (Type t : opState.types) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape() || checkedElementCount(rt.getShape()) < 0) {
      (void)error("result type " + typeText(t) +
                  " is not a static tensor of at most 2^31 elements");
      return nullptr;
    }
  }
  Operation *op = state.builder.create(opState);
  if (failed(withCapturedDiagnostics([&] { return verify(op, /*verifyRecursively=*/false); }))) {
    op->erase();
    return nullptr;
  }
  if (op->getNumResults() != 1 || op->getNumOperands() == 0) return op;
  // The dnn folders assume signless integers; unsigned constants are left alone
  // (the import-time evaluator handles them where it matters).
  auto isUnsigned = [](Value v) { return getElementTypeOrSelf(v.getType()).isUnsignedInteger(); };
  if (isUnsigned(op->getResult(0)) || llvm::any_of(op->getOperands(), isUnsigned)) return op;
  SmallVector<Attribute> operands;
  for (Value v : op->getOperands()) {
    Attribute a;
    if (!matchPattern(v, m_Constant(&a))) return op;
    operands.push_back(a);
  }
  SmallVector<OpFoldResult> results;
  if (failed(op->fold(operands, results)) || results.size() != 1) return op;
  if (auto attr = dyn_cast_if_present<Attribute>(results[0])) {
    auto dense = dyn_cast<DenseElementsAttr>(attr);
    if (!dense || dense.getType() != op->getResult(0).getType()) return op;
    Operation *c = dnn::ConstantOp::create(state.builder, location, dense);
    op->erase();
    return c;
  }
  Value v = cast<Value>(results[0]);
  if (v == op->getResult(0) || !v.getDefiningOp() || v.getType() != op->getResult(0).getType())
    return op;
  op->erase();
  return v.getDefiningOp();
}

Value NodeImporter::constant(DenseElementsAttr value) {
  return dnn::ConstantOp::create(state.builder, location, value);
}

NamedAttribute NodeImporter::named(StringRef name, Attribute a) {
  return NamedAttribute(StringAttr::get(state.ctx, name), a);
}
NamedAttribute NodeImporter::i64s(StringRef name, ArrayRef<int64_t> v) {
  return named(name, DenseI64ArrayAttr::get(state.ctx, v));
}
NamedAttribute NodeImporter::i64(StringRef name, int64_t v) {
  return named(name, IntegerAttr::get(IntegerType::get(state.ctx, 64), v));
}
NamedAttribute NodeImporter::f32(StringRef name, double v) {
  return named(name, FloatAttr::get(Float32Type::get(state.ctx), v));
}
NamedAttribute NodeImporter::boolean(StringRef name, bool v) {
  return named(name, BoolAttr::get(state.ctx, v));
}

const HandlerTable &handlerTable() {
  static const HandlerTable table = [] {
    HandlerTable t;
    registerLinearOps(t);
    registerElementwiseOps(t);
    registerPoolingOps(t);
    registerShapeOps(t);
    registerDataMovementOps(t);
    registerResizeOps(t);
    registerQuantOps(t);
    return t;
  }();
  return table;
}

} // namespace dnnopt::onnximport
