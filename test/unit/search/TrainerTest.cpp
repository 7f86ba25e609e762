//===- TrainerTest.cpp - training loop, determinism, early stopping -------===//
#include "GradCheck.h"

#include "engine/kernels/Parallel.h"
#include "passes/search/Ops.h"
#include "passes/search/Trainer.h"

#include <cstdio>

using namespace dnnopt::search;
using namespace dnnopt::search::test;

namespace {

/// conv1d(2->4, k3) + relu + global avg pool + flatten + linear(4->1).
std::unique_ptr<Graph> tinyModel(uint64_t seed) {
  auto g = std::make_unique<Graph>();
  ValueId x = g->addInput("x", {2, 16});
  ConvAttrs c;
  c.pads = {1, 1};
  ValueId w = g->addParam("conv.weight", randomTensor({4, 2, 3}, seed, -0.5f, 0.5f));
  ValueId b = g->addParam("conv.bias", Tensor({4}, 0.1f));
  ValueId h = g->addNode(makeConv(c), {x, w, b});
  h = g->addNode(makeUnary(UnaryKind::Relu), {h});
  h = g->addNode(makeGlobalPool(false), {h});
  h = g->addNode(makeReshape({-1, 4}), {h});
  ValueId fw = g->addParam("fc.weight", randomTensor({1, 4}, seed + 1, -0.5f, 0.5f));
  ValueId fb = g->addParam("fc.bias", Tensor({1}, 0.0f));
  GemmAttrs ga;
  ga.transB = true;
  g->addOutput(g->addNode(makeGemm(ga), {h, fw, fb}));
  return g;
}

/// y = 2 * mean(x[:, 0]) - mean(x[:, 1]) + 0.5, x uniform in [0, 1).
Dataset regression(int64_t n, uint64_t seed) {
  Dataset d;
  d.x = randomTensor({n, 2, 16}, seed, 0.0f, 1.0f);
  d.y = Tensor({n, 1});
  for (int64_t s = 0; s < n; ++s) {
    double a = 0, b = 0;
    for (int t = 0; t < 16; ++t) {
      a += d.x[(s * 2 + 0) * 16 + t];
      b += d.x[(s * 2 + 1) * 16 + t];
    }
    d.y[s] = (float)(2 * a / 16 - b / 16 + 0.5);
  }
  return d;
}

TrainConfig config(int epochs) {
  TrainConfig c;
  c.epochs = epochs;
  c.batchSize = 16;
  c.seed = 7;
  c.loss.kind = LossKind::MSE;
  return c;
}

OptimizerConfig adam(double lr) {
  OptimizerConfig o;
  o.kind = OptimizerKind::Adam;
  o.groups = {{"weights", lr, 0.0}};
  return o;
}

std::vector<float> allParams(const Graph &g) {
  std::vector<float> r;
  for (ValueId p : g.params()) r.insert(r.end(), g.data(p).data.begin(), g.data(p).data.end());
  return r;
}

} // namespace

// The stated factor: 60 epochs of Adam on 256 samples divide the validation MSE by >= 20.
TEST(SearchTrainer, TinyRegressionLearns) {
  auto g = tinyModel(1);
  Dataset train = regression(256, 2), val = regression(64, 3);
  Optimizer opt(*g, adam(0.02));
  TrainConfig cfg = config(60);
  Trainer tr(*g, opt, cfg);
  std::string err;
  auto before = tr.evaluate(val, err);
  ASSERT_TRUE(succeeded(before)) << err;
  int calls = 0;
  tr.onEpoch = [&](const EpochStats &s) {
    ++calls;
    EXPECT_EQ(s.epoch, calls);
    EXPECT_FALSE(std::isnan(s.valLoss));
    return true;
  };
  auto res = tr.fit(train, &val, err);
  ASSERT_TRUE(succeeded(res)) << err;
  EXPECT_EQ(calls, 60);
  auto after = tr.evaluate(val, err);
  ASSERT_TRUE(succeeded(after)) << err;
  std::printf("validation MSE %.5f -> %.5f (/%.0f), MAE %.4f\n", before->loss, after->loss,
              before->loss / after->loss, after->metric);
  EXPECT_LT(after->loss * 20, before->loss) << "before " << before->loss << " after " << after->loss;
  EXPECT_NEAR(after->loss, res->history[res->bestEpoch - 1].valLoss, 1e-9); // best epoch restored
  EXPECT_LT(after->metric, 0.1); // MAE
}

