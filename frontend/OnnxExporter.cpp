//===- OnnxExporter.cpp - dnn IR (float) back to an ONNX model -------------===//
//
// Writes the float dnn ops as ONNX opset 13 nodes: constants become initializers,
// fused clamps become a Relu / Clip node after their op, the normalized attributes
// of the dnn ops are ONNX's own (DnnOps.td), so the mapping is one op to one node.
// Integer ops and the few float ops without an exporter are reported by name.
//
//===----------------------------------------------------------------------===//
#include "frontend/OnnxExporter.h"

#include "dialects/dnn/DnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <onnx/onnx_pb.h>

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace {

int onnxType(Type t) {
  if (t.isF32()) return onnx::TensorProto::FLOAT;
  if (t.isF64()) return onnx::TensorProto::DOUBLE;
  if (auto it = dyn_cast<IntegerType>(t)) {
    bool u = it.isUnsigned();
    switch (it.getWidth()) {
    case 1: return onnx::TensorProto::BOOL;
    case 8: return u ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
    case 16: return u ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
    case 32: return u ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
    case 64: return u ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
    }
  }
  return 0;
}

class Exporter {
public:
  explicit Exporter(onnx::GraphProto &g) : g(g) {}

  LogicalResult run(func::FuncOp func, std::string &error) {
    for (BlockArgument a : func.getArguments()) {
      auto name = func.getArgAttrOfType<StringAttr>(a.getArgNumber(), "dnn.name");
      names[a] = name ? name.str() : "input" + std::to_string(a.getArgNumber());
      if (failed(valueInfo(g.add_input(), names[a], a.getType(), error))) return failure();
    }
    for (Operation &op : func.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
          auto name = func.getResultAttrOfType<StringAttr>(i, "dnn.name");
          std::string out = name ? name.str() : "output" + std::to_string(i);
          node("Identity", {nameOf(v)}, out);
          if (failed(valueInfo(g.add_output(), out, v.getType(), error))) return failure();
        }
        break;
      }
      if (failed(exportOp(&op, error))) return failure();
    }
    return success();
  }

