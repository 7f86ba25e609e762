//===- OnnxImporter.cpp - ONNX ModelProto to a func of dnn ops ------------===//
//
// The graph walk: parses the model, types the graph inputs, decodes initializers,
// orders the nodes topologically, dispatches each node to its op handler, checks
// the results against the model's declared types, and builds `func.func`.
//
//===----------------------------------------------------------------------===//
#include "frontend/OnnxImporter.h"

#include "dialects/dnn/DnnDialect.h"
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxNode.h"
#include "frontend/OnnxTensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <limits>
#include <queue>

using namespace mlir;

namespace dnnopt {
namespace {
using namespace onnximport;

/// The newest default-domain opset whose semantics the handlers know.
constexpr int64_t kMaxOpset = 21;

bool isDefaultDomain(const std::string &domain) { return domain.empty() || domain == "ai.onnx"; }

std::string shapeText(ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

/// "x:AxBxC" with one letter per axis, for --input-shape hints.
std::string shapeHint(const std::string &name, int rank) {
  std::string s = name + ":";
  for (int i = 0; i < rank; ++i) s += (i ? "x" : "") + std::string(1, char('A' + std::min(i, 25)));
  return s;
}

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const std::string &fileName, const std::string &baseDir,
                const OnnxImportOptions &options)
      : ctx(ctx), state(&ctx, fileName), options(options) {
    state.external.baseDir = baseDir;
  }

  OwningOpRef<ModuleOp> run(const onnx::ModelProto &model);

private:
  LogicalResult graphError(const Twine &msg) {
    emitError(FileLineColLoc::get(&ctx, state.fileName, 0, 0)) << state.fileName << ": " << msg;
    return failure();
  }
  Location nodeLoc(StringRef name) {
    return NameLoc::get(StringAttr::get(&ctx, name),
                        FileLineColLoc::get(&ctx, state.fileName, 0, 0));
  }
  std::string nodeName(int index) const {
    const onnx::NodeProto &n = graph->node(index);
    return n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
  }
  LogicalResult nodeError(int index, const Twine &msg) {
    if (index < 0) return graphError(msg);
    std::string name = nodeName(index);
    emitError(nodeLoc(name)) << state.fileName << ": node '" << name << "' ("
                             << graph->node(index).op_type() << "): " << msg;
    return failure();
  }

  LogicalResult readOpsets(const onnx::ModelProto &model);
  LogicalResult importInitializers();
  LogicalResult importInputs(func::FuncOp func);
  FailureOr<RankedTensorType> graphInputType(const onnx::ValueInfoProto &vi, bool isFirst);
  LogicalResult checkInputShapeOptions();
  FailureOr<std::vector<int>> topologicalOrder();
  LogicalResult importNode(int index);
  LogicalResult checkDeclared(const onnx::ValueInfoProto &vi, RankedTensorType actual, int node);
  LogicalResult importOutputs(func::FuncOp func);
  void eraseDeadOps(func::FuncOp func);