TEST(SearchTrainer, DeterministicForSeedAndThreadCount) {
  Dataset train = regression(100, 4);
  std::vector<std::vector<float>> results;
  for (int threads : {2, 1, 2}) {
    dnnopt::kernels::setNumThreads(threads);
    auto g = tinyModel(5);
    Optimizer opt(*g, adam(0.01));
    Trainer tr(*g, opt, config(3));
    std::string err;
    ASSERT_TRUE(succeeded(tr.fit(train, nullptr, err))) << err;
    results.push_back(allParams(*g));
  }
  dnnopt::kernels::setNumThreads(0);
  EXPECT_EQ(results[0], results[1]); // bit-identical
  EXPECT_EQ(results[0], results[2]);
  // Another seed shuffles differently.
  auto g = tinyModel(5);
  Optimizer opt(*g, adam(0.01));
  TrainConfig c = config(3);
  c.seed = 8;
  Trainer tr(*g, opt, c);
  std::string err;
  ASSERT_TRUE(succeeded(tr.fit(train, nullptr, err))) << err;
  EXPECT_NE(allParams(*g), results[0]);
}

TEST(SearchTrainer, EarlyStoppingAndBestCheckpoint) {
  auto g = tinyModel(6);
  Dataset train = regression(64, 5), val = regression(32, 6);
  Optimizer opt(*g, adam(0.01));
  TrainConfig c = config(20);
  c.patience = 3;
  Trainer tr(*g, opt, c);
  // A score that is best at epoch 2 and worse afterwards.
  tr.score = [](const EpochStats &s) { return std::fabs(s.epoch - 2.0); };
  std::vector<float> atEpoch2;
  tr.onEpoch = [&](const EpochStats &s) {
    if (s.epoch == 2) atEpoch2 = allParams(*g);
    return true;
  };
  std::string err;
  auto res = tr.fit(train, &val, err);
  ASSERT_TRUE(succeeded(res)) << err;
  EXPECT_TRUE(res->stoppedEarly);
  EXPECT_EQ(res->bestEpoch, 2);
  EXPECT_EQ(res->history.size(), 5u); // epochs 3, 4, 5 without improvement
  EXPECT_TRUE(res->history[1].best);
  EXPECT_EQ(allParams(*g), atEpoch2); // restored
}

TEST(SearchTrainer, RegularizerHookAndCallbackStop) {
  auto g = tinyModel(7);
  Dataset train = regression(32, 7);
  Optimizer opt(*g, adam(0.01));
  Trainer tr(*g, opt, config(10));
  ValueId w = g->find("conv.weight");
  int steps = 0;
  tr.regularizer = [&](Graph &gr, bool training) {
    double s = 0;
    for (int64_t k = 0; k < gr.data(w).numel(); ++k) {
      s += gr.data(w)[k] * gr.data(w)[k];
      if (training) gr.grad(w)[k] += 2 * 0.1f * gr.data(w)[k];
    }
    steps += training;
    return 0.1 * s;
  };
  tr.onEpoch = [](const EpochStats &s) { return s.epoch < 2; };
  std::string err;
  auto res = tr.fit(train, nullptr, err);
  ASSERT_TRUE(succeeded(res)) << err;
  EXPECT_EQ(res->history.size(), 2u);
  EXPECT_EQ(steps, 4); // 2 epochs x 2 batches of 16
  EXPECT_GT(res->history[0].regularizer, 0.0);
}

TEST(SearchTrainer, CheckpointFileRoundTrip) {
  auto g = tinyModel(8);
  std::string path = ::testing::TempDir() + "/search_ckpt.npz", err;
  ASSERT_TRUE(succeeded(saveCheckpoint(*g, path, err))) << err;
  std::vector<float> saved = allParams(*g);
  for (ValueId p : g->params()) g->data(p).fill(0.0f);
  ASSERT_TRUE(succeeded(loadCheckpoint(*g, path, err))) << err;
  EXPECT_EQ(allParams(*g), saved);
  std::remove(path.c_str());
}

TEST(SearchTrainer, PredictMatchesForwardInBatches) {
  auto g = tinyModel(9);
  Optimizer opt(*g, adam(0.01));
  TrainConfig c = config(1);
  c.batchSize = 7;
  Trainer tr(*g, opt, c);
  Dataset d = regression(20, 9);
  std::string err;
  auto p = tr.predict(d.x, err);
  ASSERT_TRUE(succeeded(p)) << err;
  EXPECT_EQ(p->shape, (Shape{20, 1}));
  const Tensor *in[] = {&d.x};
  ASSERT_TRUE(succeeded(g->forward(in, false, err)));
  for (int64_t k = 0; k < 20; ++k) EXPECT_NEAR((*p)[k], g->data(g->outputs()[0])[k], 1e-6);
}
