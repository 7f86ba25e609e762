//===- LossOptimizerTest.cpp - losses and optimizer steps -----------------===//
#include "GradCheck.h"

#include "passes/search/Loss.h"
#include "passes/search/Optimizer.h"

using namespace dnnopt::search;
using namespace dnnopt::search::test;

namespace {
double lossOf(const LossConfig &c, const Tensor &p, const Tensor &t, Tensor *g = nullptr) {
  std::string err;
  auto l = computeLoss(c, p, t, g, err);
  EXPECT_TRUE(succeeded(l)) << err;
  return succeeded(l) ? *l : NAN;
}

/// dLoss/dpred against central differences.
void checkLossGradient(const LossConfig &c, Tensor pred, const Tensor &target) {
  Tensor g;
  lossOf(c, pred, target, &g);
  for (int64_t k = 0; k < pred.numel(); ++k) {
    float keep = pred[k];
    pred[k] = keep + 1e-3f;
    double lp = lossOf(c, pred, target);
    pred[k] = keep - 1e-3f;
    double lm = lossOf(c, pred, target);
    pred[k] = keep;
    EXPECT_NEAR(g[k], (lp - lm) / 2e-3, 1e-3 + 1e-2 * std::fabs(g[k])) << lossName(c.kind) << " [" << k << "]";
  }
}
} // namespace

TEST(SearchLoss, HandComputedValues) {
  Tensor p({2, 2}, {1, 2, 3, 4}), t({2, 2}, {1, 0, 0, 4.5f});
  // Differences 0, 2, 3, -0.5.
  EXPECT_NEAR(lossOf({LossKind::MSE}, p, t), (0 + 4 + 9 + 0.25) / 4, 1e-6);
  EXPECT_NEAR(lossOf({LossKind::MAE}, p, t), (0 + 2 + 3 + 0.5) / 4, 1e-6);
  // Huber delta 1: 0, 1*(2-0.5), 1*(3-0.5), 0.5*0.25.
  EXPECT_NEAR(lossOf({LossKind::Huber, 1.0f}, p, t), (0 + 1.5 + 2.5 + 0.125) / 4, 1e-6);
  // Cross-entropy of logits [0, ln 3] with label 1: -log(3/4); label 0: -log(1/4).
  Tensor z({2, 2}, {0, std::log(3.0f), 0, std::log(3.0f)}), labels({2}, {1, 0});
  EXPECT_NEAR(lossOf({LossKind::CrossEntropy}, z, labels), (-std::log(0.75) - std::log(0.25)) / 2, 1e-6);
  Tensor onehot({2, 2}, {0, 1, 1, 0});
  EXPECT_NEAR(lossOf({LossKind::CrossEntropy}, z, onehot), (-std::log(0.75) - std::log(0.25)) / 2, 1e-6);
  EXPECT_NEAR(metricSum({LossKind::CrossEntropy}, z, labels), 1.0, 0); // sample 0 right, 1 wrong
  EXPECT_NEAR(metricSum({LossKind::MAE}, p, t), (0 + 2) / 2.0 + (3 + 0.5) / 2.0, 1e-6);
}

TEST(SearchLoss, GradientsMatchFiniteDifferences) {
  Tensor pred = randomTensor({4, 3}, 1, -2, 2), target = randomTensor({4, 3}, 2, -2, 2);
  checkLossGradient({LossKind::MSE}, pred, target);
  checkLossGradient({LossKind::MAE}, pred, target);
  checkLossGradient({LossKind::Huber, 0.7f}, pred, target);
  checkLossGradient({LossKind::CrossEntropy}, pred, Tensor({4}, {0, 2, 1, 2}));
  checkLossGradient({LossKind::CrossEntropy}, pred, Tensor({4, 1}, {0, 2, 1, 2}));
  Tensor soft({4, 3}, {0.2f, 0.3f, 0.5f, 1, 0, 0, 0, 1, 0, 0.1f, 0.1f, 0.8f});
  checkLossGradient({LossKind::CrossEntropy}, pred, soft);
}

