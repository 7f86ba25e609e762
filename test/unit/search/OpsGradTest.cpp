//===- OpsGradTest.cpp - every op's gradient against finite differences ---===//
#include "GradCheck.h"

#include "passes/search/Ops.h"

using namespace dnnopt::search;
using namespace dnnopt::search::test;

namespace {

/// A one-op graph: inputs (with gradients) and parameters feed `op`.
struct OneOp {
  Graph g;
  std::vector<Tensor> inputs;
  std::vector<ValueId> operands;

  void input(Tensor t, bool grad = true) {
    ValueId v = g.addInput("x" + std::to_string(inputs.size()), Shape(t.shape.begin() + 1, t.shape.end()));
    g.setRequiresGrad(v, grad);
    inputs.push_back(std::move(t));
    operands.push_back(v);
  }
  void param(Tensor t) { operands.push_back(g.addParam("p" + std::to_string(operands.size()), std::move(t))); }
  void buffer(Tensor t) { operands.push_back(g.addBuffer("b" + std::to_string(operands.size()), std::move(t))); }
  void run(std::unique_ptr<Op> op, GradCheckOptions o = {}) {
    g.addOutput(g.addNode(std::move(op), operands));
    checkGradients(g, inputs, o);
  }
};

ConvAttrs conv(std::vector<int64_t> s, std::vector<int64_t> d, std::vector<int64_t> p, int64_t group) {
  ConvAttrs a;
  a.strides = std::move(s);
  a.dilations = std::move(d);
  a.pads = std::move(p);
  a.group = group;
  return a;
}

} // namespace

TEST(SearchGrad, Conv1dStrideDilationAsymmetricPads) {
  OneOp t;
  t.input(randomTensor({2, 3, 11}, 1));
  t.param(randomTensor({4, 3, 3}, 2));
  t.param(randomTensor({4}, 3));
  t.run(makeConv(conv({2}, {2}, {1, 2}, 1)));
}

TEST(SearchGrad, Conv1dCausalDilated) {
  OneOp t; // TCN layer: causal left padding (k-1)*d
  t.input(randomTensor({3, 4, 16}, 4));
  t.param(randomTensor({5, 4, 3}, 5));
  t.run(makeConv(conv({1}, {4}, {8, 0}, 1)));
}

TEST(SearchGrad, Conv2dGroupsStridesPads) {
  OneOp t;
  t.input(randomTensor({2, 4, 6, 5}, 6));
  t.param(randomTensor({6, 2, 3, 2}, 7));
  t.param(randomTensor({6}, 8));
  t.run(makeConv(conv({1, 2}, {1, 1}, {1, 0, 0, 1}, 2)));
}

TEST(SearchGrad, DepthwiseConv2dDilated) {
  OneOp t;
  t.input(randomTensor({2, 3, 7, 7}, 9));
  t.param(randomTensor({3, 1, 3, 3}, 10));
  t.param(randomTensor({3}, 11));
  t.run(makeConv(conv({2, 2}, {2, 1}, {1, 1, 1, 1}, 3)));
}

TEST(SearchGrad, PointwiseConvAndChannelMultiplier) {
  OneOp a;
  a.input(randomTensor({3, 4, 5}, 12));
  a.param(randomTensor({6, 4, 1}, 13));
  a.run(makeConv(conv({}, {}, {}, 1)));
  OneOp b; // depthwise with multiplier 2
  b.input(randomTensor({2, 2, 9}, 14));
  b.param(randomTensor({4, 1, 3}, 15));
  b.run(makeConv(conv({1}, {1}, {1, 1}, 2)));
}

TEST(SearchGrad, Conv3d) {
  OneOp t;
  t.input(randomTensor({1, 2, 4, 4, 3}, 16));
  t.param(randomTensor({2, 2, 2, 2, 2}, 17));
  t.run(makeConv(conv({1, 2, 1}, {1, 1, 1}, {0, 1, 1, 1, 0, 0}, 1)));
}

TEST(SearchGrad, GemmTransposesAndBias) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (Shape cs : {Shape{3}, Shape{1, 3}, Shape{4, 3}, Shape{4, 1}}) {
        SCOPED_TRACE("ta " + std::to_string(ta) + " tb " + std::to_string(tb) + " c " + shapeStr(cs));
        OneOp t;
        t.input(randomTensor(ta ? Shape{5, 4} : Shape{4, 5}, 18));
        t.param(randomTensor(tb ? Shape{3, 5} : Shape{5, 3}, 19));
        t.param(randomTensor(cs, 20));
        GemmAttrs a;
        a.transA = ta;
        a.transB = tb;
        a.alpha = 0.7f;
        a.beta = 1.3f;
        t.run(makeGemm(a));
      }
}

