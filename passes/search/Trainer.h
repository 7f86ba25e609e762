//===- Trainer.h - mini-batch training with early stopping ------*- C++ -*-===//
//
// Trains a Graph with one input and one output on a Dataset: seeded shuffling,
// mini-batches, a loss (Loss.h), an Optimizer, per-epoch validation, early
// stopping on a score (default: validation loss), a checkpoint of the best
// epoch's parameters and buffers (restored at the end), and a callback per epoch.
//
// Deterministic: the same seed, data, graph and batch size give bit-identical
// parameters, whatever the number of threads (see engine/kernels/Parallel.h).
//
// Hooks for searches:
//   regularizer(graph, training): returns a value added to the loss (e.g.
//     lambda * hardware cost); when `training`, it must also ADD its gradient to
//     the parameters' grads (called after the task backward of every step).
//   afterStep(graph): after each optimizer step (e.g. clamp architecture params).
//   score(stats): what early stopping minimizes.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_TRAINER_H
#define DNNOPT_PASSES_SEARCH_TRAINER_H

#include "passes/search/Dataset.h"
#include "passes/search/Loss.h"
#include "passes/search/Optimizer.h"

#include <cmath>

namespace dnnopt::search {

struct TrainConfig {
  int epochs = 10;
  int64_t batchSize = 32;
  uint64_t seed = 0;
  bool shuffle = true;
  bool dropLast = false;   ///< skip a last incomplete batch
  LossConfig loss;
  int patience = 0;        ///< stop after this many epochs without improvement (0: never)
  double minDelta = 0.0;   ///< improvement = score < best - minDelta
  bool restoreBest = true; ///< restore the best epoch's checkpoint at the end
};

struct EpochStats {
  int epoch = 0;                      ///< 1-based
  double trainLoss = 0, trainMetric = 0;
  double valLoss = NAN, valMetric = NAN; ///< NaN without validation data
  double regularizer = 0;             ///< mean regularizer value over the epoch's steps
  double seconds = 0;
  bool best = false;                  ///< this epoch is the best so far (checkpointed)
};

struct TrainResult {
  std::vector<EpochStats> history;
  int bestEpoch = 0;
  double bestScore = INFINITY;
  bool stoppedEarly = false;
};

struct EvalStats {
  double loss = 0, metric = 0, regularizer = 0;
  int64_t samples = 0;
};

class Trainer {
public:
  Trainer(Graph &graph, Optimizer &optimizer, TrainConfig config);

  std::function<double(Graph &, bool training)> regularizer;
  std::function<void(Graph &)> afterStep;
  std::function<double(const EpochStats &)> score;
  /// Called after every epoch; returning false stops training.
  std::function<bool(const EpochStats &)> onEpoch;

  /// Trains for config.epochs (or until early stopping). `val` may be null.
  llvm::FailureOr<TrainResult> fit(const Dataset &train, const Dataset *val, std::string &error);
  /// Loss and metric in inference mode (BatchNorm uses running statistics).
  llvm::FailureOr<EvalStats> evaluate(const Dataset &data, std::string &error);
  /// Model outputs for x [S, ...] in inference mode.
  llvm::FailureOr<Tensor> predict(const Tensor &x, std::string &error);

  TrainConfig &config() { return cfg; }

private:
  llvm::LogicalResult checkGraph(std::string &error) const;
  Graph &graph;
  Optimizer &opt;
  TrainConfig cfg;
};

/// Writes every Param and Buffer of `graph` (by value name) to a .npz file, and
/// reads such a file back into the graph (names and shapes must match).
llvm::LogicalResult saveCheckpoint(const Graph &graph, const std::string &path, std::string &error);
llvm::LogicalResult loadCheckpoint(Graph &graph, const std::string &path, std::string &error);

} // namespace dnnopt::search

#endif
