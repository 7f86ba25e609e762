//===- GraphTest.cpp - graph building, rewiring, execution order ----------===//
#include "GradCheck.h"

#include "passes/search/Ops.h"

using namespace dnnopt::search;
using namespace dnnopt::search::test;

namespace {
ConvAttrs conv1d(int64_t pad) {
  ConvAttrs a;
  a.strides = {1};
  a.dilations = {1};
  a.pads = {pad, pad};
  return a;
}
} // namespace

// What the PIT pass does: W' = W * H(|alpha|) on a conv's output channels, inserted
// between the weight parameter and the conv.
TEST(SearchGraph, InsertMaskBetweenWeightAndConv) {
  Graph g;
  ValueId x = g.addInput("x", {2, 8});
  ValueId w = g.addParam("conv.weight", randomTensor({4, 2, 3}, 1));
  ValueId y = g.addNode(makeConv(conv1d(1)), {x, w}, "conv");
  NodeId convNode = g.value(y).producer;
  g.addOutput(y);

  ValueId alpha = g.addParam("conv.alpha", Tensor({4}, {1.0f, 0.2f, -0.9f, 0.4f}), "arch");
  ValueId theta = g.addNode(makeUnary(UnaryKind::Abs), {alpha}, "theta");
  ValueId bin = g.addNode(makeBinarizeSTE(0.5f), {theta}, "bin");
  ValueId mask = g.addNode(makeReshape({4, 1, 1}), {bin}, "mask");
  ValueId wMasked = g.insertBetween(w, convNode, makeBinary(BinaryKind::Mul), {mask}, "masked");
  EXPECT_EQ(g.node(convNode).inputs[1], wMasked);
  EXPECT_EQ(g.params("arch"), std::vector<ValueId>{alpha});
  EXPECT_EQ(g.params("weights"), std::vector<ValueId>{w});

  // Execution order puts the mask chain (added after the conv) before the conv.
  const auto &order = g.order();
  auto pos = [&](ValueId v) { return std::find(order.begin(), order.end(), g.value(v).producer) - order.begin(); };
  EXPECT_LT(pos(wMasked), pos(y));

  Tensor in = randomTensor({3, 2, 8}, 2);
  std::string err;
  const Tensor *ins[] = {&in};
  ASSERT_TRUE(succeeded(g.forward(ins, true, err))) << err;
  const Tensor &out = g.data(y);
  // Channels 1 and 3 are masked out: |0.2|, |0.4| <= 0.5.
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t t = 0; t < 8; ++t) {
      EXPECT_EQ(out[(n * 4 + 1) * 8 + t], 0.0f);
      EXPECT_EQ(out[(n * 4 + 3) * 8 + t], 0.0f);
      EXPECT_NE(out[(n * 4 + 0) * 8 + t], 0.0f);
    }
  // Gradients reach both the weights (only kept channels) and alpha (straight through).
  Tensor seed = randomTensor(out.shape, 3);
  g.zeroGrad();
  std::pair<ValueId, const Tensor *> s{y, &seed};
  g.backward(s);
  for (int64_t k = 0; k < 6; ++k) EXPECT_EQ(g.grad(w)[1 * 6 + k], 0.0f);
  EXPECT_NE(g.grad(w)[0], 0.0f);
  for (int64_t c = 0; c < 4; ++c) EXPECT_NE(g.grad(alpha)[c], 0.0f) << c;
  // d/dalpha_c = sign(alpha_c) * sum(dL/dW'[c] * W[c]) (STE passes through).
  const Tensor &W = g.data(w);
  const Tensor &gWm = g.grad(wMasked);
  for (int64_t c = 0; c < 4; ++c) {
    double s2 = 0;
    for (int64_t k = 0; k < 6; ++k) s2 += gWm[c * 6 + k] * W[c * 6 + k];
    EXPECT_NEAR(g.grad(alpha)[c], (g.data(alpha)[c] > 0 ? 1 : -1) * s2, 1e-4);
  }
}

TEST(SearchGraph, InsertAfterRewiresAllUsersAndOutputs) {
  Graph g;
  ValueId x = g.addInput("x", {3});
  ValueId a = g.addNode(makeUnary(UnaryKind::Relu), {x});
  ValueId b = g.addNode(makeUnary(UnaryKind::Neg), {a});
  g.addOutput(a);
  g.addOutput(b);
  ValueId s = g.insertAfter(a, makeScale(2.0f));
  EXPECT_EQ(g.node(g.value(b).producer).inputs[0], s);
  EXPECT_EQ(g.outputs()[0], s);
  EXPECT_EQ(g.node(g.value(s).producer).inputs[0], a);
  Tensor in({1, 3}, {1, -1, 2});
  std::string err;
  const Tensor *ins[] = {&in};
  ASSERT_TRUE(succeeded(g.forward(ins, false, err)));
  EXPECT_EQ(g.data(b).data, (std::vector<float>{-2, 0, -4}));
}

TEST(SearchGraph, FunctionOpFromCallbacks) {
  // y = x^2 as a custom op; its gradient checked by finite differences.
  Graph g;
  ValueId x = g.addInput("x", {5});
  g.setRequiresGrad(x, true);
  auto fwd = [](llvm::ArrayRef<const Tensor *> in, Tensor &out, const RunContext &, std::string &) {
    out.reshape(in[0]->shape);
    for (int64_t k = 0; k < out.numel(); ++k) out[k] = (*in[0])[k] * (*in[0])[k];
    return llvm::success();
  };
  auto bwd = [](llvm::ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout,
                llvm::ArrayRef<Tensor *> gin) {
    for (int64_t k = 0; k < gout.numel(); ++k) (*gin[0])[k] += 2 * (*in[0])[k] * gout[k];
  };
  g.addOutput(g.addNode(makeFunctionOp("square", fwd, bwd), {x}));
  checkGradients(g, {randomTensor({2, 5}, 4)});
}

TEST(SearchGraph, ShapeErrorsNameTheNode) {
  Graph g;
  ValueId x = g.addInput("x", {3, 8});
  ValueId w = g.addParam("w", randomTensor({4, 2, 3}, 1));
  g.addOutput(g.addNode(makeConv(conv1d(0)), {x, w}, "/layer1/Conv"));
  Tensor in = randomTensor({2, 3, 8}, 1);
  std::string err;
  const Tensor *ins[] = {&in};
  EXPECT_TRUE(failed(g.forward(ins, false, err)));
  EXPECT_NE(err.find("/layer1/Conv (conv)"), std::string::npos) << err;
  Tensor bad = randomTensor({2, 3, 7}, 1);
  const Tensor *ins2[] = {&bad};
  EXPECT_TRUE(failed(g.forward(ins2, false, err)));
  EXPECT_NE(err.find("[2,3,7]"), std::string::npos) << err;
  EXPECT_NE(err.find("[N,3,8]"), std::string::npos) << err;
}

TEST(SearchGraph, FrozenParamsGetNoGradient) {
  Graph g;
  ValueId x = g.addInput("x", {2, 6});
  ValueId w = g.addParam("w", randomTensor({3, 2, 3}, 1));
  ValueId b = g.addParam("b", randomTensor({3}, 2));
  g.addOutput(g.addNode(makeConv(conv1d(1)), {x, w, b}));
  g.setRequiresGrad(w, false);
  checkGradients(g, {randomTensor({2, 2, 6}, 3)}); // only b is checked
  for (float v : g.grad(w).data) EXPECT_EQ(v, 0.0f);
  EXPECT_NE(g.print().find("conv"), std::string::npos);
}