TEST(SearchGrad, MatMulBatchedBroadcastAndVectors) {
  std::vector<std::pair<Shape, Shape>> cases = {
      {{6, 5}, {5, 3}}, {{2, 3, 4}, {4, 2}}, {{2, 1, 3, 4}, {3, 4, 2}}, {{2, 4}, {4}}, {{4, 4}, {2, 4, 3}}};
  for (auto &[as, bs] : cases) {
    SCOPED_TRACE(shapeStr(as) + " x " + shapeStr(bs));
    OneOp t;
    t.input(randomTensor(as, 21));
    t.param(randomTensor(bs, 22));
    t.run(makeMatMul());
  }
}

TEST(SearchGrad, BatchNormTrainingAndInference) {
  for (bool training : {true, false}) {
    SCOPED_TRACE(training ? "training" : "inference");
    OneOp t;
    t.input(randomTensor({4, 3, 5}, 23, -2, 2));
    t.param(randomTensor({3}, 24, 0.5f, 1.5f));
    t.param(randomTensor({3}, 25));
    t.buffer(randomTensor({3}, 26));
    t.buffer(randomTensor({3}, 27, 0.5f, 1.5f));
    GradCheckOptions o;
    o.training = training;
    t.run(makeBatchNorm({}), o);
  }
}

TEST(SearchGrad, BatchNormRunningStatistics) {
  Graph g;
  ValueId x = g.addInput("x", {2});
  ValueId s = g.addParam("s", Tensor({2}, 1.0f)), b = g.addParam("b", Tensor({2}, 0.0f));
  ValueId m = g.addBuffer("m", Tensor({2}, 0.0f)), v = g.addBuffer("v", Tensor({2}, 1.0f));
  g.addOutput(g.addNode(makeBatchNorm({1e-5f, 0.1f}), {x, s, b, m, v}));
  Tensor in({3, 2}, {1, 10, 2, 20, 3, 30});
  std::string err;
  const Tensor *ins[] = {&in};
  ASSERT_TRUE(succeeded(g.forward(ins, true, err))) << err;
  // Batch means 2, 20; unbiased variances 1, 100.
  EXPECT_NEAR(g.data(m)[0], 0.2, 1e-6);
  EXPECT_NEAR(g.data(m)[1], 2.0, 1e-6);
  EXPECT_NEAR(g.data(v)[0], 0.9 + 0.1 * 1.0, 1e-6);
  EXPECT_NEAR(g.data(v)[1], 0.9 + 0.1 * 100.0, 1e-4);
  // Output uses the biased batch variance: (1 - 2) / sqrt(2/3).
  EXPECT_NEAR(g.data(g.outputs()[0])[0], -1.0 / std::sqrt(2.0 / 3.0 + 1e-5), 1e-5);
  ASSERT_TRUE(succeeded(g.forward(ins, false, err))) << err;
  EXPECT_NEAR(g.data(g.outputs()[0])[0], (1 - 0.2) / std::sqrt(1.0 + 1e-5), 1e-5);
}

TEST(SearchGrad, BinaryBroadcasting) {
  struct Case {
    BinaryKind k;
    Shape a, b;
  };
  for (Case c : {Case{BinaryKind::Add, {2, 3, 4}, {3, 1}}, Case{BinaryKind::Sub, {2, 1, 4}, {3, 1}},
                 Case{BinaryKind::Mul, {2, 3, 4}, {1, 3, 1}}, Case{BinaryKind::Div, {2, 3, 4}, {4}},
                 Case{BinaryKind::Mul, {2, 3}, {2, 3}}}) {
    SCOPED_TRACE(shapeStr(c.a) + " op " + shapeStr(c.b));
    OneOp t;
    t.input(randomTensor(c.a, 28));
    t.param(randomTensor(c.b, 29, 0.5f, 1.5f));
    t.run(makeBinary(c.k));
  }
}

