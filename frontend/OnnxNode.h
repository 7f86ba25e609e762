//===- OnnxNode.h - per-node import context for op handlers -----*- C++ -*-===//
//
// Op handlers (OnnxOps*.cpp) see one ONNX node through a NodeImporter: typed
// access to inputs (SSA values or import-time constants) and attributes, output
// binding, op creation with result types inferred before the op exists, and error
// reporting in the frontend's `FILE: node 'NAME' (OpType): message` format.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_FRONTEND_ONNXNODE_H
#define DNNOPT_FRONTEND_ONNXNODE_H

#include "frontend/OnnxConstEval.h"
#include "frontend/OnnxTensors.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>
#include <string>
#include <type_traits>

namespace dnnopt::onnximport {

/// `t` as MLIR prints it.
std::string typeText(mlir::Type t);

/// One value of the ONNX graph: an SSA value, or a constant known at import time
/// that becomes a `dnn.constant` the first time an op consumes it.
struct GraphValue {
  mlir::Value value;
  mlir::DenseElementsAttr constant;
  mlir::LocationAttr constantLoc;
  mlir::RankedTensorType type() const;
};

/// State shared by every node of one import.
struct ImportState {
  ImportState(mlir::MLIRContext *ctx, std::string fileName)
      : ctx(ctx), builder(ctx), fileName(std::move(fileName)) {}
  mlir::MLIRContext *ctx;
  mlir::OpBuilder builder;
  std::string fileName;
  ExternalDataContext external;
  /// Values defined so far, by ONNX name.
  llvm::StringMap<GraphValue> values;
  /// Names consumed by some node or graph output.
  llvm::StringSet<> usedNames;

  /// The SSA value of `gv`, creating its dnn.constant on first use.
  mlir::Value materialize(GraphValue &gv);
};

class NodeImporter {
public:
  NodeImporter(ImportState &state, const onnx::NodeProto &node, std::string displayName,
               mlir::Location loc, int64_t opset);

  // --- Identity ------------------------------------------------------------
  const onnx::NodeProto &proto() const { return node; }
  llvm::StringRef opType() const { return node.op_type(); }
  int64_t opset() const { return opsetVersion; }
  mlir::Location loc() const { return location; }
  mlir::OpBuilder &builder() { return state.builder; }
  mlir::MLIRContext *ctx() const { return state.ctx; }

  // --- Errors (all return failure() so handlers can `return n.error(...)`) ---
  /// Emits `FILE: node 'NAME' (OpType): msg`.
  mlir::LogicalResult error(const llvm::Twine &msg);
  /// Emits `FILE: node 'NAME' (OpType): unsupported <what>`.
  mlir::LogicalResult unsupported(const llvm::Twine &what);
  /// True once any error was reported for this node (e.g. a malformed attribute).
  bool hasFailed() const { return failedFlag; }

  // --- Inputs -----------------------------------------------------------------
  unsigned numInputs() const { return node.input_size(); }
  /// True when input `i` is given (present and not the empty "omitted" name).
  bool hasInput(unsigned i) const;
  llvm::StringRef inputName(unsigned i) const;
  /// SSA value of input `i`; reports an error and returns null if it is missing.
  mlir::Value input(unsigned i);
  /// Type of input `i` (null + error if missing).
  mlir::RankedTensorType inputType(unsigned i);
  /// Import-time contents of input `i`, or null when it is missing or not constant.
  mlir::DenseElementsAttr inputConstant(unsigned i);
  /// Contents of a constant input for evaluation (std::nullopt when not constant
  /// or too large); no error is reported.
  std::optional<ConstTensor> constTensor(unsigned i);
  /// True when every given input is constant and small enough to evaluate.
  bool allInputsEvaluable();
  /// Integer contents of constant input `i` (an "unsupported" error if it is not
  /// constant, an error if it is not an integer tensor). `what` names the input.
  std::optional<llvm::SmallVector<int64_t>> constInts(unsigned i, llvm::StringRef what);
  /// Float contents of constant input `i`, converted from any numeric type.
  std::optional<llvm::SmallVector<double>> constFloats(unsigned i, llvm::StringRef what);

