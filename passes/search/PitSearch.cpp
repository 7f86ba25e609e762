//===- PitSearch.cpp - the PIT search protocol on a dnn function ----------===//
#include "passes/search/PitSearch.h"

#include "passes/search/FromIR.h"
#include "passes/search/Trainer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace dnnopt::search;

LogicalResult dnnopt::search::parseEpochs(llvm::StringRef text, PitSearchOptions &options) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  int v[3];
  if (parts.size() != 3) return failure();
  for (int i = 0; i < 3; ++i)
    if (parts[i].trim().getAsInteger(10, v[i]) || v[i] < 0) return failure();
  options.warmupEpochs = v[0];
  options.searchEpochs = v[1];
  options.finetuneEpochs = v[2];
  return success();
}

FailureOr<PitCost> dnnopt::search::parsePitCost(llvm::StringRef text) {
  if (text == "params") return PitCost::Params;
  if (text == "macs") return PitCost::Macs;
  return failure();
}

const char *dnnopt::search::pitCostName(PitCost cost) { return cost == PitCost::Params ? "params" : "MACs"; }

FailureOr<Shape> dnnopt::search::searchInputSample(func::FuncOp func, std::string &error) {
  FunctionType type = func.getFunctionType();
  auto in = type.getNumInputs() == 1 ? dyn_cast<RankedTensorType>(type.getInput(0)) : RankedTensorType();
  if (type.getNumInputs() != 1 || type.getNumResults() != 1) {
    error = "the search needs a model with one input and one output";
    return failure();
  }
  if (!in || in.getRank() < 1 || !in.getElementType().isF32() || !in.hasStaticShape()) {
    error = "the search needs a static float32 input with a leading batch dimension";
    return failure();
  }
  return Shape(in.getShape().begin() + 1, in.getShape().end());
}

FailureOr<std::pair<Dataset, Dataset>> dnnopt::search::loadSearchData(const std::string &dataPath,
                                                                      const std::string &valPath,
                                                                      const Shape &sample, uint64_t seed,
                                                                      std::string &error) {
  auto files = loadData(dataPath, sample, error);
  if (failed(files)) return failure();
  if (!valPath.empty()) {
    auto v = loadData(valPath, sample, error);
    if (failed(v)) return failure();
    return std::make_pair(files->train, v->train);
  }
  if (files->val) return std::make_pair(files->train, *files->val);
  return splitTrainVal(files->train, 0.1, seed);
}

namespace {

/// The progress line of one epoch.
struct Progress {
  llvm::raw_ostream *os;
  const char *metric;
  void line(const char *phase, int total, const EpochStats &s, const std::string &extra = "") const {
    if (!os) return;
    *os << llvm::format("[%-9s %3d/%-3d] loss %.4f  val %s %.4f", phase, s.epoch, total, s.trainLoss, metric,
                        s.valMetric)
        << extra << llvm::format("  %.1fs", s.seconds) << (s.best ? " *" : "") << "\n";
    os->flush();
  }
};

FailureOr<std::unique_ptr<IRGraph>> graphOf(func::FuncOp func, std::string &error) {
  auto g = buildGraph(func, {}, error);
  if (failed(g)) return failure();
  if ((*g)->inputSamples.size() != 1 || (*g)->outputSamples.size() != 1) {
    error = "the search needs a model with one input and one output";
    return failure();
  }
  return g;
}

TrainConfig trainConfig(const PitSearchOptions &o, int epochs, bool restoreBest) {
  TrainConfig tc;
  tc.batchSize = o.batch;
  tc.seed = o.seed;
  tc.loss.kind = o.loss;
  tc.epochs = epochs;
  tc.restoreBest = restoreBest;
  return tc;
}

/// Trains the weights of `ir` (group "weights" only); returns the validation stats.
/// `anneal`: the last training of a run; its learning rate follows a cosine from
/// o.lr (first epoch) towards 0, so the weights settle instead of hopping around
/// the minimum (epoch e of E, 0-based: lr * (1 + cos(pi e / E)) / 2).
FailureOr<EvalStats> trainWeights(IRGraph &ir, const Dataset &train, const Dataset &val, const PitSearchOptions &o,
                                  int epochs, const char *phase, bool anneal, const Progress &progress,
                                  std::string &error) {
  OptimizerConfig oc;
  oc.groups = {{"weights", o.lr, 0.0}};
  Optimizer opt(ir.graph, oc);
  Trainer tr(ir.graph, opt, trainConfig(o, epochs, /*restoreBest=*/true));
  tr.onEpoch = [&](const EpochStats &s) {
    progress.line(phase, epochs, s);
    if (anneal) opt.setLearningRate("weights", o.lr * 0.5 * (1 + std::cos(M_PI * s.epoch / epochs)));
    return true;
  };
  if (epochs > 0 && failed(tr.fit(train, &val, error))) {
    error = std::string(phase) + ": " + error;
    return failure();
  }
  return tr.evaluate(val, error);
}

} // namespace

