//===- FromIRTest.cpp - IR -> graph -> IR against the reference engine ----===//
#include "GradCheck.h"

#include "dialects/dnn/DnnOps.h"
#include "engine/Interpreter.h"
#include "passes/search/FromIR.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::search;
using namespace dnnopt::search::test;

namespace {

const char *kTcnLike = R"mlir(
func.func @main(%x: tensor<1x2x16xf32> {dnn.name = "sig"}) -> tensor<1x3xf32> {
  %w = dnn.constant dense<0.1> : tensor<4x2x3xf32>
  %b = dnn.constant dense<0.0> : tensor<4xf32>
  %c = dnn.conv %x, %w, %b {dilations = array<i64: 2>, pads = array<i64: 4, 0>, strides = array<i64: 1>} : (tensor<1x2x16xf32>, tensor<4x2x3xf32>, tensor<4xf32>) -> tensor<1x4x16xf32> loc("/conv1/Conv")
  %g = dnn.constant dense<1.0> : tensor<4xf32>
  %be = dnn.constant dense<0.0> : tensor<4xf32>
  %m = dnn.constant dense<0.0> : tensor<4xf32>
  %v = dnn.constant dense<1.0> : tensor<4xf32>
  %bn = dnn.batch_norm %c, %g, %be, %m, %v {epsilon = 1.0e-5 : f32, clip_min = 0.0 : f32} : (tensor<1x4x16xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x16xf32> loc("/bn1/BatchNormalization")
  %p = dnn.avg_pool %bn {kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x4x16xf32>) -> tensor<1x4x8xf32>
  %mp = dnn.max_pool %p {kernel_shape = array<i64: 3>, strides = array<i64: 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1>} : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %s = dnn.constant dense<0.5> : tensor<1x4x1xf32>
  %a = dnn.mul %mp, %s : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %r = dnn.reshape %a {shape = array<i64: 1, 32>} : (tensor<1x4x8xf32>) -> tensor<1x32xf32>
  %fw = dnn.constant dense<0.1> : tensor<3x32xf32>
  %fb = dnn.constant dense<0.0> : tensor<3xf32>
  %y = dnn.gemm %r, %fw, %fb {trans_b = true} : (tensor<1x32xf32>, tensor<3x32xf32>, tensor<3xf32>) -> tensor<1x3xf32> loc("/fc/Gemm")
  %t = dnn.tanh %y : tensor<1x3xf32>
  %sm = dnn.softmax %t {axis = 1 : i64} : tensor<1x3xf32>
  return %sm : tensor<1x3xf32>
}
)mlir";

const char *kCnn = R"mlir(
func.func @main(%x: tensor<1x3x6x6xf32>) -> tensor<1x6xf32> {
  %w = dnn.constant dense<0.1> : tensor<3x1x3x3xf32>
  %c = dnn.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, group = 3 : i64} : (tensor<1x3x6x6xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x3x3xf32>
  %pd = dnn.pad %c {pads = array<i64: 0, 0, 1, 0, 0, 0, 0, 1>} : (tensor<1x3x3x3xf32>) -> tensor<1x3x4x4xf32>
  %tr = dnn.transpose %pd {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %cat = dnn.concat %pd, %tr {axis = 1 : i64} : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x6x4x4xf32>
  %gp = dnn.global_max_pool %cat : (tensor<1x6x4x4xf32>) -> tensor<1x6x1x1xf32>
  %ga = dnn.global_avg_pool %cat : (tensor<1x6x4x4xf32>) -> tensor<1x6x1x1xf32>
  %sum = dnn.add %gp, %ga : (tensor<1x6x1x1xf32>, tensor<1x6x1x1xf32>) -> tensor<1x6x1x1xf32>
  %r = dnn.reshape %sum {shape = array<i64: 1, 6>} : (tensor<1x6x1x1xf32>) -> tensor<1x6xf32>
  %mw = dnn.constant dense<0.1> : tensor<6x6xf32>
  %mm = dnn.matmul %r, %mw {clip_min = -1.0 : f32, clip_max = 1.0 : f32} : (tensor<1x6xf32>, tensor<6x6xf32>) -> tensor<1x6xf32>
  %lr = dnn.leaky_relu %mm {alpha = 0.2 : f32} : tensor<1x6xf32>
  return %lr : tensor<1x6xf32>
}
)mlir";

struct FromIR : ::testing::Test {
  FromIR() {
    ctx.loadDialect<dnn::DnnDialect, func::FuncDialect>();
    ctx.printOpOnDiagnostic(false);
  }
  func::FuncOp parse(const char *ir) {
    module = parseSourceString<ModuleOp>(ir, &ctx);
    EXPECT_TRUE(module && succeeded(verify(*module)));
    return module ? *module->getOps<func::FuncOp>().begin() : func::FuncOp();
  }
  /// Gives every constant random values (positive for BatchNorm variances).
  void randomizeConstants(func::FuncOp f) {
    uint64_t seed = 100;
    f.walk([&](dnn::ConstantOp c) {
      auto type = cast<RankedTensorType>(c.getType());
      Shape s(type.getShape().begin(), type.getShape().end());
      bool var = llvm::any_of(c->getUses(), [](OpOperand &u) {
        return isa<dnn::BatchNormOp>(u.getOwner()) && u.getOperandNumber() == 4;
      });
      Tensor t = randomTensor(s, seed++, var ? 0.5f : -1.0f, var ? 2.0f : 1.0f);
      c.setValueAttr(DenseElementsAttr::get(type, llvm::ArrayRef<float>(t.data)));
    });
  }
  /// Graph forward (inference) on `x` [N, ...] against engine::runFunction per sample.
  void compareWithEngine(func::FuncOp f, IRGraph &g, const Tensor &x) {
    std::string err;
    const Tensor *ins[] = {&x};
    ASSERT_TRUE(succeeded(g.graph.forward(ins, false, err))) << err;
    const Tensor &y = g.graph.data(g.graph.outputs()[0]);
    int64_t n = x.shape[0], per = x.numel() / n, outPer = y.numel() / n;
    for (int64_t s = 0; s < n; ++s) {
      engine::Tensor in(engine::DType::F32, {1});
      in.shape.assign(x.shape.begin(), x.shape.end());
      in.shape[0] = 1;
      in.f.assign(x.data.begin() + s * per, x.data.begin() + (s + 1) * per);
      auto ref = engine::runFunction(f, {in}, err);
      ASSERT_TRUE(succeeded(ref)) << err;
      for (int64_t k = 0; k < outPer; ++k)
        EXPECT_NEAR(y[s * outPer + k], (*ref)[0].f[k], 1e-5) << "sample " << s << " element " << k;
    }
  }
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};

} // namespace