  MLIRContext &ctx;
  ImportState state;
  const OnnxImportOptions &options;
  const onnx::GraphProto *graph = nullptr;
  int64_t opset = 0;
  std::map<std::string, int64_t> domainVersions;
  llvm::StringMap<const onnx::ValueInfoProto *> declared;
  std::string firstInputName;
  llvm::StringSet<> argumentNames;
  bool shapesOverridden = false;
  /// Index of the node producing each value.
  llvm::StringMap<int> producer;
};

LogicalResult GraphImporter::readOpsets(const onnx::ModelProto &model) {
  for (const auto &o : model.opset_import())
    domainVersions[isDefaultDomain(o.domain()) ? "" : o.domain()] = o.version();
  auto it = domainVersions.find("");
  if (it == domainVersions.end()) return success(); // only a problem if a node needs it
  opset = it->second;
  if (opset < 1) return graphError("invalid default opset version " + Twine(opset));
  if (opset > kMaxOpset)
    return graphError("unsupported opset version " + Twine(opset) + " (dnnopt supports up to " +
                      Twine(kMaxOpset) + ")");
  return success();
}

LogicalResult GraphImporter::importInitializers() {
  if (graph->sparse_initializer_size())
    return graphError("unsupported sparse initializer '" +
                      graph->sparse_initializer(0).values().name() + "'");
  for (const onnx::TensorProto &t : graph->initializer()) {
    if (t.name().empty()) return graphError("an initializer has no name");
    if (state.values.count(t.name()))
      return graphError("initializer '" + t.name() + "' is defined twice");
    std::string err;
    DenseElementsAttr value = decodeTensor(t, state.external, &ctx, err);
    if (!value) return graphError(err);
    GraphValue gv;
    gv.constant = value;
    gv.constantLoc = nodeLoc(t.name());
    state.values[t.name()] = gv;
  }
  return success();
}

FailureOr<RankedTensorType> GraphImporter::graphInputType(const onnx::ValueInfoProto &vi,
                                                          bool isFirst) {
  const std::string what = "graph input '" + vi.name() + "'";
  if (!vi.has_type()) return graphError(what + " has no type");
  if (!vi.type().has_tensor_type()) return graphError("unsupported non-tensor type of " + what);
  const auto &tt = vi.type().tensor_type();
  Type elt = elementTypeFor(tt.elem_type(), &ctx);
  if (!elt)
    return graphError("unsupported element type " + dataTypeName(tt.elem_type()) + " of " + what);

  auto opt = options.inputShapes.find(vi.name());
  if (opt == options.inputShapes.end() && isFirst) opt = options.inputShapes.find("");
  SmallVector<int64_t> dims;
  if (opt != options.inputShapes.end()) {
    dims.assign(opt->second.begin(), opt->second.end());
    if (tt.has_shape() && tt.shape().dim_size() != (int)dims.size())
      return graphError("--input-shape gives " + what + " rank " + Twine(dims.size()) +
                        ", the model declares rank " + Twine(tt.shape().dim_size()));
  } else {
    if (!tt.has_shape())
      return graphError(what + " has no shape; give it one with --input-shape " + vi.name() +
                        ":AxBxC");
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto &d = tt.shape().dim(i);
      if (d.has_dim_value()) {
        if (d.dim_value() < 0)
          return graphError(what + " has negative dimension " + Twine(d.dim_value()));
        dims.push_back(d.dim_value());
      } else if (i == 0) {
        dims.push_back(1); // symbolic batch dimension
      } else {
        std::string sym = d.has_dim_param() ? "'" + d.dim_param() + "'" : "?";
        return graphError(what + " has symbolic dimension " + sym + " at axis " + Twine(i) +
                          "; give it a static shape with --input-shape " +
                          shapeHint(vi.name(), tt.shape().dim_size()));
      }
    }
  }
  if (checkedElementCount(dims) < 0)
    return graphError(what + " has invalid or too large shape " + shapeText(dims));
  return RankedTensorType::get(dims, elt);
}

LogicalResult GraphImporter::checkInputShapeOptions() {
  for (const auto &[name, dims] : options.inputShapes) {
    (void)dims;
    if (name.empty()) {
      if (firstInputName.empty())
        return graphError("--input-shape without a name, but the graph has no inputs");
      continue;
    }
    if (!argumentNames.contains(name))
      return graphError("--input-shape names '" + name + "', which is not a graph input");
  }
  return success();
}

