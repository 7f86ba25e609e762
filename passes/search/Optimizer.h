//===- Optimizer.h - SGD with momentum and Adam, per-group rates -*- C++ -*-===//
//
// Updates the parameters of a Graph from their gradients. Parameters belong to
// groups (Graph::addParam's `group`: "weights" for the model, "arch" for
// architecture parameters such as PIT masks); each configured group has its own
// learning rate and weight decay. Parameters of groups that are not configured,
// or with requiresGrad off, are left alone (frozen).
//
// Update rules (PyTorch's, L2 weight decay added to the gradient):
//   SGD:  g += wd*p;  buf = momentum*buf + g;  p -= lr * (nesterov ? g + momentum*buf : buf)
//   Adam: g += wd*p;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
//         p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)      (t: the parameter's step)
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_OPTIMIZER_H
#define DNNOPT_PASSES_SEARCH_OPTIMIZER_H

#include "passes/search/Graph.h"

#include <map>

namespace dnnopt::search {

enum class OptimizerKind { SGD, Adam };

struct ParamGroupConfig {
  std::string group;       ///< Graph parameter group name
  double lr = 1e-3;
  double weightDecay = 0.0;
};

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Adam;
  std::vector<ParamGroupConfig> groups{{"weights", 1e-3, 0.0}};
  double momentum = 0.9; ///< SGD
  bool nesterov = false; ///< SGD
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8; ///< Adam
};

class Optimizer {
public:
  Optimizer(Graph &graph, OptimizerConfig config);
  /// One update of every parameter of the configured groups.
  void step();
  /// Zeroes every parameter gradient of the graph.
  void zeroGrad() { graph.zeroGrad(); }
  void setLearningRate(const std::string &group, double lr);
  /// Learning rate of a group (0 when not configured).
  double learningRate(const std::string &group) const;
  /// Forgets the moments (momentum buffers, Adam m / v and step counts).
  void reset() { state.clear(); }
  const OptimizerConfig &config() const { return cfg; }

private:
  struct ParamState {
    std::vector<float> m, v;
    int64_t t = 0;
  };
  Graph &graph;
  OptimizerConfig cfg;
  std::map<ValueId, ParamState> state;
};

} // namespace dnnopt::search

#endif
