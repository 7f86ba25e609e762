//===- ConvKernelTest.cpp - conv kernels vs a float64 reference ------------===//
//
// engine/kernels/Conv.cpp has two paths: direct 1-D loops (stride 1) with
// vector tiles and scalar tails, and im2col + Eigen for the rest. Both are
// checked, forward and backward, against a plain float64 loop over the
// definition, on shapes that hit every tile / tail combination (lengths around
// multiples of the vector width, channel counts around the tile size, groups,
// dilations, asymmetric and oversized padding, batches that do not fill the
// sample chunks). The tolerance scales with the sum of |terms| of each output.
//
//===----------------------------------------------------------------------===//
#include "engine/kernels/Conv.h"
#include "engine/kernels/Parallel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace dnnopt::kernels;

namespace {

struct Case {
  int64_t N, C, M, G;
  std::vector<int64_t> in, kernel, stride, dilation, pads; // pads: begins then ends
};

std::string name(const Case &c) {
  std::string s = "N" + std::to_string(c.N) + " C" + std::to_string(c.C) + " M" + std::to_string(c.M) + " G" +
                  std::to_string(c.G) + " in";
  for (int64_t v : c.in) s += " " + std::to_string(v);
  s += " k";
  for (int64_t v : c.kernel) s += " " + std::to_string(v);
  s += " s";
  for (int64_t v : c.stride) s += " " + std::to_string(v);
  s += " d";
  for (int64_t v : c.dilation) s += " " + std::to_string(v);
  s += " p";
  for (int64_t v : c.pads) s += " " + std::to_string(v);
  return s;
}

std::vector<float> random(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v) x = d(rng);
  return v;
}

/// The convolution's taps, straight from the definition: calls fn(yIndex,
/// xIndex, wIndex) for every product term.
template <typename Fn>
void forEachTerm(const ConvGeometry &g, Fn fn) {
  const int64_t cg = g.inChannels / g.group, mg = g.outChannels / g.group;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t m = 0; m < g.outChannels; ++m)
      for (int64_t od = 0; od < g.out[0]; ++od)
        for (int64_t oh = 0; oh < g.out[1]; ++oh)
          for (int64_t ow = 0; ow < g.out[2]; ++ow) {
            int64_t yi = (((n * g.outChannels + m) * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow;
            for (int64_t ic = 0; ic < cg; ++ic) {
              int64_t c = m / mg * cg + ic;
              for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
                for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
                  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                    int64_t id = od * g.stride[0] - g.padBegin[0] + kd * g.dilation[0];
                    int64_t ih = oh * g.stride[1] - g.padBegin[1] + kh * g.dilation[1];
                    int64_t iw = ow * g.stride[2] - g.padBegin[2] + kw * g.dilation[2];
                    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) continue;
                    int64_t xi = (((n * g.inChannels + c) * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw;
                    int64_t wi = (((m * cg + ic) * g.kernel[0] + kd) * g.kernel[1] + kh) * g.kernel[2] + kw;
                    fn(yi, xi, wi);
                  }
            }
          }
}

/// got[i] must be ref[i] within 1e-5 of the sum of |terms| (plus a tiny floor).
void expectClose(const char *what, const std::string &c, const std::vector<float> &got,
                 const std::vector<double> &ref, const std::vector<double> &absSum) {
  ASSERT_EQ(got.size(), ref.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::fabs(got[i] - ref[i]) <= 1e-5 * absSum[i] + 1e-6)) {
      ADD_FAILURE() << c << ": " << what << "[" << i << "] = " << got[i] << ", reference " << ref[i];
      ++bad;
    }
}