LogicalResult GraphImporter::importInputs(func::FuncOp func) {
  Block &entry = func.getBody().front();
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  for (const onnx::ValueInfoProto &vi : graph->input()) {
    if (vi.name().empty()) return graphError("a graph input has no name");
    auto it = state.values.find(vi.name());
    if (it != state.values.end()) {
      if (it->second.constant && !it->second.value) continue; // initializer listed as input
      return graphError("graph input '" + vi.name() + "' is declared twice");
    }
    argumentNames.insert(vi.name());
    bool isFirst = firstInputName.empty();
    if (isFirst) firstInputName = vi.name();
    auto type = graphInputType(vi, isFirst);
    if (failed(type)) return failure();
    GraphValue gv;
    gv.value = entry.addArgument(*type, nodeLoc(vi.name()));
    state.values[vi.name()] = gv;
    argTypes.push_back(*type);
    argAttrs.push_back(DictionaryAttr::get(
        &ctx,
        {NamedAttribute(StringAttr::get(&ctx, "dnn.name"), StringAttr::get(&ctx, vi.name()))}));
  }
  func.setFunctionType(FunctionType::get(&ctx, argTypes, {}));
  func.setAllArgAttrs(argAttrs);
  return checkInputShapeOptions();
}

FailureOr<std::vector<int>> GraphImporter::topologicalOrder() {
  int n = graph->node_size();
  for (int i = 0; i < n; ++i)
    for (const std::string &out : graph->node(i).output()) {
      if (out.empty()) continue;
      if (state.values.count(out) || producer.count(out))
        return nodeError(i, "output '" + out + "' is already defined elsewhere in the graph");
      producer[out] = i;
    }
  std::vector<std::vector<int>> users(n);
  std::vector<int> pending(n, 0);
  for (int i = 0; i < n; ++i)
    for (const std::string &in : graph->node(i).input()) {
      if (in.empty()) continue;
      state.usedNames.insert(in);
      auto p = producer.find(in);
      if (p != producer.end()) {
        users[p->second].push_back(i);
        ++pending[i];
      } else if (!state.values.count(in)) {
        return nodeError(i, "input '" + in +
                                "' is not defined by any node, graph input or initializer");
      }
    }
  // Kahn's algorithm, preferring the model's own order.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (!pending[i]) ready.push(i);
  std::vector<int> order;
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0) ready.push(u);
  }
  if ((int)order.size() == n) return order;
  for (int i = 0; i < n; ++i) {
    if (!pending[i]) continue;
    for (const std::string &in : graph->node(i).input()) {
      auto p = producer.find(in);
      if (!in.empty() && p != producer.end() && pending[p->second])
        return nodeError(i, "input '" + in + "' is part of a cycle in the graph");
    }
  }
  return graphError("the graph has a cycle");
}

LogicalResult GraphImporter::importNode(int index) {
  const onnx::NodeProto &node = graph->node(index);
  std::string name = nodeName(index);
  Location loc = nodeLoc(name);
  std::string domain = isDefaultDomain(node.domain()) ? "" : node.domain();
  int64_t version = domainVersions.count(domain) ? domainVersions[domain] : 0;
  NodeImporter n(state, node, name, loc, version);
  auto unsupportedOp = [&] {
    return n.unsupported("operator " + node.op_type() + " (domain '" + node.domain() + "', opset " +
                         Twine(version) + ")");
  };
  if (!domain.empty()) return unsupportedOp();
  if (opset == 0) return n.error("the model imports no version of the default ONNX operator set");
  const HandlerTable &table = handlerTable();
  auto it = table.find(node.op_type());
  if (it == table.end()) return unsupportedOp();
  const OpHandlerInfo &info = it->second;
  unsigned nIn = node.input_size(), nOut = node.output_size();
  if (nIn < info.minInputs)
    return n.error("expects at least " + Twine(info.minInputs) + " inputs, got " + Twine(nIn));
  if (nIn > info.maxInputs)
    return n.error("expects at most " + Twine(info.maxInputs) + " inputs, got " + Twine(nIn));
  if (nOut < info.minOutputs)
    return n.error("expects at least " + Twine(info.minOutputs) + " outputs, got " + Twine(nOut));
  if (nOut > info.maxOutputs)
    return n.error("expects at most " + Twine(info.maxOutputs) + " outputs, got " + Twine(nOut));

  if (failed(info.fn(n)) || n.hasFailed()) return failure();
  for (unsigned i = 0; i < nOut; ++i) {
    if (!n.outputSet(i)) {
      if (n.outputUsed(i))
        return n.unsupported("output #" + Twine(i) + " ('" + node.output(i) + "')");
      continue;
    }
    const std::string &out = node.output(i);
    if (out.empty()) continue;
    auto d = declared.find(out);
    if (d != declared.end() && failed(checkDeclared(*d->second, state.values[out].type(), index)))
      return failure();
  }
  return success();
}

