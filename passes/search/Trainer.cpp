//===- Trainer.cpp - mini-batch training with early stopping --------------===//
#include "passes/search/Trainer.h"

#include "engine/Npy.h"

#include <chrono>
#include <map>
#include <random>

using llvm::failure;
using llvm::success;

namespace dnnopt::search {

Trainer::Trainer(Graph &graph, Optimizer &optimizer, TrainConfig config)
    : graph(graph), opt(optimizer), cfg(std::move(config)) {}

llvm::LogicalResult Trainer::checkGraph(std::string &error) const {
  if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
    error = "training needs a graph with one input and one output (has " + std::to_string(graph.inputs().size()) +
            " and " + std::to_string(graph.outputs().size()) + ")";
    return failure();
  }
  if (cfg.batchSize < 1) {
    error = "batch size must be >= 1";
    return failure();
  }
  return success();
}

llvm::FailureOr<EvalStats> Trainer::evaluate(const Dataset &data, std::string &error) {
  if (failed(checkGraph(error))) return failure();
  EvalStats st;
  std::vector<int64_t> order(data.size());
  for (int64_t i = 0; i < data.size(); ++i) order[i] = i;
  Tensor xb, yb;
  ValueId out = graph.outputs()[0];
  for (int64_t b = 0; b < data.size(); b += cfg.batchSize) {
    int64_t e = std::min(data.size(), b + cfg.batchSize);
    data.batch(order, b, e, xb, yb);
    const Tensor *in[] = {&xb};
    if (failed(graph.forward(in, /*training=*/false, error))) return failure();
    auto loss = computeLoss(cfg.loss, graph.data(out), yb, nullptr, error);
    if (failed(loss)) return failure();
    st.loss += *loss * (double)(e - b);
    st.metric += metricSum(cfg.loss, graph.data(out), yb);
    st.samples += e - b;
  }
  if (st.samples) {
    st.loss /= (double)st.samples;
    st.metric /= (double)st.samples;
  }
  if (regularizer) st.regularizer = regularizer(graph, false);
  return st;
}

llvm::FailureOr<Tensor> Trainer::predict(const Tensor &x, std::string &error) {
  if (failed(checkGraph(error))) return failure();
  int64_t n = x.shape.empty() ? 0 : x.shape[0], per = n ? x.numel() / n : 0;
  Tensor result;
  Tensor xb;
  for (int64_t b = 0; b < n; b += cfg.batchSize) {
    int64_t e = std::min(n, b + cfg.batchSize);
    Shape s = x.shape;
    s[0] = e - b;
    xb = Tensor(s, std::vector<float>(x.data.begin() + b * per, x.data.begin() + e * per));
    const Tensor *in[] = {&xb};
    if (failed(graph.forward(in, false, error))) return failure();
    const Tensor &y = graph.data(graph.outputs()[0]);
    if (b == 0) {
      result.shape = y.shape;
      result.shape[0] = n;
      result.data.reserve(numelOf(result.shape));
    }
    result.data.insert(result.data.end(), y.data.begin(), y.data.end());
  }
  return result;
}

llvm::FailureOr<TrainResult> Trainer::fit(const Dataset &train, const Dataset *val, std::string &error) {
  if (failed(checkGraph(error))) return failure();
  if (train.size() == 0) {
    error = "no training samples";
    return failure();
  }
  TrainResult result;
  Graph::Snapshot best;
  ValueId out = graph.outputs()[0];
  Tensor xb, yb, gradOut;
  std::mt19937_64 rng(cfg.seed);
  for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<int64_t> order(train.size());
    if (cfg.shuffle) order = seededPermutation(train.size(), rng());
    else
      for (int64_t i = 0; i < train.size(); ++i) order[i] = i;
    EpochStats st;
    st.epoch = epoch;
    int64_t seen = 0, steps = 0;
    for (int64_t b = 0; b < train.size(); b += cfg.batchSize) {
      int64_t e = std::min(train.size(), b + cfg.batchSize);
      if (cfg.dropLast && e - b < cfg.batchSize && seen > 0) break;
      train.batch(order, b, e, xb, yb);
      const Tensor *in[] = {&xb};
      if (failed(graph.forward(in, /*training=*/true, error))) return failure();
      auto loss = computeLoss(cfg.loss, graph.data(out), yb, &gradOut, error);
      if (failed(loss)) return failure();
      st.trainLoss += *loss * (double)(e - b);
      st.trainMetric += metricSum(cfg.loss, graph.data(out), yb);
      opt.zeroGrad();
      std::pair<ValueId, const Tensor *> seed{out, &gradOut};
      graph.backward(seed);
      if (regularizer) st.regularizer += regularizer(graph, true);
      opt.step();
      if (afterStep) afterStep(graph);
      seen += e - b;
      ++steps;
    }
    st.trainLoss /= (double)std::max<int64_t>(seen, 1);
    st.trainMetric /= (double)std::max<int64_t>(seen, 1);
    st.regularizer /= (double)std::max<int64_t>(steps, 1);
    if (val && val->size() > 0) {
      auto ev = evaluate(*val, error);
      if (failed(ev)) return failure();
      st.valLoss = ev->loss;
      st.valMetric = ev->metric;
    }
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double s = score ? score(st) : (std::isnan(st.valLoss) ? st.trainLoss : st.valLoss);
    if (s < result.bestScore - cfg.minDelta || result.bestEpoch == 0) {
      result.bestScore = s;
      result.bestEpoch = epoch;
      st.best = true;
      if (cfg.restoreBest) best = graph.snapshot();
    }
    result.history.push_back(st);
    bool go = onEpoch ? onEpoch(st) : true;
    if (!go) break;
    if (cfg.patience > 0 && epoch - result.bestEpoch >= cfg.patience && epoch < cfg.epochs) {
      result.stoppedEarly = true;
      break;
    }
  }
  if (cfg.restoreBest && !best.empty()) graph.restore(best);
  return result;
}

llvm::LogicalResult saveCheckpoint(const Graph &graph, const std::string &path, std::string &error) {
  std::map<std::string, engine::Tensor> arrays;
  for (const auto &[v, t] : graph.snapshot()) {
    engine::Tensor e(engine::DType::F32, std::vector<int64_t>(t.shape.begin(), t.shape.end()));
    e.f = t.data;
    const std::string &name = graph.value(v).name;
    if (arrays.count(name)) {
      error = "checkpoint: two parameters are named '" + name + "'";
      return failure();
    }
    arrays[name] = std::move(e);
  }
  return engine::writeNpz(path, arrays, error) ? success() : failure();
}

llvm::LogicalResult loadCheckpoint(Graph &graph, const std::string &path, std::string &error) {
  auto arrays = engine::readNpz(path, error);
  if (failed(arrays)) return failure();
  Graph::Snapshot snap = graph.snapshot();
  for (auto &[v, t] : snap) {
    const std::string &name = graph.value(v).name;
    auto it = arrays->find(name);
    if (it == arrays->end()) {
      error = path + ": no array '" + name + "'";
      return failure();
    }
    if (Shape(it->second.shape.begin(), it->second.shape.end()) != t.shape || !engine::isFloat(it->second.dtype)) {
      error = path + ": array '" + name + "' has shape " + engine::shapeString(it->second.shape) + ", the graph has " +
              shapeStr(t.shape);
      return failure();
    }
    t.data = it->second.f;
  }
  graph.restore(snap);
  return success();
}

} // namespace dnnopt::search