void check(const Case &c) {
  size_t s = c.in.size();
  std::vector<int64_t> xShape{c.N, c.C}, wShape{c.M, c.C / c.G}, yShape{c.N, c.M};
  for (size_t i = 0; i < s; ++i) {
    int64_t o = convOutputSize(c.in[i], c.kernel[i], c.stride[i], c.dilation[i], c.pads[i], c.pads[s + i]);
    ASSERT_GE(o, 1) << name(c);
    xShape.push_back(c.in[i]);
    wShape.push_back(c.kernel[i]);
    yShape.push_back(o);
  }
  ConvGeometry g = convGeometry(xShape, wShape, yShape, c.stride, c.dilation, c.pads, c.G);
  auto numel = [](const std::vector<int64_t> &v) {
    int64_t n = 1;
    for (int64_t d : v) n *= d;
    return (size_t)n;
  };
  std::vector<float> x = random(numel(xShape), 1), w = random(numel(wShape), 2), b = random(c.M, 3);
  std::vector<float> gy = random(numel(yShape), 4);
  const size_t ny = numel(yShape), P = ny / (c.N * c.M);

  // Reference (float64): y, and gradients added to fixed initial values.
  std::vector<float> gx0 = random(x.size(), 5), gw0 = random(w.size(), 6), gb0 = random(c.M, 7);
  std::vector<double> y(ny), yAbs(ny), gx(gx0.begin(), gx0.end()), gxAbs(x.size(), 0.0);
  std::vector<double> gw(gw0.begin(), gw0.end()), gwAbs(w.size(), 0.0), gb(gb0.begin(), gb0.end()),
      gbAbs(c.M, 0.0);
  for (size_t i = 0; i < ny; ++i) {
    int64_t m = (int64_t)(i / P) % c.M;
    y[i] = b[m];
    yAbs[i] = std::fabs(b[m]);
    gb[m] += gy[i];
    gbAbs[m] += std::fabs(gy[i]);
  }
  for (size_t i = 0; i < x.size(); ++i) gxAbs[i] = std::fabs(gx0[i]);
  for (size_t i = 0; i < w.size(); ++i) gwAbs[i] = std::fabs(gw0[i]);
  for (int i = 0; i < c.M; ++i) gbAbs[i] += std::fabs(gb0[i]);
  forEachTerm(g, [&](int64_t yi, int64_t xi, int64_t wi) {
    y[yi] += (double)x[xi] * w[wi];
    yAbs[yi] += std::fabs((double)x[xi] * w[wi]);
    gx[xi] += (double)gy[yi] * w[wi];
    gxAbs[xi] += std::fabs((double)gy[yi] * w[wi]);
    gw[wi] += (double)gy[yi] * x[xi];
    gwAbs[wi] += std::fabs((double)gy[yi] * x[xi]);
  });

  std::vector<float> firstRun;
  for (int threads : {1, 2}) {
    setNumThreads(threads);
    std::vector<float> yk(ny), gxk = gx0, gwk = gw0, gbk = gb0;
    convForward(g, x.data(), w.data(), b.data(), yk.data());
    convBackward(g, x.data(), w.data(), gy.data(), gxk.data(), gwk.data(), gbk.data());
    std::string tag = name(c) + ", " + std::to_string(threads) + " thread(s)";
    expectClose("y", tag, yk, y, yAbs);
    expectClose("gx", tag, gxk, gx, gxAbs);
    expectClose("gw", tag, gwk, gw, gwAbs);
    expectClose("gb", tag, gbk, gb, gbAbs);
    // Each gradient alone (null outputs skipped) gives the same values.
    std::vector<float> gwOnly = gw0;
    convBackward(g, x.data(), w.data(), gy.data(), nullptr, gwOnly.data(), nullptr);
    EXPECT_EQ(gwOnly, gwk) << tag;
    std::vector<float> all = yk;
    for (const auto *v : {&gxk, &gwk, &gbk}) all.insert(all.end(), v->begin(), v->end());
    if (firstRun.empty()) firstRun = all;
    else EXPECT_EQ(all, firstRun) << tag << ": results depend on the thread count";
  }
  setNumThreads(0);
}

} // namespace

TEST(ConvKernels, Direct1DTilesAndTails) {
  // Lengths around the vector widths (4 / 8 / 16) and the 4-vector tiles.
  for (int64_t L : {1, 3, 15, 16, 17, 33, 63, 64, 65, 100, 130})
    check({3, 5, 6, 1, {L}, {3}, {1}, {2}, {4, 0}});
}

TEST(ConvKernels, Direct1DChannelsGroupsDilations) {
  check({9, 4, 32, 1, {256}, {5}, {1}, {1}, {4, 0}});    // the seed TCN's first layer
  check({5, 32, 32, 1, {128}, {5}, {1}, {4}, {16, 0}});  // a dilated causal layer
  check({4, 33, 35, 1, {70}, {5}, {1}, {3}, {12, 0}});  // channels off the tile size
  check({3, 6, 10, 2, {50}, {3}, {1}, {2}, {1, 3}});     // groups, asymmetric pads
  check({2, 8, 8, 8, {40}, {7}, {1}, {1}, {3, 3}});      // depthwise, "same"
  check({2, 3, 4, 1, {9}, {3}, {1}, {1}, {6, 5}});       // padding wider than the kernel
  check({33, 2, 3, 1, {20}, {1}, {1}, {1}, {0, 0}});     // pointwise, batch > chunks
  check({1, 1, 1, 1, {1}, {1}, {1}, {1}, {0, 0}});       // scalar
  check({2, 3, 5, 1, {12}, {4}, {1}, {5}, {15, 0}});     // taps that start in the pad
  check({2, 4, 3, 1, {1, 20}, {1, 3}, {1, 1}, {1, 2}, {0, 2, 0, 2}}); // 1-D written as 2-D
}

TEST(ConvKernels, Im2colPath) {
  check({3, 3, 4, 1, {11}, {3}, {2}, {2}, {1, 2}});                // stride 2 (1-D)
  check({2, 4, 6, 2, {6, 5}, {3, 2}, {1, 2}, {1, 1}, {1, 0, 0, 1}}); // 2-D, groups
  check({2, 3, 3, 3, {7, 7}, {3, 3}, {2, 2}, {2, 1}, {1, 1, 1, 1}}); // depthwise 2-D
}