LogicalResult GraphImporter::checkDeclared(const onnx::ValueInfoProto &vi, RankedTensorType actual,
                                           int node) {
  if (!actual || !vi.has_type() || !vi.type().has_tensor_type()) return success();
  const auto &tt = vi.type().tensor_type();
  if (tt.elem_type() != 0) {
    Type elt = elementTypeFor(tt.elem_type(), &ctx);
    if (elt && elt != actual.getElementType())
      return nodeError(node, "value '" + vi.name() + "' has element type " +
                                 dataTypeName(tt.elem_type()) + " in the model, the import gives " +
                                 typeText(actual.getElementType()));
  }
  if (!tt.has_shape()) return success();
  bool mismatch = tt.shape().dim_size() != actual.getRank();
  SmallVector<std::string> dims;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto &d = tt.shape().dim(i);
    dims.push_back(d.has_dim_value()   ? std::to_string(d.dim_value())
                   : d.has_dim_param() ? d.dim_param()
                                       : "?");
    if (!mismatch && d.has_dim_value() && !shapesOverridden &&
        d.dim_value() != actual.getDimSize(i))
      mismatch = true;
  }
  if (!mismatch) return success();
  return nodeError(node, "value '" + vi.name() + "' has shape " + shapeText(actual.getShape()) +
                             ", but the model declares [" + llvm::join(dims, ",") + "]");
}

LogicalResult GraphImporter::importOutputs(func::FuncOp func) {
  if (graph->output_size() == 0) return graphError("the graph has no outputs");
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &vi : graph->output()) {
    auto it = state.values.find(vi.name());
    if (vi.name().empty() || it == state.values.end())
      return graphError("graph output '" + vi.name() + "' is not produced by any node");
    if (vi.has_type() && !vi.type().has_tensor_type())
      return graphError("unsupported non-tensor type of graph output '" + vi.name() + "'");
    auto p = producer.find(vi.name());
    if (failed(checkDeclared(vi, it->second.type(), p == producer.end() ? -1 : p->second)))
      return failure();
    results.push_back(state.materialize(it->second));
  }
  func::ReturnOp::create(state.builder, nodeLoc("return"), results);
  func.setFunctionType(
      FunctionType::get(&ctx, func.getArgumentTypes(), ValueRange(results).getTypes()));
  SmallVector<DictionaryAttr> resultAttrs;
  for (const onnx::ValueInfoProto &vi : graph->output())
    resultAttrs.push_back(DictionaryAttr::get(
        &ctx,
        {NamedAttribute(StringAttr::get(&ctx, "dnn.name"), StringAttr::get(&ctx, vi.name()))}));
  func.setAllResultAttrs(resultAttrs);
  return success();
}

void GraphImporter::eraseDeadOps(func::FuncOp func) {
  Block &body = func.getBody().front();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (op.use_empty() && !op.hasTrait<OpTrait::IsTerminator>() && isMemoryEffectFree(&op))
      op.erase();
}