TEST_F(FromIR, ForwardMatchesEngineForBatch1AndBatch3) {
  for (const char *ir : {kTcnLike, kCnn}) {
    func::FuncOp f = parse(ir);
    ASSERT_TRUE(f);
    randomizeConstants(f);
    std::string err;
    auto g = buildGraph(f, {}, err);
    ASSERT_TRUE(succeeded(g)) << err;
    Shape in{1};
    in.insert(in.end(), (*g)->inputSamples[0].begin(), (*g)->inputSamples[0].end());
    compareWithEngine(f, **g, randomTensor(in, 1));
    in[0] = 3;
    compareWithEngine(f, **g, randomTensor(in, 2));
  }
}

TEST_F(FromIR, ParamsBuffersAndNames) {
  func::FuncOp f = parse(kTcnLike);
  std::string err;
  auto g = buildGraph(f, {}, err);
  ASSERT_TRUE(succeeded(g)) << err;
  Graph &gr = (*g)->graph;
  EXPECT_EQ((*g)->inputNames[0], "sig");
  EXPECT_EQ((*g)->inputSamples[0], (Shape{2, 16}));
  EXPECT_EQ((*g)->outputSamples[0], (Shape{3}));
  // conv w, b; bn scale, bias; fc w, b are trainable; bn mean / var are buffers; the
  // mul's constant stays a constant.
  EXPECT_EQ(gr.params().size(), 6u);
  EXPECT_NE(gr.find("/conv1/Conv.weight"), -1);
  EXPECT_NE(gr.find("/bn1/BatchNormalization.scale"), -1);
  EXPECT_EQ(gr.value(gr.find("/bn1/BatchNormalization.mean")).kind, ValueKind::Buffer);
  EXPECT_EQ(gr.value(gr.find("/bn1/BatchNormalization.var")).kind, ValueKind::Buffer);
  // The conv node is reachable from the IR op, and its weight is operand 1.
  Operation *conv = nullptr;
  f.walk([&](dnn::ConvOp c) { conv = c; });
  NodeId n = (*g)->nodeOf.lookup(conv);
  EXPECT_EQ(gr.node(n).inputs[1], (*g)->operandValue(conv, 1));
  EXPECT_EQ(gr.node(n).op->kind(), "conv");
  FromIROptions frozen;
  frozen.trainable = false;
  auto h = buildGraph(f, frozen, err);
  ASSERT_TRUE(succeeded(h)) << err;
  EXPECT_TRUE((*h)->graph.params().empty());
}

