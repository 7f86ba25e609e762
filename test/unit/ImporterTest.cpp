//===- ImporterTest.cpp - unit tests of the ONNX importer ------------------===//
//
// Models are built in C++ with the ONNX protobuf API, so each test states exactly
// the ONNX form it exercises (opset-dependent attributes vs inputs, folding of
// shape sub-graphs, external data, malformed input).
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <gtest/gtest.h>

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace {
onnx::ValueInfoProto valueInfo(const std::string &name, std::vector<std::string> dims,
                               int elemType = onnx::TensorProto::FLOAT) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto *t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(elemType);
  auto *shape = t->mutable_shape();
  for (const std::string &d : dims) {
    if (!d.empty() && (isdigit(d[0]) || d[0] == '-')) shape->add_dim()->set_dim_value(std::stoll(d));
    else shape->add_dim()->set_dim_param(d);
  }
  return v;
}

onnx::TensorProto floatTensor(const std::string &name, std::vector<int64_t> dims,
                              std::vector<float> values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float v : values) t.add_float_data(v);
  return t;
}

onnx::TensorProto intTensor(const std::string &name, std::vector<int64_t> dims,
                            std::vector<int64_t> values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

onnx::NodeProto *addNode(onnx::GraphProto &g, const std::string &op, std::vector<std::string> in,
                         std::vector<std::string> out, const std::string &name = "") {
  onnx::NodeProto *n = g.add_node();
  n->set_op_type(op);
  n->set_name(name.empty() ? op + "_" + std::to_string(g.node_size()) : name);
  for (auto &s : in) n->add_input(s);
  for (auto &s : out) n->add_output(s);
  return n;
}

void setFloat(onnx::NodeProto *n, const std::string &name, float f) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(f);
}

void setInts(onnx::NodeProto *n, const std::string &name, std::vector<int64_t> v) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

onnx::ModelProto model(int opset) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto *o = m.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  m.mutable_graph()->set_name("g");
  return m;
}

struct Importer : ::testing::Test {
  Importer() {
    dnnopt::loadImporterDialects(ctx);
    ctx.printOpOnDiagnostic(false);
  }
  /// Imports `m`; on failure returns null and leaves the diagnostics in `errors`.
  OwningOpRef<ModuleOp> import(const onnx::ModelProto &m, const std::string &baseDir = "",
                               const dnnopt::OnnxImportOptions &opts = {}) {
    return importBytes(m.SerializeAsString(), baseDir, opts);
  }
  OwningOpRef<ModuleOp> importBytes(const std::string &bytes, const std::string &baseDir = "",
                                    const dnnopt::OnnxImportOptions &opts = {}) {
    errors.clear();
    ScopedDiagnosticHandler h(&ctx, [&](Diagnostic &d) {
      errors += d.str() + "\n";
      return success();
    });
    auto module = dnnopt::importOnnxBytes(bytes, "test.onnx", baseDir, ctx, opts);
    if (module) {
      EXPECT_TRUE(succeeded(verify(*module))) << errors;
    }
    return module;
  }
  template <typename OpT> std::vector<OpT> ops(ModuleOp m) {
    std::vector<OpT> r;
    m.walk([&](OpT op) { r.push_back(op); });
    return r;
  }
  MLIRContext ctx;
  std::string errors;
};

std::vector<int64_t> shapeOf(Value v) {
  auto s = cast<ShapedType>(v.getType()).getShape();
  return {s.begin(), s.end()};
}
} // namespace

TEST_F(Importer, ClipBoundsFromAttributesBeforeOpset11) {
  onnx::ModelProto m = model(6);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"1", "4"});
  *g.add_output() = valueInfo("y", {"1", "4"});
  auto *n = addNode(g, "Clip", {"x"}, {"y"});
  setFloat(n, "min", 0.0f);
  setFloat(n, "max", 6.0f);
  auto module = import(m);
  ASSERT_TRUE(module) << errors;
  auto clips = ops<dnn::ClipOp>(*module);
  ASSERT_EQ(clips.size(), 1u);
  EXPECT_EQ(clips[0].getMin().convertToFloat(), 0.0f);
  EXPECT_EQ(clips[0].getMax().convertToFloat(), 6.0f);
}