private:
  onnx::GraphProto &g;
  llvm::DenseMap<Value, std::string> names;
  int counter = 0;

  std::string fresh(const std::string &hint) { return hint + "_" + std::to_string(counter++); }
  const std::string &nameOf(Value v) { return names[v]; }

  LogicalResult valueInfo(onnx::ValueInfoProto *vi, const std::string &name, Type t,
                          std::string &error) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !onnxType(rt.getElementType())) {
      error = "value '" + name + "' has a type ONNX export does not support";
      return failure();
    }
    vi->set_name(name);
    auto *tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnxType(rt.getElementType()));
    for (int64_t d : rt.getShape()) tt->mutable_shape()->add_dim()->set_dim_value(d);
    return success();
  }

  onnx::NodeProto *node(const std::string &type, const std::vector<std::string> &inputs,
                        const std::string &output, const std::string &nodeName = "") {
    onnx::NodeProto *n = g.add_node();
    n->set_op_type(type);
    n->set_name(nodeName.empty() ? fresh(type) : nodeName);
    for (const std::string &i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }

  static void ints(onnx::NodeProto *n, const char *name, ArrayRef<int64_t> v) {
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void intAttr(onnx::NodeProto *n, const char *name, int64_t v) {
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void floatAttr(onnx::NodeProto *n, const char *name, float v) {
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }

  std::string scalarInit(float v) {
    onnx::TensorProto *t = g.add_initializer();
    t->set_name(fresh("c"));
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(v);
    return t->name();
  }
  std::string intsInit(ArrayRef<int64_t> v) {
    onnx::TensorProto *t = g.add_initializer();
    t->set_name(fresh("shape"));
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims((int64_t)v.size());
    for (int64_t x : v) t->add_int64_data(x);
    return t->name();
  }

  LogicalResult constant(dnn::ConstantOp c, std::string &error) {
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    auto type = cast<RankedTensorType>(c.getType());
    int dt = onnxType(type.getElementType());
    if (!dense || !dt) {
      error = "a constant of type " + std::to_string(dt) + " is not exportable";
      return failure();
    }
    onnx::TensorProto *t = g.add_initializer();
    t->set_name(fresh("w"));
    t->set_data_type(dt);
    for (int64_t d : type.getShape()) t->add_dims(d);
    std::string raw;
    size_t bytes = type.getElementType().isInteger(1) ? 1 : (type.getElementTypeBitWidth() + 7) / 8;
    if (dense.isSplat()) {
      ArrayRef<char> one = dense.getRawData();
      for (int64_t k = 0, n = type.getNumElements(); k < n; ++k) raw.append(one.data(), bytes);
    } else {
      ArrayRef<char> data = dense.getRawData();
      raw.assign(data.data(), data.size());
    }
    t->set_raw_data(raw);
    names[c.getResult()] = t->name();
    return success();
  }

  /// The op's ONNX node writing `out`, then its fused clamp as a Relu or Clip node.
  std::string withClamp(Operation *op, const std::string &out) {
    auto lo = op->getAttrOfType<FloatAttr>("clip_min");
    auto hi = op->getAttrOfType<FloatAttr>("clip_max");
    if (!lo && !hi) return out;
    std::string clamped = fresh("act");
    if (lo && !hi && lo.getValueAsDouble() == 0.0) {
      node("Relu", {out}, clamped);
    } else {
      node("Clip",
           {out, lo ? scalarInit((float)lo.getValueAsDouble()) : std::string(),
            hi ? scalarInit((float)hi.getValueAsDouble()) : std::string()},
           clamped);
    }
    return clamped;
  }

  LogicalResult exportOp(Operation *op, std::string &error) {
    if (auto c = dyn_cast<dnn::ConstantOp>(op)) return constant(c, error);
    std::vector<std::string> in;
    for (Value v : op->getOperands()) in.push_back(nameOf(v));
    std::string nodeName;
    if (auto loc = dyn_cast<NameLoc>(op->getLoc())) nodeName = loc.getName().str();
    if (!nodeName.empty()) nodeName += "_" + std::to_string(counter++);
    if (op->getNumResults() != 1) {
      error = "op '" + op->getName().getStringRef().str() + "' has no ONNX export";
      return failure();
    }
    std::string out = fresh("v");
    auto simple = [&](const char *type) { return node(type, in, out, nodeName); };
    bool ok = llvm::TypeSwitch<Operation *, bool>(op)
                  .Case<dnn::ConvOp>([&](dnn::ConvOp o) {
                    auto *n = simple("Conv");
                    ints(n, "kernel_shape", cast<RankedTensorType>(o.getWeight().getType()).getShape().drop_front(2));
                    ints(n, "strides", o.getStrides());
                    ints(n, "dilations", o.getDilations());
                    ints(n, "pads", o.getPads());
                    intAttr(n, "group", o.getGroup());
                    return true;
                  })
                  .Case<dnn::GemmOp>([&](dnn::GemmOp o) {
                    auto *n = simple("Gemm");
                    intAttr(n, "transA", o.getTransA());
                    intAttr(n, "transB", o.getTransB());
                    floatAttr(n, "alpha", o.getAlpha().convertToFloat());
                    floatAttr(n, "beta", o.getBeta().convertToFloat());
                    return true;
                  })
                  .Case<dnn::MatMulOp>([&](auto) { return simple("MatMul"), true; })
                  .Case<dnn::BatchNormOp>([&](dnn::BatchNormOp o) {
                    floatAttr(simple("BatchNormalization"), "epsilon", o.getEpsilon().convertToFloat());
                    return true;
                  })
                  .Case<dnn::AddOp>([&](auto) { return simple("Add"), true; })
                  .Case<dnn::SubOp>([&](auto) { return simple("Sub"), true; })
                  .Case<dnn::MulOp>([&](auto) { return simple("Mul"), true; })
                  .Case<dnn::DivOp>([&](auto) { return simple("Div"), true; })
                  .Case<dnn::ReluOp>([&](auto) { return simple("Relu"), true; })
                  .Case<dnn::SigmoidOp>([&](auto) { return simple("Sigmoid"), true; })
                  .Case<dnn::TanhOp>([&](auto) { return simple("Tanh"), true; })
                  .Case<dnn::IdentityOp, dnn::DropoutOp>([&](Operation *o) {
                    node("Identity", {in[0]}, out, nodeName);
                    return true;
                  })
                  .Case<dnn::ClipOp>([&](dnn::ClipOp o) {
                    node("Clip", {in[0], scalarInit(o.getMin().convertToFloat()), scalarInit(o.getMax().convertToFloat())},
                         out, nodeName);
                    return true;
                  })
                  .Case<dnn::LeakyReluOp>([&](dnn::LeakyReluOp o) {
                    floatAttr(simple("LeakyRelu"), "alpha", o.getAlpha().convertToFloat());
                    return true;
                  })
                  .Case<dnn::SoftmaxOp>([&](dnn::SoftmaxOp o) {
                    intAttr(simple("Softmax"), "axis", o.getAxis());
                    return true;
                  })
                  .Case<dnn::MaxPoolOp>([&](dnn::MaxPoolOp o) {
                    auto *n = simple("MaxPool");
                    ints(n, "kernel_shape", o.getKernelShape());
                    ints(n, "strides", o.getStrides());
                    ints(n, "pads", o.getPads());
                    ints(n, "dilations", o.getDilations());
                    intAttr(n, "ceil_mode", o.getCeilMode());
                    return true;
                  })
                  .Case<dnn::AvgPoolOp>([&](dnn::AvgPoolOp o) {
                    auto *n = simple("AveragePool");
                    ints(n, "kernel_shape", o.getKernelShape());
                    ints(n, "strides", o.getStrides());
                    ints(n, "pads", o.getPads());
                    intAttr(n, "ceil_mode", o.getCeilMode());
                    intAttr(n, "count_include_pad", o.getCountIncludePad());
                    return true;
                  })
                  .Case<dnn::GlobalAvgPoolOp>([&](auto) { return simple("GlobalAveragePool"), true; })
                  .Case<dnn::GlobalMaxPoolOp>([&](auto) { return simple("GlobalMaxPool"), true; })
                  .Case<dnn::ReshapeOp>([&](dnn::ReshapeOp o) {
                    node("Reshape", {in[0], intsInit(o.getShape())}, out, nodeName);
                    return true;
                  })
                  .Case<dnn::TransposeOp>([&](dnn::TransposeOp o) {
                    ints(simple("Transpose"), "perm", o.getPerm());
                    return true;
                  })
                  .Case<dnn::ConcatOp>([&](dnn::ConcatOp o) {
                    intAttr(simple("Concat"), "axis", o.getAxis());
                    return true;
                  })
                  .Case<dnn::PadOp>([&](dnn::PadOp o) {
                    if (o.getMode() != dnn::PadMode::constant) return false;
                    node("Pad", {in[0], intsInit(o.getPads()), scalarInit(o.getValue().convertToFloat())}, out,
                         nodeName);
                    return true;
                  })
                  .Default([](Operation *) { return false; });
    if (!ok) {
      error = "op '" + op->getName().getStringRef().str() + "'" +
              (nodeName.empty() ? std::string() : " (node '" + nodeName + "')") +
              " has no ONNX export (float networks of conv, gemm, matmul, batch norm, "
              "activations, pooling and layout ops export)";
      return failure();
    }
    names[op->getResult(0)] = withClamp(op, out);
    return success();
  }
};

} // namespace

LogicalResult dnnopt::exportOnnx(ModuleOp module, std::string &bytes, std::string &error) {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  if (funcs.size() != 1) {
    error = "expected one function, found " + std::to_string(funcs.size());
    return failure();
  }
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.set_producer_name("dnnopt");
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  onnx::GraphProto *g = model.mutable_graph();
  g->set_name(funcs.front().getSymName().str());
  Exporter e(*g);
  if (failed(e.run(funcs.front(), error))) return failure();
  if (!model.SerializeToString(&bytes)) {
    error = "the model does not serialize";
    return failure();
  }
  return success();
}