TEST_F(FromIR, TrainedValuesWrittenBack) {
  func::FuncOp f = parse(kTcnLike);
  randomizeConstants(f);
  std::string err;
  auto g = buildGraph(f, {}, err);
  ASSERT_TRUE(succeeded(g)) << err;
  Graph &gr = (*g)->graph;
  // A training-mode forward updates the BN running statistics; change the weights.
  Tensor x = randomTensor({4, 2, 16}, 3);
  const Tensor *ins[] = {&x};
  ASSERT_TRUE(succeeded(gr.forward(ins, true, err))) << err;
  for (ValueId p : gr.params())
    for (float &v : gr.data(p).data) v = v * 0.9f + 0.05f;
  ASSERT_TRUE(succeeded(writeBack(**g, err))) << err;
  ASSERT_TRUE(succeeded(verify(*module)));
  // The IR now computes what the graph computes (inference mode).
  compareWithEngine(f, **g, randomTensor({2, 2, 16}, 4));
  // And a fresh graph from the written IR starts from the trained values.
  auto g2 = buildGraph(f, {}, err);
  ASSERT_TRUE(succeeded(g2)) << err;
  ValueId w = gr.find("/fc/Gemm.weight");
  EXPECT_EQ((*g2)->graph.data((*g2)->graph.find("/fc/Gemm.weight")).data, gr.data(w).data);
}

TEST_F(FromIR, GradientsThroughImportedGraph) {
  func::FuncOp f = parse(kCnn);
  randomizeConstants(f);
  std::string err;
  auto g = buildGraph(f, {}, err);
  ASSERT_TRUE(succeeded(g)) << err;
  GradCheckOptions o;
  o.eps = 1e-3f;
  o.atol = 5e-3;
  checkGradients((*g)->graph, {randomTensor({2, 3, 6, 6}, 5)}, o);
}

TEST_F(FromIR, ErrorsNameTheOpAndLocation) {
  std::string err;
  func::FuncOp f = parse(R"mlir(
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %f = dnn.floor %x : tensor<1x4xf32> loc("/floor/Floor")
  return %f : tensor<1x4xf32>
})mlir");
  EXPECT_TRUE(failed(buildGraph(f, {}, err)));
  EXPECT_EQ(err, "dnn.floor (node '/floor/Floor'): the search engine does not support this op");
  f = parse(R"mlir(
func.func @main(%x: tensor<1x4x8xf32>) -> tensor<4x8xf32> {
  %r = dnn.reshape %x {shape = array<i64: 4, 8>} : (tensor<1x4x8xf32>) -> tensor<4x8xf32> loc("/Flatten")
  return %r : tensor<4x8xf32>
})mlir");
  EXPECT_TRUE(failed(buildGraph(f, {}, err)));
  EXPECT_NE(err.find("dnn.reshape (node '/Flatten'): reshape from [1,4,8] to [4,8] changes the batch dimension"),
            std::string::npos)
      << err;
  f = parse(R"mlir(
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = dnn.softmax %x {axis = 0 : i64} : tensor<1x4xf32>
  return %s : tensor<1x4xf32>
})mlir");
  EXPECT_TRUE(failed(buildGraph(f, {}, err)));
  EXPECT_NE(err.find("along the batch axis"), std::string::npos) << err;
}