TEST_F(Importer, ClipBoundsFromInputsSinceOpset11) {
  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"1", "4"});
  *g.add_output() = valueInfo("y", {"1", "4"});
  *g.add_initializer() = floatTensor("lo", {}, {-1.5f});
  addNode(g, "Clip", {"x", "lo", ""}, {"y"}); // max omitted: +inf
  auto module = import(m);
  ASSERT_TRUE(module) << errors;
  auto clips = ops<dnn::ClipOp>(*module);
  ASSERT_EQ(clips.size(), 1u);
  EXPECT_EQ(clips[0].getMin().convertToFloat(), -1.5f);
  EXPECT_TRUE(std::isinf(clips[0].getMax().convertToFloat()));
}

TEST_F(Importer, SliceClampsLikeOnnx) {
  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"2", "10"});
  *g.add_output() = valueInfo("y", {"2", "3"});
  *g.add_initializer() = intTensor("starts", {1}, {-3});
  *g.add_initializer() = intTensor("ends", {1}, {INT64_MAX});
  *g.add_initializer() = intTensor("axes", {1}, {-1});
  addNode(g, "Slice", {"x", "starts", "ends", "axes"}, {"y"});
  auto module = import(m);
  ASSERT_TRUE(module) << errors;
  auto slices = ops<dnn::SliceOp>(*module);
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(shapeOf(slices[0].getOutput()), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(slices[0].getStarts()[1], 7);
}

TEST_F(Importer, ShapeSubgraphFoldsIntoStaticReshape) {
  // The flatten chain PyTorch exports: Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape.
  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"N", "3", "4", "5"});
  *g.add_output() = valueInfo("y", {"N", "60"});
  *g.add_initializer() = intTensor("zero", {}, {0});
  *g.add_initializer() = intTensor("zero1", {1}, {0});
  *g.add_initializer() = intTensor("minus1", {1}, {-1});
  addNode(g, "Shape", {"x"}, {"s"});
  auto *gather = addNode(g, "Gather", {"s", "zero"}, {"b"});
  (void)gather;
  addNode(g, "Unsqueeze", {"b", "zero1"}, {"b1"});
  auto *cat = addNode(g, "Concat", {"b1", "minus1"}, {"shape"});
  auto *a = cat->add_attribute();
  a->set_name("axis");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(0);
  addNode(g, "Reshape", {"x", "shape"}, {"y"});
  auto module = import(m);
  ASSERT_TRUE(module) << errors;
  auto reshapes = ops<dnn::ReshapeOp>(*module);
  ASSERT_EQ(reshapes.size(), 1u);
  EXPECT_EQ(shapeOf(reshapes[0].getOutput()), (std::vector<int64_t>{1, 60}));
  EXPECT_TRUE(ops<dnn::GatherOp>(*module).empty());
  EXPECT_TRUE(ops<dnn::ConcatOp>(*module).empty());
}

TEST_F(Importer, InputShapeOptionOverridesSymbolicDims) {
  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"N", "T"});
  *g.add_output() = valueInfo("y", {"N", "T"});
  addNode(g, "Relu", {"x"}, {"y"});
  EXPECT_FALSE(import(m));
  EXPECT_NE(errors.find("--input-shape"), std::string::npos) << errors;

  dnnopt::OnnxImportOptions opts;
  ASSERT_EQ(dnnopt::parseInputShapeOption("x:2x7", opts), "");
  auto module = import(m, "", opts);
  ASSERT_TRUE(module) << errors;
  auto relus = ops<dnn::ReluOp>(*module);
  ASSERT_EQ(relus.size(), 1u);
  EXPECT_EQ(shapeOf(relus[0].getOutput()), (std::vector<int64_t>{2, 7}));
  EXPECT_NE(dnnopt::parseInputShapeOption("x:2xq", opts), "");
}

TEST_F(Importer, UnknownOperatorNamesNodeAndOp) {
  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"1", "4"});
  *g.add_output() = valueInfo("y", {"1", "4"});
  addNode(g, "FancyOp", {"x"}, {"y"}, "my_node");
  EXPECT_FALSE(import(m));
  EXPECT_NE(errors.find("test.onnx: node 'my_node' (FancyOp): unsupported operator FancyOp"),
            std::string::npos)
      << errors;
}

