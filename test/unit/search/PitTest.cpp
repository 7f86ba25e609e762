//===- PitTest.cpp - PIT masks, cost gradients and export -----------------===//
#include "GradCheck.h"

#include "dialects/dnn/DnnOps.h"
#include "engine/Interpreter.h"
#include "passes/search/FromIR.h"
#include "passes/search/Pit.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::search;
using namespace dnnopt::search::test;

namespace {

// conv1 2->4 k3 d1 causal (no bias) + BN + relu; conv2 4->4 k5 d1 causal (bias) + BN +
// relu; avg pool 2; flatten 32; gemm 32->3.
const char *kTcn = R"mlir(
func.func @main(%x: tensor<1x2x16xf32> {dnn.name = "x"}) -> tensor<1x3xf32> {
  %w1 = dnn.constant dense<0.1> : tensor<4x2x3xf32>
  %c1 = dnn.conv %x, %w1 {dilations = array<i64: 1>, pads = array<i64: 2, 0>, strides = array<i64: 1>} : (tensor<1x2x16xf32>, tensor<4x2x3xf32>) -> tensor<1x4x16xf32> loc("/c1/Conv")
  %g1 = dnn.constant dense<1.0> : tensor<4xf32>
  %b1 = dnn.constant dense<0.0> : tensor<4xf32>
  %m1 = dnn.constant dense<0.0> : tensor<4xf32>
  %v1 = dnn.constant dense<1.0> : tensor<4xf32>
  %n1 = dnn.batch_norm %c1, %g1, %b1, %m1, %v1 {epsilon = 1.0e-5 : f32} : (tensor<1x4x16xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x16xf32> loc("/c1/bn")
  %r1 = dnn.relu %n1 : tensor<1x4x16xf32>
  %w2 = dnn.constant dense<0.1> : tensor<4x4x5xf32>
  %bb2 = dnn.constant dense<0.0> : tensor<4xf32>
  %c2 = dnn.conv %r1, %w2, %bb2 {dilations = array<i64: 1>, pads = array<i64: 4, 0>, strides = array<i64: 1>} : (tensor<1x4x16xf32>, tensor<4x4x5xf32>, tensor<4xf32>) -> tensor<1x4x16xf32> loc("/c2/Conv")
  %g2 = dnn.constant dense<1.0> : tensor<4xf32>
  %b2 = dnn.constant dense<0.0> : tensor<4xf32>
  %m2 = dnn.constant dense<0.0> : tensor<4xf32>
  %v2 = dnn.constant dense<1.0> : tensor<4xf32>
  %n2 = dnn.batch_norm %c2, %g2, %b2, %m2, %v2 {epsilon = 1.0e-5 : f32} : (tensor<1x4x16xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x16xf32> loc("/c2/bn")
  %r2 = dnn.relu %n2 : tensor<1x4x16xf32>
  %p = dnn.avg_pool %r2 {kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x4x16xf32>) -> tensor<1x4x8xf32>
  %f = dnn.reshape %p {shape = array<i64: 1, 32>} : (tensor<1x4x8xf32>) -> tensor<1x32xf32>
  %fw = dnn.constant dense<0.1> : tensor<3x32xf32>
  %fb = dnn.constant dense<0.0> : tensor<3xf32>
  %y = dnn.gemm %f, %fw, %fb {trans_b = true} : (tensor<1x32xf32>, tensor<3x32xf32>, tensor<3xf32>) -> tensor<1x3xf32> loc("/fc/Gemm")
  return %y : tensor<1x3xf32>
}
)mlir";

struct PitFixture : ::testing::Test {
  PitFixture() {
    ctx.loadDialect<dnn::DnnDialect, func::FuncDialect>();
    ctx.printOpOnDiagnostic(false);
    module = parseSourceString<ModuleOp>(kTcn, &ctx);
    EXPECT_TRUE(module && succeeded(verify(*module)));
    func = *module->getOps<func::FuncOp>().begin();
    uint64_t seed = 7;
    func.walk([&](dnn::ConstantOp c) {
      auto type = cast<RankedTensorType>(c.getType());
      Shape s(type.getShape().begin(), type.getShape().end());
      bool var = llvm::any_of(c->getUses(), [](OpOperand &u) {
        return isa<dnn::BatchNormOp>(u.getOwner()) && u.getOperandNumber() == 4;
      });
      Tensor t = randomTensor(s, seed++, var ? 0.5f : -1.0f, var ? 2.0f : 1.0f);
      c.setValueAttr(DenseElementsAttr::get(type, llvm::ArrayRef<float>(t.data)));
    });
    std::string err;
    auto g = buildGraph(func, {}, err);
    EXPECT_TRUE(succeeded(g)) << err;
    ir = std::move(*g);
    auto p = Pit::attach(*ir, err);
    EXPECT_TRUE(succeeded(p)) << err;
    pit = std::move(*p);
  }
  void set(ValueId v, std::vector<float> d) { ir->graph.data(v).data = std::move(d); }
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
  std::unique_ptr<IRGraph> ir;
  std::unique_ptr<Pit> pit;
};

} // namespace

TEST_F(PitFixture, LayersAndMasks) {
  ASSERT_EQ(pit->layers.size(), 3u); // c1, c2, fc
  const PitLayer &c1 = pit->layers[0], &c2 = pit->layers[1], &fc = pit->layers[2];
  EXPECT_GE(c1.alpha, 0);
  EXPECT_GE(c1.beta, 0);
  EXPECT_EQ(c1.L, 2);
  EXPECT_EQ(c2.L, 3);
  EXPECT_EQ(c2.producer, 0);
  EXPECT_TRUE(fc.isGemm);
  EXPECT_EQ(fc.producer, 1);
  EXPECT_EQ(fc.cinFactor, 8);
  EXPECT_EQ(ir->graph.params("arch").size(), 6u);
}

TEST_F(PitFixture, CostFormulasAgainstHandValues) {
  // Seed (all masks 1): k_eff = K.
  // params: c1 4*(2*3) = 24; c2 4*(4*5+1) = 84; fc 3*(4*8+1) = 99.
  EXPECT_NEAR(pit->cost(PitCost::Params), 207.0, 1e-4);
  EXPECT_NEAR(pit->cost(PitCost::Macs), 24 * 16 + 84 * 16 + 99, 1e-3);
  // Hand-set c1: alpha = [1, .2, .6, .3] -> Cout_eff = 2.1;
  // beta = [1, 1, .2] -> theta_beta = [2.2, 1.2, .2], beta_norm = [1/3, 1/2, 1];
  // gamma (L = 2; gamma_0 covers even delays, gamma_1 all) = [1, .3] ->
  // theta_gamma = [1.3, .3, 1.3], gamma_norm = [1/2, 1, 1/2];
  // k_eff = 2.2/3*.65 + .6*.3 + .2*.65 = 0.786667.
  const PitLayer &c1 = pit->layers[0];
  set(c1.alpha, {1, .2f, .6f, .3f});
  set(c1.beta, {1, 1, .2f});
  set(c1.gamma, {1, .3f});
  double k1 = 2.2 / 3 * .65 + .6 * .3 + .2 * .65;
  EXPECT_NEAR(Pit::kEff({1, 1, .2f}, {1, .3f}), k1, 1e-6);
  // c1: 2.1*(2*k1); c2: Cin_eff = 2.1 -> 4*(2.1*5+1); fc unchanged 99.
  EXPECT_NEAR(pit->cost(PitCost::Params), 2.1 * 2 * k1 + 4 * (2.1 * 5 + 1) + 99, 1e-4);
  EXPECT_NEAR(pit->cost(PitCost::Macs), (2.1 * 2 * k1 + 4 * (2.1 * 5 + 1)) * 16 + 99, 1e-3);
  // Binarized: c1 keeps channels {0, 2}, taps: beta drops delay 2 (theta .2),
  // gamma drops delay 1 (theta .3) -> only delay 0 -> k 1.
  PitDecision d = pit->decide(0);
  EXPECT_EQ(d.keepOut, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(d.kernel, 1);
  EXPECT_EQ(d.taps, (std::vector<int64_t>{2}));
  EXPECT_NEAR(pit->exportedCost(PitCost::Params), 2 * (2 * 1) + 4 * (2 * 5 + 1) + 99, 1e-9);
}

TEST_F(PitFixture, CostGradientMatchesFiniteDifferences) {
  uint64_t seed = 3;
  for (const PitLayer &l : pit->layers)
    for (ValueId v : {l.alpha, l.beta, l.gamma})
      if (v >= 0) {
        Tensor t = awayFromZero(ir->graph.data(v).shape, seed++, 0.2f);
        set(v, t.data);
      }
  for (PitCost kind : {PitCost::Params, PitCost::Macs}) {
    ir->graph.zeroGrad();
    double scale = 0.5;
    pit->cost(kind, true, scale);
    for (ValueId v : ir->graph.params("arch")) {
      Tensor &p = ir->graph.data(v);
      for (int64_t k = 0; k < p.numel(); ++k) {
        float old = p[k];
        const float h = 1e-3f;
        p[k] = old + h;
        double up = pit->cost(kind);
        p[k] = old - h;
        double dn = pit->cost(kind);
        p[k] = old;
        double fd = scale * (up - dn) / (2 * h);
        EXPECT_NEAR(ir->graph.grad(v)[k], fd, 2e-2 * std::max(1.0, std::fabs(fd)))
            << ir->graph.value(v).name << "[" << k << "]";
      }
    }
  }
}

TEST_F(PitFixture, MaskGradientIsStraightThrough) {
  // d loss / d alpha_c = sign(alpha_c) * d loss / d mask_c (keep-alive channel 0: zero).
  const PitLayer &c1 = pit->layers[0];
  set(c1.alpha, {1, -0.7f, 0.2f, 0.9f});
  Tensor x = randomTensor({2, 2, 16}, 11);
  std::string err;
  const Tensor *ins[] = {&x};
  ASSERT_TRUE(succeeded(ir->graph.forward(ins, true, err))) << err;
  ir->graph.zeroGrad();
  Tensor seed(ir->graph.data(ir->graph.outputs()[0]).shape, 1.0f);
  ir->graph.backward({{ir->graph.outputs()[0], &seed}});
  const Tensor &ga = ir->graph.grad(c1.alpha);
  EXPECT_EQ(ga[0], 0.0f);
  // Channel 2 is masked (|.2| < .5) but still receives a (straight-through) gradient.
  EXPECT_NE(ga[2], 0.0f);
  // The time masks receive gradients too.
  float s = 0;
  for (float v : ir->graph.grad(pit->layers[1].gamma).data) s += std::fabs(v);
  EXPECT_GT(s, 0.0f);
}

TEST_F(PitFixture, ExportMatchesMaskedForward) {
  const PitLayer &c1 = pit->layers[0], &c2 = pit->layers[1];
  set(c1.alpha, {1, .1f, .9f, -.2f}); // keep 0, 2
  set(c1.beta, {1, 1, .1f});          // drop the oldest tap -> k 2, d 1
  set(c2.alpha, {.3f, 1, -1, .4f});   // keep 0 (alive), 1, 2
  set(c2.gamma, {1, 1, .2f});         // odd delays: theta .2 -> delays 0, 2, 4: k 3, d 2
  Tensor x = randomTensor({3, 2, 16}, 21);
  std::string err;
  const Tensor *ins[] = {&x};
  ASSERT_TRUE(succeeded(ir->graph.forward(ins, false, err))) << err;
  Tensor masked = ir->graph.data(ir->graph.outputs()[0]);
  ASSERT_TRUE(succeeded(pit->exportIR(err))) << err;
  ASSERT_TRUE(succeeded(verify(*module)));
  // Shapes of the smaller network.
  SmallVector<dnn::ConvOp> convs;
  func.walk([&](dnn::ConvOp c) { convs.push_back(c); });
  ASSERT_EQ(convs.size(), 2u);
  auto shapeOf = [](Value v) { return llvm::to_vector(cast<RankedTensorType>(v.getType()).getShape()); };
  EXPECT_EQ(shapeOf(convs[0].getWeight()), (SmallVector<int64_t>{2, 2, 2}));
  EXPECT_EQ(convs[0].getPads()[0], 1);
  EXPECT_EQ(shapeOf(convs[1].getWeight()), (SmallVector<int64_t>{3, 2, 3}));
  EXPECT_EQ(convs[1].getDilations()[0], 2);
  EXPECT_EQ(convs[1].getPads()[0], 4);
  func.walk([&](dnn::GemmOp g) { EXPECT_EQ(shapeOf(g.getB()), (SmallVector<int64_t>{3, 24})); });
  for (int64_t s = 0; s < 3; ++s) {
    engine::Tensor in(engine::DType::F32, {1, 2, 16});
    in.f.assign(x.data.begin() + s * 32, x.data.begin() + (s + 1) * 32);
    auto ref = engine::runFunction(func, {in}, err);
    ASSERT_TRUE(succeeded(ref)) << err;
    for (int64_t k = 0; k < 3; ++k) EXPECT_NEAR((*ref)[0].f[k], masked[s * 3 + k], 1e-4) << s << "," << k;
  }
}

TEST(Pit, OutputConvAndUnsupportedConsumersAreNotChannelMasked) {
  // c1 feeds c2 (maskable); c2 is the network output (never masked); c0's output
  // also feeds an add (channels not prunable), and c0 has stride 2 (no time masks).
  const char *ir = R"mlir(
func.func @main(%x: tensor<1x2x16xf32>) -> (tensor<1x3x16xf32>, tensor<1x2x8xf32>) {
  %w0 = dnn.constant dense<0.1> : tensor<2x2x3xf32>
  %c0 = dnn.conv %x, %w0 {dilations = array<i64: 1>, pads = array<i64: 2, 0>, strides = array<i64: 2>} : (tensor<1x2x16xf32>, tensor<2x2x3xf32>) -> tensor<1x2x8xf32>
  %a0 = dnn.add %c0, %c0 : (tensor<1x2x8xf32>, tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %w1 = dnn.constant dense<0.1> : tensor<4x2x3xf32>
  %c1 = dnn.conv %x, %w1 {dilations = array<i64: 2>, pads = array<i64: 4, 0>, strides = array<i64: 1>} : (tensor<1x2x16xf32>, tensor<4x2x3xf32>) -> tensor<1x4x16xf32>
  %r1 = dnn.relu %c1 : tensor<1x4x16xf32>
  %w2 = dnn.constant dense<0.1> : tensor<3x4x1xf32>
  %c2 = dnn.conv %r1, %w2 {dilations = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x4x16xf32>, tensor<3x4x1xf32>) -> tensor<1x3x16xf32>
  return %c2, %a0 : tensor<1x3x16xf32>, tensor<1x2x8xf32>
}
)mlir";
  MLIRContext ctx;
  ctx.loadDialect<dnn::DnnDialect, func::FuncDialect>();
  auto module = parseSourceString<ModuleOp>(ir, &ctx);
  ASSERT_TRUE(module);
  std::string err;
  auto g = buildGraph(*module->getOps<func::FuncOp>().begin(), {}, err);
  ASSERT_TRUE(succeeded(g)) << err;
  auto pit = Pit::attach(**g, err);
  ASSERT_TRUE(succeeded(pit)) << err;
  const auto &ls = (*pit)->layers;
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0].alpha, -1); // add consumer
  EXPECT_EQ(ls[0].beta, -1);  // stride 2
  EXPECT_GE(ls[1].alpha, 0);
  EXPECT_GE(ls[1].beta, 0);
  EXPECT_EQ(ls[1].dilation, 2);
  EXPECT_EQ(ls[2].alpha, -1); // network output
  EXPECT_EQ(ls[2].beta, -1);  // kernel 1
  EXPECT_EQ(ls[2].producer, 1);
  // c1 seed: 4*(2*3) = 24 params; c2: 3*(4*1) = 12; c0: 2*(2*3) = 12.
  EXPECT_NEAR((*pit)->cost(PitCost::Params), 48.0, 1e-9);
}
