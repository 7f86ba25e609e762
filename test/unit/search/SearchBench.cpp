//===- SearchBench.cpp - training speed of the search engine -------------===//
//
//   dnnopt-search-bench MODEL.onnx [--batch 32] [--steps 20] [--threads N]
//                       [--data TRAIN.npz [--epochs 2] [--lr 1e-3]]
//
// Imports MODEL.onnx as imported (no cleanup: BatchNorm stays, in training mode),
// builds the search graph and times, on random inputs of the model's shape with
// batch --batch: a forward in inference mode, and a training step (forward in
// training mode + MSE loss + backward + Adam update). With --data it trains whole
// epochs (MSE, Adam, seeded shuffling, the same protocol as
// bench/train/torch_epoch.py) and prints `dnnopt_epoch_seconds=<first epoch>`.
//
//===----------------------------------------------------------------------===//
#include "engine/kernels/Parallel.h"
#include "frontend/OnnxImporter.h"
#include "passes/search/FromIR.h"
#include "passes/search/Trainer.h"

#include "mlir/IR/MLIRContext.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

using namespace dnnopt;
using namespace dnnopt::search;

int main(int argc, char **argv) {
  std::string model, data;
  int64_t batch = 32, steps = 20, epochs = 2;
  int threads = 0;
  double lr = 1e-3;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char * { return i + 1 < argc ? argv[++i] : ""; };
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoll(next());
    else if (!std::strcmp(argv[i], "--steps")) steps = std::atoll(next());
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(next());
    else if (!std::strcmp(argv[i], "--data")) data = next();
    else if (!std::strcmp(argv[i], "--epochs")) epochs = std::atoll(next());
    else if (!std::strcmp(argv[i], "--lr")) lr = std::atof(next());
    else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: %s MODEL.onnx [--batch N] [--steps N] [--threads N] [--data TRAIN.npz "
                           "[--epochs N] [--lr X]]\n", argv[0]);
      return 1;
    } else model = argv[i];
  }
  if (model.empty()) {
    std::fprintf(stderr, "%s: no model given\n", argv[0]);
    return 1;
  }
  kernels::setNumThreads(threads);
  mlir::MLIRContext ctx;
  loadImporterDialects(ctx);
  auto module = importOnnxFile(model, ctx);
  if (!module) return 1;
  auto func = *module->getOps<mlir::func::FuncOp>().begin();
  std::string err;
  auto g = buildGraph(func, {}, err);
  if (failed(g)) {
    std::fprintf(stderr, "%s: %s\n", model.c_str(), err.c_str());
    return 1;
  }
  Graph &graph = (*g)->graph;
  std::printf("model %s: %lld parameters, %d nodes, threads %d\n", model.c_str(),
              (long long)graph.numParamElements(), graph.numNodes(), kernels::numThreads());
  OptimizerConfig oc;
  oc.groups = {{"weights", lr, 0.0}};
  Optimizer opt(graph, oc);

  if (!data.empty()) {
    auto files = loadNpz(data, err);
    if (failed(files) ||
        failed(checkFits(files->train, data, (*g)->inputSamples[0], (*g)->inputNames[0], (*g)->outputSamples[0],
                         LossKind::MSE, err))) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 1;
    }
    TrainConfig tc;
    tc.epochs = (int)epochs;
    tc.batchSize = batch;
    tc.restoreBest = false;
    Trainer tr(graph, opt, tc);
    double first = 0;
    tr.onEpoch = [&](const EpochStats &s) {
      if (s.epoch == 1) first = s.seconds;
      std::printf("epoch %d: %.3f s, %.0f samples/s, train loss %.5f\n", s.epoch, s.seconds,
                  (double)files->train.size() / s.seconds, s.trainLoss);
      return true;
    };
    if (failed(tr.fit(files->train, nullptr, err))) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 1;
    }
    std::printf("dnnopt_epoch_seconds=%.4f\n", first);
    return 0;
  }

  Shape xs{batch};
  xs.insert(xs.end(), (*g)->inputSamples[0].begin(), (*g)->inputSamples[0].end());
  Shape ys{batch};
  ys.insert(ys.end(), (*g)->outputSamples[0].begin(), (*g)->outputSamples[0].end());
  Tensor x(xs), y(ys), grad;
  std::mt19937 rng(0);
  std::normal_distribution<float> nd;
  for (float &v : x.data) v = nd(rng);
  for (float &v : y.data) v = nd(rng);
  const Tensor *in[] = {&x};
  ValueId out = graph.outputs()[0];
  auto now = [] { return std::chrono::steady_clock::now(); };
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  // Warm up (allocations), then time.
  for (int k = 0; k < 2; ++k) (void)graph.forward(in, true, err);
  auto t0 = now();
  for (int64_t s = 0; s < steps; ++s)
    if (failed(graph.forward(in, false, err))) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 1;
    }
  auto t1 = now();
  double fwdOnly = 0, fwdTrain = 0, bwd = 0, step = 0;
  for (int64_t s = 0; s < steps; ++s) {
    auto a = now();
    (void)graph.forward(in, true, err);
    auto b = now();
    (void)computeLoss({LossKind::MSE}, graph.data(out), y, &grad, err);
    opt.zeroGrad();
    std::pair<ValueId, const Tensor *> seed{out, &grad};
    graph.backward(seed);
    auto c = now();
    opt.step();
    auto d = now();
    fwdTrain += ms(a, b);
    bwd += ms(b, c);
    step += ms(c, d);
  }
  fwdOnly = ms(t0, t1) / steps;
  std::printf("batch %lld: inference forward %.2f ms; training step %.2f ms = forward %.2f + loss/backward %.2f "
              "+ Adam %.2f\n",
              (long long)batch, fwdOnly, (fwdTrain + bwd + step) / steps, fwdTrain / steps, bwd / steps,
              step / steps);
  return 0;
}