FailureOr<double> dnnopt::search::runWarmUp(func::FuncOp func, const Dataset &train, const Dataset &val,
                                            const PitSearchOptions &options, int epochs, llvm::raw_ostream *os,
                                            std::string &error) {
  auto ir = graphOf(func, error);
  if (failed(ir)) return failure();
  Progress progress{os, metricName(options.loss)};
  auto ev = trainWeights(**ir, train, val, options, epochs, "warm-up", /*anneal=*/false, progress, error);
  if (failed(ev) || failed(writeBack(**ir, error))) return failure();
  return ev->metric;
}

FailureOr<PitSearchResult> dnnopt::search::runPitSearch(func::FuncOp func, const Dataset &train,
                                                        const Dataset &val, const PitSearchOptions &o,
                                                        llvm::raw_ostream *os, std::string &error,
                                                        std::optional<double> seedMetric) {
  PitSearchResult result;
  Progress progress{os, metricName(o.loss)};
  auto irOr = graphOf(func, error);
  if (failed(irOr)) return failure();
  std::unique_ptr<IRGraph> ir = std::move(*irOr);
  if (failed(checkFits(train, "train", ir->inputSamples[0], ir->inputNames[0], ir->outputSamples[0], o.loss,
                       error)) ||
      failed(checkFits(val, "validation", ir->inputSamples[0], ir->inputNames[0], ir->outputSamples[0], o.loss,
                       error)))
    return failure();
  auto pitOr = Pit::attach(*ir, error);
  if (failed(pitOr)) return failure();
  std::unique_ptr<Pit> pit = std::move(*pitOr);
  for (const PitLayer &l : pit->layers)
    if (!l.isGemm) result.seedLayers.push_back({l.name, l.cout, l.kernel, l.dilation});
  result.seedCost = pit->cost(o.cost);
  if (os)
    *os << "PIT: " << result.seedLayers.size() << " searchable convs; seed cost (" << pitCostName(o.cost)
        << ", searched layers) " << llvm::format("%.0f", result.seedCost);
  if (os && o.target) *os << ", target " << llvm::format("%.0f", *o.target) << "\n";
  else if (os) *os << ", lambda " << llvm::format("%g", o.lambda) << "\n";

  // -- Warm-up: weights only (the masks are all ones) --
  if (o.warmupEpochs > 0 || !seedMetric) {
    // A run without search and fine-tune (training the seed alone) anneals its warm-up.
    bool last = o.searchEpochs == 0 && o.finetuneEpochs == 0;
    auto ev = trainWeights(*ir, train, val, o, o.warmupEpochs, "warm-up", last, progress, error);
    if (failed(ev)) return failure();
    seedMetric = ev->metric;
  }
  result.seedMetric = *seedMetric;

  // -- The regularizer --
  result.lambda = o.lambda;
  if (o.target) {
    // lambda = L_task,warm-up / (C_init - T): the penalty starts at the size of the task loss.
    OptimizerConfig none;
    Optimizer idle(ir->graph, none);
    Trainer ev(ir->graph, idle, trainConfig(o, 0, false));
    auto stats = ev.evaluate(train, error);
    if (failed(stats)) return failure();
    double excess = result.seedCost - *o.target;
    result.lambda = excess > 0 ? std::max(0.0, stats->loss / excess) : 0.0;
    if (os)
      *os << llvm::format("target %.0f: lambda = L_task %.4g / (%.0f - %.0f) = %.4g, ramped over %d epochs\n",
                          *o.target, stats->loss, result.seedCost, *o.target, result.lambda,
                          std::max(1, o.searchEpochs / 2));
  }

  // -- Search: weights + masks --
  {
    OptimizerConfig oc;
    oc.groups = {{"weights", o.lr, 0.0}, {"arch", o.archLr, 0.0}};
    Optimizer opt(ir->graph, oc);
    Trainer tr(ir->graph, opt, trainConfig(o, o.searchEpochs, /*restoreBest=*/false));
    int epoch = 0; // 0-based search epoch, for the lambda ramp
    auto lambdaNow = [&]() {
      if (!o.target) return result.lambda;
      double half = std::max(1.0, o.searchEpochs / 2.0);
      return std::min(result.lambda / 100 + epoch * 0.99 * result.lambda / half, result.lambda);
    };
    tr.regularizer = [&](Graph &, bool training) {
      double lambda = lambdaNow();
      if (!o.target) return lambda * pit->cost(o.cost, training, lambda);
      // Straight-through: the constraint is checked on the larger of the continuous
      // and the binarized (exported) cost, the gradient is the continuous cost's.
      double c = std::max(pit->cost(o.cost), pit->exportedCost(o.cost));
      if (c <= *o.target) return 0.0;
      if (training) pit->cost(o.cost, true, lambda);
      return lambda * (c - *o.target);
    };
    tr.onEpoch = [&](const EpochStats &s) {
      std::string extra = llvm::formatv("  cost {0:F0} (binarized {1:F0})", pit->cost(o.cost),
                                        pit->exportedCost(o.cost))
                              .str();
      if (o.target) {
        char buf[48];
        snprintf(buf, sizeof buf, "  lambda %.4g", lambdaNow());
        extra += buf;
      }
      extra += "  kept " + pit->keptSummary();
      progress.line("search", o.searchEpochs, s, extra);
      ++epoch;
      return true;
    };
    if (o.searchEpochs > 0 && failed(tr.fit(train, &val, error))) {
      error = "search: " + error;
      return failure();
    }
  }

  // -- Export --
  for (size_t i = 0, r = 0; i < pit->layers.size(); ++i)
    if (!pit->layers[i].isGemm) {
      PitDecision d = pit->decide((int)i);
      result.foundLayers.push_back({result.seedLayers[r++].name, (int64_t)d.keepOut.size(), d.kernel, d.dilation});
    }
  result.foundCost = pit->exportedCost(o.cost);
  result.targetMet = !o.target || result.foundCost <= *o.target;
  // The exported network must compute what the masked one computes: keep the
  // masked outputs on a few validation samples and compare after the rewrite.
  Tensor checkX, checkMasked;
  {
    Tensor yb;
    std::vector<int64_t> order(std::min<int64_t>(val.size(), 16));
    for (size_t i = 0; i < order.size(); ++i) order[i] = (int64_t)i;
    val.batch(order, 0, (int64_t)order.size(), checkX, yb);
    const Tensor *ins[] = {&checkX};
    if (failed(ir->graph.forward(ins, false, error))) return failure();
    checkMasked = ir->graph.data(ir->graph.outputs()[0]);
  }
  if (failed(pit->exportIR(error))) {
    error = "export: " + error;
    return failure();
  }
  pit.reset();
  ir.reset();

  // -- Fine-tune the smaller network --
  auto g2 = graphOf(func, error);
  if (failed(g2)) {
    error = "fine-tune: " + error;
    return failure();
  }
  ir = std::move(*g2);
  {
    const Tensor *ins[] = {&checkX};
    if (failed(ir->graph.forward(ins, false, error))) return failure();
    double diff = 0, scale = 0;
    const Tensor &y = ir->graph.data(ir->graph.outputs()[0]);
    for (int64_t k = 0; k < y.numel(); ++k) {
      diff = std::max(diff, (double)std::fabs(y[k] - checkMasked[k]));
      scale = std::max(scale, (double)std::fabs(checkMasked[k]));
    }
    if (os)
      *os << llvm::format("export check: max |exported - masked| = %.3g on %lld samples (max |out| %.3g)\n", diff,
                          (long long)checkX.shape[0], scale);
    if (diff > 1e-3 * std::max(1.0, scale)) {
      error = "the exported network differs from the masked one (internal error)";
      return failure();
    }
  }
  auto ev = trainWeights(*ir, train, val, o, o.finetuneEpochs, "fine-tune", /*anneal=*/true, progress, error);
  if (failed(ev) || failed(writeBack(*ir, error))) return failure();
  result.foundMetric = ev->metric;
  return result;
}