  // --- Attributes (a wrongly typed attribute reports an error, returns the default)
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return attr(name) != nullptr; }
  int64_t attrInt(llvm::StringRef name, int64_t dflt);
  float attrFloat(llvm::StringRef name, float dflt);
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt);
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name);
  llvm::SmallVector<float> attrFloats(llvm::StringRef name);
  /// The TENSOR attribute `name` decoded, or null (error reported if malformed).
  mlir::DenseElementsAttr attrTensor(llvm::StringRef name);

  // --- Outputs ------------------------------------------------------------------
  unsigned numOutputs() const { return node.output_size(); }
  /// True when output `i` is named and consumed by a node or a graph output.
  bool outputUsed(unsigned i) const;
  mlir::LogicalResult setOutput(unsigned i, mlir::Value v);
  mlir::LogicalResult setOutputConstant(unsigned i, mlir::DenseElementsAttr value);
  mlir::LogicalResult setOutputConstant(unsigned i, const ConstTensor &value);
  /// Sets output `i` from an evaluation result, or reports its error.
  mlir::LogicalResult setOutputEval(unsigned i, const EvalResult &r, const std::string &err);
  bool outputSet(unsigned i) const;

  // --- Op creation ----------------------------------------------------------------
  /// Creates `OpT` with result types from OpT::inferReturnTypes, verifies it, and
  /// folds it when every operand is a constant. Returns null after reporting an
  /// error in the node's format.
  template <typename OpT>
  mlir::Operation *createOp(mlir::ValueRange operands,
                            llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::OperationState state(location, OpT::getOperationName());
    state.addOperands(operands);
    if (mlir::failed(fillProperties<OpT>(state, attrs))) return nullptr;
    llvm::SmallVector<mlir::Type> types;
    if (mlir::failed(withCapturedDiagnostics([&] {
          return OpT::inferReturnTypes(state.getContext(), location, state.operands,
                                       state.attributes.getDictionary(state.getContext()),
                                       state.getRawProperties(), state.regions, types);
        })))
      return nullptr;
    state.addTypes(types);
    return finishOp(state);
  }
  template <typename OpT>
  mlir::Value create(mlir::ValueRange operands, llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::Operation *op = createOp<OpT>(operands, attrs);
    return op ? op->getResult(0) : mlir::Value();
  }
  /// For ops whose result type is not inferred (dnn.cast, dnn.resize).
  template <typename OpT>
  mlir::Value createTyped(mlir::Type resultType, mlir::ValueRange operands,
                          llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::OperationState state(location, OpT::getOperationName());
    state.addOperands(operands);
    if (mlir::failed(fillProperties<OpT>(state, attrs))) return {};
    state.addTypes(resultType);
    mlir::Operation *op = finishOp(state);
    return op ? op->getResult(0) : mlir::Value();
  }
  /// A dnn.constant holding `value`.
  mlir::Value constant(mlir::DenseElementsAttr value);

  // --- Attribute builders ---------------------------------------------------------
  mlir::NamedAttribute named(llvm::StringRef name, mlir::Attribute a);
  mlir::NamedAttribute i64s(llvm::StringRef name, llvm::ArrayRef<int64_t> v);
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t v);
  mlir::NamedAttribute f32(llvm::StringRef name, double v);
  mlir::NamedAttribute boolean(llvm::StringRef name, bool v);

private:
  template <typename OpT>
  mlir::LogicalResult fillProperties(mlir::OperationState &state,
                                     llvm::ArrayRef<mlir::NamedAttribute> attrs) {
    using Props = typename OpT::Properties;
    if constexpr (std::is_same_v<Props, mlir::EmptyProperties>) {
      if (!attrs.empty()) return error("internal error: attributes given to an op without any");
      return mlir::success();
    } else {
      Props &props = state.getOrAddProperties<Props>();
      auto dict = mlir::DictionaryAttr::get(state.getContext(), attrs);
      return withCapturedDiagnostics([&] {
        return OpT::setPropertiesFromAttr(props, dict, [&] { return mlir::emitError(location); });
      });
    }
  }
  /// Runs `fn`; diagnostics it emits are swallowed and, if it fails, re-emitted in
  /// the node's format.
  mlir::LogicalResult withCapturedDiagnostics(llvm::function_ref<mlir::LogicalResult()> fn);
  /// Creates the op, verifies it, and folds it if all its operands are constants.
  mlir::Operation *finishOp(mlir::OperationState &state);
  GraphValue *lookupInput(unsigned i);
  const onnx::AttributeProto *typedAttr(llvm::StringRef name, int type);

  ImportState &state;
  const onnx::NodeProto &node;
  std::string displayName;
  mlir::Location location;
  int64_t opsetVersion;
  bool failedFlag = false;
};

/// An op handler imports one node; it reports its own errors.
using OpHandler = mlir::LogicalResult (*)(NodeImporter &);
struct OpHandlerInfo {
  OpHandler fn = nullptr;
  unsigned minInputs = 1, maxInputs = 1;
  unsigned minOutputs = 1, maxOutputs = 1;
};
constexpr unsigned kVariadic = ~0u;
using HandlerTable = llvm::StringMap<OpHandlerInfo>;

/// The handlers of all supported ops (default ONNX domain), keyed by op type.
const HandlerTable &handlerTable();

void registerLinearOps(HandlerTable &t);
void registerElementwiseOps(HandlerTable &t);
void registerPoolingOps(HandlerTable &t);
void registerShapeOps(HandlerTable &t);
void registerDataMovementOps(HandlerTable &t);
void registerResizeOps(HandlerTable &t);
void registerQuantOps(HandlerTable &t);

} // namespace dnnopt::onnximport

#endif