TEST_F(Importer, ShapeMismatchIsALocatedError) {
  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("a", {"2", "3"});
  *g.add_input() = valueInfo("b", {"4", "3"});
  *g.add_output() = valueInfo("y", {"2", "3"});
  addNode(g, "Add", {"a", "b"}, {"y"}, "the_add");
  EXPECT_FALSE(import(m));
  EXPECT_NE(errors.find("node 'the_add' (Add)"), std::string::npos) << errors;
  EXPECT_NE(errors.find("broadcast"), std::string::npos) << errors;
}

TEST_F(Importer, MissingInitializerAndCycleAreErrors) {
  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"1", "4"});
  *g.add_output() = valueInfo("y", {"1", "4"});
  addNode(g, "Add", {"x", "w"}, {"y"}, "needs_w");
  EXPECT_FALSE(import(m));
  EXPECT_NE(errors.find("'w'"), std::string::npos) << errors;

  onnx::ModelProto c = model(13);
  auto &cg = *c.mutable_graph();
  *cg.add_input() = valueInfo("x", {"1", "4"});
  *cg.add_output() = valueInfo("y", {"1", "4"});
  addNode(cg, "Add", {"x", "b"}, {"a"}, "n1");
  addNode(cg, "Relu", {"a"}, {"b"}, "n2");
  addNode(cg, "Relu", {"a"}, {"y"}, "n3");
  EXPECT_FALSE(import(c));
  EXPECT_FALSE(errors.empty());
}

TEST_F(Importer, GarbageAndTruncatedFilesAreRejected) {
  EXPECT_FALSE(importBytes(std::string("\x12\x34\xff\xff\xff\xff\x0f garbage", 16)));
  EXPECT_FALSE(errors.empty());
  EXPECT_FALSE(importBytes(""));
  EXPECT_FALSE(errors.empty());

  onnx::ModelProto m = model(13);
  auto &g = *m.mutable_graph();
  *g.add_input() = valueInfo("x", {"1", "4"});
  *g.add_output() = valueInfo("y", {"1", "4"});
  *g.add_initializer() = floatTensor("w", {1, 4}, {1, 2, 3, 4});
  addNode(g, "Add", {"x", "w"}, {"y"});
  std::string bytes = m.SerializeAsString();
  for (size_t cut : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 3}) {
    EXPECT_FALSE(importBytes(bytes.substr(0, cut))) << "cut at " << cut;
    EXPECT_FALSE(errors.empty());
  }
}

TEST_F(Importer, ExternalDataIsReadRelativeToTheModel) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dnnopt-extdata", dir));
  {
    std::ofstream bin(std::string(dir) + "/weights.bin", std::ios::binary);
    float w[4] = {1.5f, -2.0f, 3.25f, 0.5f};
    float pad = 0;
    bin.write(reinterpret_cast<char *>(&pad), sizeof pad); // offset 4
    bin.write(reinterpret_cast<char *>(w), sizeof w);
  }
  auto makeModel = [&](const std::string &location, int64_t length) {
    onnx::ModelProto m = model(13);
    auto &g = *m.mutable_graph();
    *g.add_input() = valueInfo("x", {"1", "4"});
    *g.add_output() = valueInfo("y", {"1", "4"});
    onnx::TensorProto *t = g.add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(1);
    t->add_dims(4);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto kv = [&](const std::string &k, const std::string &v) {
      auto *e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    kv("location", location);
    kv("offset", "4");
    kv("length", std::to_string(length));
    addNode(g, "Add", {"x", "w"}, {"y"});
    return m;
  };
  auto module = import(makeModel("weights.bin", 16), std::string(dir));
  ASSERT_TRUE(module) << errors;
  auto consts = ops<dnn::ConstantOp>(*module);
  ASSERT_EQ(consts.size(), 1u);
  auto values = cast<DenseElementsAttr>(consts[0].getValue()).getValues<float>();
  EXPECT_EQ(std::vector<float>(values.begin(), values.end()),
            (std::vector<float>{1.5f, -2.0f, 3.25f, 0.5f}));

  EXPECT_FALSE(import(makeModel("missing.bin", 16), std::string(dir)));
  EXPECT_NE(errors.find("missing.bin"), std::string::npos) << errors;
  EXPECT_FALSE(import(makeModel("weights.bin", 64), std::string(dir)));
  EXPECT_FALSE(errors.empty());
  EXPECT_FALSE(import(makeModel("../etc/passwd", 16), std::string(dir)));
  EXPECT_FALSE(errors.empty());
  llvm::sys::fs::remove_directories(dir);
}