OwningOpRef<ModuleOp> GraphImporter::run(const onnx::ModelProto &model) {
  if (!model.has_graph()) {
    (void)graphError("the model has no graph (not an ONNX model?)");
    return nullptr;
  }
  graph = &model.graph();
  if (failed(readOpsets(model))) return nullptr;

  Location fileLoc = FileLineColLoc::get(&ctx, state.fileName, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  (*module)->setAttr("dnn.source", StringAttr::get(&ctx, state.fileName));
  (*module)->setAttr("dnn.opset", IntegerAttr::get(IntegerType::get(&ctx, 64), opset));
  OpBuilder &b = state.builder;
  b.setInsertionPointToEnd(module->getBody());
  std::string funcName = options.funcName.empty() ? "main" : options.funcName;
  auto func = func::FuncOp::create(b, fileLoc, funcName, FunctionType::get(&ctx, {}, {}));
  b.setInsertionPointToEnd(func.addEntryBlock());

  shapesOverridden = !options.inputShapes.empty();
  for (const auto &vi : graph->value_info()) declared[vi.name()] = &vi;
  for (const auto &vi : graph->output()) {
    declared[vi.name()] = &vi;
    state.usedNames.insert(vi.name());
  }
  if (failed(importInitializers()) || failed(importInputs(func))) return nullptr;
  auto order = topologicalOrder();
  if (failed(order)) return nullptr;
  for (int index : *order)
    if (failed(importNode(index))) return nullptr;
  if (failed(importOutputs(func))) return nullptr;
  eraseDeadOps(func);
  return module;
}
} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

std::string parseInputShapeOption(const std::string &text, OnnxImportOptions &options) {
  size_t colon = text.rfind(':');
  std::string name = colon == std::string::npos ? "" : text.substr(0, colon);
  llvm::StringRef dimsText =
      colon == std::string::npos ? llvm::StringRef(text) : llvm::StringRef(text).substr(colon + 1);
  if (dimsText.empty()) return "expected a shape like 1x3x32x32 after the input name";
  SmallVector<llvm::StringRef> parts;
  dimsText.split(parts, 'x');
  std::vector<int64_t> dims;
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 1)
      return "invalid dimension '" + p.str() + "' (expected positive integers separated by 'x')";
    dims.push_back(d);
  }
  if (checkedElementCount(dims) < 0) return "shape is too large";
  options.inputShapes[name] = dims;
  return "";
}

void loadImporterDialects(MLIRContext &ctx) {
  ctx.loadDialect<dnn::DnnDialect, func::FuncDialect>();
}

namespace {
/// Parses and imports a serialized ModelProto held in `data[0, size)`.
OwningOpRef<ModuleOp> importSerialized(const char *data, size_t size,
                                       const std::string &displayName,
                                       const std::string &baseDir, MLIRContext &ctx,
                                       const OnnxImportOptions &options) {
  loadImporterDialects(ctx);
  Location fileLoc = FileLineColLoc::get(&ctx, displayName, 0, 0);
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    emitError(fileLoc) << displayName
                       << ": models over 2 GB must keep their weights in external data files";
    return nullptr;
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, static_cast<int>(size))) {
    emitError(fileLoc) << displayName << ": not a valid ONNX model (the protobuf does not parse; "
                       << "truncated or corrupt file?)";
    return nullptr;
  }
  GraphImporter importer(ctx, displayName, baseDir, options);
  return importer.run(model);
}
} // namespace

OwningOpRef<ModuleOp> importOnnxBytes(const std::string &bytes, const std::string &displayName,
                                      const std::string &baseDir, MLIRContext &ctx,
                                      const OnnxImportOptions &options) {
  return importSerialized(bytes.data(), bytes.size(), displayName, baseDir, ctx, options);
}

OwningOpRef<ModuleOp> importOnnxFile(const std::string &path, MLIRContext &ctx,
                                     const OnnxImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(&ctx, path, 0, 0))
        << path << ": cannot read the file: " << buffer.getError().message();
    return nullptr;
  }
  std::string baseDir = llvm::sys::path::parent_path(path).str();
  if (baseDir.empty()) baseDir = ".";
  return importSerialized((*buffer)->getBufferStart(), (*buffer)->getBufferSize(), path, baseDir,
                          ctx, options);
}

} // namespace dnnopt
