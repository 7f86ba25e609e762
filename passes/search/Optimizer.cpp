//===- Optimizer.cpp - SGD with momentum and Adam ---------------------------===//
#include "passes/search/Optimizer.h"

#include <cmath>

namespace dnnopt::search {

Optimizer::Optimizer(Graph &graph, OptimizerConfig config) : graph(graph), cfg(std::move(config)) {}

void Optimizer::setLearningRate(const std::string &group, double lr) {
  for (ParamGroupConfig &g : cfg.groups)
    if (g.group == group) g.lr = lr;
}

double Optimizer::learningRate(const std::string &group) const {
  for (const ParamGroupConfig &g : cfg.groups)
    if (g.group == group) return g.lr;
  return 0.0;
}

void Optimizer::step() {
  for (const ParamGroupConfig &gc : cfg.groups)
    for (ValueId p : graph.params(gc.group)) {
      ValueInfo &info = graph.value(p);
      if (!info.requiresGrad || info.grad.numel() != info.data.numel()) continue;
      ParamState &st = state[p];
      int64_t n = info.data.numel();
      float *w = info.data.ptr();
      const float *g = info.grad.ptr();
      double lr = gc.lr, wd = gc.weightDecay;
      ++st.t;
      if (cfg.kind == OptimizerKind::SGD) {
        if (cfg.momentum == 0.0) {
          for (int64_t k = 0; k < n; ++k) w[k] -= (float)(lr * (g[k] + wd * w[k]));
          continue;
        }
        st.m.resize(n, 0.0f);
        for (int64_t k = 0; k < n; ++k) {
          double gk = g[k] + wd * w[k];
          double buf = cfg.momentum * st.m[k] + gk;
          st.m[k] = (float)buf;
          w[k] -= (float)(lr * (cfg.nesterov ? gk + cfg.momentum * buf : buf));
        }
        continue;
      }
      st.m.resize(n, 0.0f);
      st.v.resize(n, 0.0f);
      double b1 = cfg.beta1, b2 = cfg.beta2;
      double c1 = 1.0 - std::pow(b1, (double)st.t), c2 = 1.0 - std::pow(b2, (double)st.t);
      for (int64_t k = 0; k < n; ++k) {
        double gk = g[k] + wd * w[k];
        double m = b1 * st.m[k] + (1 - b1) * gk, v = b2 * st.v[k] + (1 - b2) * gk * gk;
        st.m[k] = (float)m;
        st.v[k] = (float)v;
        w[k] -= (float)(lr * (m / c1) / (std::sqrt(v / c2) + cfg.eps));
      }
    }
}

} // namespace dnnopt::search