TEST(SearchLoss, ShapeErrors) {
  std::string err;
  EXPECT_TRUE(failed(computeLoss({LossKind::MSE}, Tensor({4, 1}), Tensor({4, 2}), nullptr, err)));
  EXPECT_NE(err.find("[4,2]"), std::string::npos) << err;
  EXPECT_NE(err.find("[4,1]"), std::string::npos) << err;
  EXPECT_TRUE(failed(computeLoss({LossKind::CrossEntropy}, Tensor({2, 3}), Tensor({2}, {0, 3}), nullptr, err)));
  EXPECT_NE(err.find("out of range"), std::string::npos) << err;
  EXPECT_TRUE(succeeded(parseLossKind("huber")));
  EXPECT_TRUE(failed(parseLossKind("hinge")));
}

TEST(SearchOptimizer, SgdMomentumByHand) {
  Graph g;
  ValueId p = g.addParam("p", Tensor({1}, 1.0f));
  OptimizerConfig c;
  c.kind = OptimizerKind::SGD;
  c.momentum = 0.9;
  c.groups = {{"weights", 0.1, 0.0}};
  Optimizer opt(g, c);
  g.grad(p)[0] = 0.5f;
  opt.step(); // buf = 0.5, p = 1 - 0.05
  EXPECT_NEAR(g.data(p)[0], 0.95, 1e-7);
  opt.step(); // buf = 0.9 * 0.5 + 0.5 = 0.95, p = 0.95 - 0.095
  EXPECT_NEAR(g.data(p)[0], 0.855, 1e-6);
  // Weight decay adds wd * p to the gradient; nesterov uses g + momentum * buf.
  Graph h;
  ValueId q = h.addParam("q", Tensor({1}, 2.0f));
  c.nesterov = true;
  c.groups = {{"weights", 0.1, 0.25}};
  Optimizer o2(h, c);
  h.grad(q)[0] = 0.5f;
  o2.step(); // g = 0.5 + 0.5 = 1, buf = 1, step = 1 + 0.9 = 1.9
  EXPECT_NEAR(h.data(q)[0], 2.0 - 0.19, 1e-6);
}

TEST(SearchOptimizer, AdamByHandWithGroups) {
  Graph g;
  ValueId w = g.addParam("w", Tensor({2}, {1.0f, -1.0f}));
  ValueId a = g.addParam("a", Tensor({1}, 1.0f), "arch");
  ValueId f = g.addParam("f", Tensor({1}, 1.0f), "frozen");
  OptimizerConfig c;
  c.kind = OptimizerKind::Adam;
  c.groups = {{"weights", 0.1, 0.0}, {"arch", 0.01, 0.0}};
  Optimizer opt(g, c);
  for (int s = 0; s < 2; ++s) {
    g.grad(w)[0] = 0.5f;
    g.grad(w)[1] = -2.0f;
    g.grad(a)[0] = 3.0f;
    g.grad(f)[0] = 1.0f;
    opt.step();
  }
  // With a constant gradient, Adam's bias-corrected step is lr * sign(g) (up to eps).
  EXPECT_NEAR(g.data(w)[0], 1.0 - 0.2, 1e-6);
  EXPECT_NEAR(g.data(w)[1], -1.0 + 0.2, 1e-6);
  EXPECT_NEAR(g.data(a)[0], 1.0 - 0.02, 1e-6);
  EXPECT_EQ(g.data(f)[0], 1.0f); // group not configured: frozen
  EXPECT_DOUBLE_EQ(opt.learningRate("arch"), 0.01);
  opt.setLearningRate("arch", 0.5);
  EXPECT_DOUBLE_EQ(opt.learningRate("arch"), 0.5);
  // Step 3 with a different gradient: m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2.
  double m = 0.1 * 0.5, v = 0.001 * 0.25;
  m = 0.9 * m + 0.1 * 0.5;
  v = 0.999 * v + 0.001 * 0.25;
  m = 0.9 * m + 0.1 * 1.0;
  v = 0.999 * v + 0.001 * 1.0;
  double expect = 0.8 - 0.1 * (m / (1 - std::pow(0.9, 3))) / (std::sqrt(v / (1 - std::pow(0.999, 3))) + 1e-8);
  g.grad(w)[0] = 1.0f;
  opt.step();
  EXPECT_NEAR(g.data(w)[0], expect, 1e-6);
}
