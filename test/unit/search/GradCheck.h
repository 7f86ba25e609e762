//===- GradCheck.h - finite-difference gradient checks (tests) -*- C++ -*-===//
#ifndef DNNOPT_TEST_UNIT_SEARCH_GRADCHECK_H
#define DNNOPT_TEST_UNIT_SEARCH_GRADCHECK_H

#include "passes/search/Graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace dnnopt::search::test {

/// Uniform values in [lo, hi).
inline Tensor randomTensor(Shape s, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(std::move(s));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (float &v : t.data) v = d(rng);
  return t;
}

/// Random values at least `margin` away from 0 (for kinks at 0: relu, abs, ...).
inline Tensor awayFromZero(Shape s, uint64_t seed, float margin = 0.1f) {
  Tensor t = randomTensor(std::move(s), seed);
  for (float &v : t.data) v = v >= 0 ? v + margin : v - margin;
  return t;
}

/// Distinct values spaced 0.05 apart in random order (no ties for max pooling).
inline Tensor distinctTensor(Shape s, uint64_t seed) {
  Tensor t(std::move(s));
  std::vector<int64_t> p(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = t.numel() - 1; i > 0; --i) std::swap(p[i], p[rng() % (i + 1)]);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = 0.05f * (float)(p[i] - t.numel() / 2);
  return t;
}

struct GradCheckOptions {
  bool training = true;
  float eps = 1e-2f;
  double atol = 2e-3, rtol = 1e-2;
  int64_t maxElems = 64; ///< elements checked per leaf (spread evenly)
};

/// Checks dL/dleaf for every input and parameter that requires a gradient, with
/// L = sum(out * R) for a fixed random R, against central differences.
inline void checkGradients(Graph &g, std::vector<Tensor> inputs, const GradCheckOptions &o = {}) {
  std::string err;
  std::vector<const Tensor *> ins;
  for (Tensor &t : inputs) ins.push_back(&t);
  ASSERT_TRUE(succeeded(g.forward(ins, o.training, err))) << err;
  ValueId out = g.outputs().at(0);
  Tensor R = randomTensor(g.data(out).shape, 1234);
  auto loss = [&]() {
    std::string e;
    std::vector<const Tensor *> in2;
    for (ValueId v : g.inputs()) in2.push_back(&g.data(v)); // inputs may be perturbed in place
    std::vector<Tensor> copies;
    for (const Tensor *t : in2) copies.push_back(*t);
    std::vector<const Tensor *> cp;
    for (Tensor &t : copies) cp.push_back(&t);
    EXPECT_TRUE(succeeded(g.forward(cp, o.training, e))) << e;
    double l = 0;
    const Tensor &y = g.data(out);
    for (int64_t k = 0; k < y.numel(); ++k) l += (double)y[k] * R[k];
    return l;
  };
  g.zeroGrad();
  ASSERT_TRUE(succeeded(g.forward(ins, o.training, err))) << err;
  std::pair<ValueId, const Tensor *> seed{out, &R};
  g.backward(seed);
  std::vector<std::pair<ValueId, Tensor>> analytic;
  for (ValueId v = 0; v < g.numValues(); ++v) {
    const ValueInfo &info = g.value(v);
    if (info.kind != ValueKind::Activation && info.requiresGrad) analytic.emplace_back(v, info.grad);
  }
  ASSERT_FALSE(analytic.empty());
  double largest = 0;
  for (auto &[v, ga] : analytic) {
    Tensor &data = g.data(v);
    ASSERT_EQ(ga.numel(), data.numel()) << g.value(v).name;
    int64_t n = data.numel(), step = std::max<int64_t>(1, n / o.maxElems);
    for (int64_t k = 0; k < n; k += step) {
      float keep = data[k];
      data[k] = keep + o.eps;
      double lp = loss();
      data[k] = keep - o.eps;
      double lm = loss();
      data[k] = keep;
      double num = (lp - lm) / (2.0 * o.eps), an = ga[k];
      largest = std::max(largest, std::fabs(num));
      EXPECT_NEAR(an, num, o.atol + o.rtol * std::max(std::fabs(an), std::fabs(num)))
          << "d/d " << g.value(v).name << "[" << k << "]";
    }
  }
  EXPECT_GT(largest, 1e-3) << "the checked loss does not depend on any leaf";
}

} // namespace dnnopt::search::test

#endif