TEST(SearchGrad, Activations) {
  struct Case {
    const char *name;
    std::function<std::unique_ptr<Op>()> make;
    bool kinkAtZero;
  };
  std::vector<Case> cases = {
      {"relu", [] { return makeUnary(UnaryKind::Relu); }, true},
      {"leaky", [] { return makeLeakyRelu(0.1f); }, true},
      {"abs", [] { return makeUnary(UnaryKind::Abs); }, true},
      {"sigmoid", [] { return makeUnary(UnaryKind::Sigmoid); }, false},
      {"tanh", [] { return makeUnary(UnaryKind::Tanh); }, false},
      {"exp", [] { return makeUnary(UnaryKind::Exp); }, false},
      {"neg", [] { return makeUnary(UnaryKind::Neg); }, false},
      {"softmax1", [] { return makeSoftmax(1); }, false},
      {"softmax-last", [] { return makeSoftmax(-1); }, false},
      {"log_softmax", [] { return makeSoftmax(1, true); }, false},
      {"identity", [] { return makeUnary(UnaryKind::Identity); }, false},
      {"scale", [] { return makeScale(-2.5f); }, false},
  };
  for (auto &c : cases) {
    SCOPED_TRACE(c.name);
    OneOp t;
    t.input(c.kinkAtZero ? awayFromZero({3, 4, 5}, 30) : randomTensor({3, 4, 5}, 30));
    t.run(c.make());
  }
  OneOp clip; // values away from the bounds +-0.5
  Tensor x = distinctTensor({2, 3, 7}, 31);
  for (float &v : x.data) v += 0.025f;
  clip.input(x);
  clip.run(makeClip(-0.5f, 0.5f));
  OneOp logsqrt;
  logsqrt.input(randomTensor({2, 5}, 32, 0.5f, 2.0f));
  logsqrt.run(makeUnary(UnaryKind::Log));
  OneOp sq;
  sq.input(randomTensor({2, 5}, 33, 0.5f, 2.0f));
  sq.run(makeUnary(UnaryKind::Sqrt));
}

TEST(SearchGrad, MaxPool) {
  PoolAttrs a;
  a.kernel = {3, 2};
  a.strides = {2, 1};
  a.dilations = {1, 2};
  a.pads = {1, 0, 1, 1};
  a.ceilMode = true;
  OneOp t;
  t.input(distinctTensor({2, 3, 7, 6}, 34));
  t.run(makeMaxPool(a));
}

TEST(SearchGrad, AvgPool) {
  for (bool cip : {false, true}) {
    SCOPED_TRACE(cip ? "count_include_pad" : "exclude pad");
    PoolAttrs a;
    a.kernel = {3, 3};
    a.strides = {2, 2};
    a.pads = {1, 1, 1, 0};
    a.ceilMode = true;
    a.countIncludePad = cip;
    OneOp t;
    t.input(randomTensor({2, 2, 6, 7}, 35));
    t.run(makeAvgPool(a));
  }
  PoolAttrs a1; // TEMPONet: AvgPool1d(2)
  a1.kernel = {2};
  a1.strides = {2};
  a1.pads = {0, 0};
  OneOp t;
  t.input(randomTensor({3, 4, 9}, 36));
  t.run(makeAvgPool(a1));
}

TEST(SearchGrad, GlobalPools) {
  OneOp a;
  a.input(randomTensor({2, 3, 4, 5}, 37));
  a.run(makeGlobalPool(false));
  OneOp m;
  m.input(distinctTensor({2, 3, 10}, 38));
  m.run(makeGlobalPool(true));
}

TEST(SearchGrad, Layout) {
  OneOp r;
  r.input(randomTensor({3, 4, 5}, 39));
  r.run(makeReshape({-1, 20}));
  OneOp tr;
  tr.input(randomTensor({2, 3, 4, 5}, 40));
  tr.run(makeTranspose({0, 2, 3, 1}));
  OneOp c;
  c.input(randomTensor({2, 3, 4}, 41));
  c.param(randomTensor({2, 2, 4}, 42));
  c.input(randomTensor({2, 1, 4}, 43));
  c.run(makeConcat(1));
  for (PadMode m : {PadMode::Constant, PadMode::Edge, PadMode::Reflect}) {
    OneOp p;
    p.input(randomTensor({2, 3, 5}, 44));
    p.run(makePad({0, 1, 2, 0, 0, 3}, m, 0.5f));
  }
  OneOp crop;
  crop.input(randomTensor({2, 3, 6}, 45));
  crop.run(makePad({0, 0, -1, 0, 1, -2}));
  OneOp s;
  s.input(randomTensor({2, 5, 6}, 46));
  s.run(makeSlice({0, 4, 1}, {2, -1, 6}, {1, -2, 2}));
}

TEST(SearchGrad, BinarizeStraightThrough) {
  Graph g;
  ValueId x = g.addInput("x", {4});
  g.setRequiresGrad(x, true);
  g.addOutput(g.addNode(makeBinarizeSTE(0.5f), {x}));
  Tensor in({1, 4}, {0.2f, 0.5f, 0.51f, 3.0f});
  std::string err;
  const Tensor *ins[] = {&in};
  ASSERT_TRUE(succeeded(g.forward(ins, true, err)));
  EXPECT_EQ(g.data(g.outputs()[0]).data, (std::vector<float>{0, 0, 1, 1}));
  Tensor seed({1, 4}, {1, 2, 3, 4});
  std::pair<ValueId, const Tensor *> s{g.outputs()[0], &seed};
  g.zeroGrad();
  g.backward(s);
  EXPECT_EQ(g.grad(x).data, seed.data); // identity gradient
}
