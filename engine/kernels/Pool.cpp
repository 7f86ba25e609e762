//===- Pool.cpp - float pooling kernels -------------------------------------===//
#include "engine/kernels/Pool.h"
#include "engine/kernels/Parallel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace dnnopt::kernels {
namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// The window of one output coordinate along one axis: kernel taps [k0, k1) read
/// input index base + k * dilation (all inside the input); `padded` taps fall
/// inside the padded extent.
struct AxisWindow {
  int64_t base = 0, k0 = 0, k1 = 0, padded = 0;
};

/// Windows of every output coordinate of each axis (computed once per call).
struct Windows {
  std::vector<AxisWindow> axis[3];
  explicit Windows(const PoolGeometry &g) {
    for (int a = 0; a < 3; ++a) {
      int64_t d = g.dilation[a], K = g.kernel[a];
      for (int64_t o = 0; o < g.out[a]; ++o) {
        AxisWindow w;
        w.base = o * g.stride[a] - g.padBegin[a];
        // Number of taps k in [0, K) with base + k*d < limit.
        auto below = [&](int64_t limit) {
          return std::clamp<int64_t>(floorDiv(limit - w.base - 1, d) + 1, 0, K);
        };
        w.k0 = below(0);
        w.k1 = std::max(w.k0, below(g.in[a]));
        w.padded = below(g.in[a] + g.padEnd[a]) - below(-g.padBegin[a]);
        axis[a].push_back(w);
      }
    }
    // Outputs along W whose window lies wholly inside the input: a contiguous
    // range (the window start grows with ow).
    for (int64_t ow = 0; ow < g.out[2]; ++ow)
      if (axis[2][ow].k0 == 0 && axis[2][ow].k1 == g.kernel[2]) {
        if (fullHi == 0) fullLo = ow;
        fullHi = ow + 1;
      }
  }
  int64_t fullLo = 0, fullHi = 0; ///< [fullLo, fullHi): full windows along W
  /// Calls fn(inIndexInPlane of input column 0) for every window row (kd, kh) of
  /// output row (od, oh) that lies inside the input, in kernel order.
  template <typename Fn>
  void forInputRows(const PoolGeometry &g, int64_t od, int64_t oh, Fn fn) const {
    const AxisWindow &wd = axis[0][od], &wh = axis[1][oh];
    for (int64_t kd = wd.k0; kd < wd.k1; ++kd)
      for (int64_t kh = wh.k0; kh < wh.k1; ++kh)
        fn(((wd.base + kd * g.dilation[0]) * g.in[1] + wh.base + kh * g.dilation[1]) * g.in[2]);
  }
  /// Calls fn(ow, column) for every output ow of a row and every tap of its window
  /// along W inside the input (input column `column`). Each output sees its taps
  /// in kernel order. The full windows of the interior take loops without bounds
  /// checks: ow inner (vectorizable) when `tapMajor` allows it, else ow outer,
  /// which also keeps the calls of one input column in output order.
  template <typename Fn>
  void forRowTaps(const PoolGeometry &g, bool tapMajor, Fn fn) const {
    const int64_t K = g.kernel[2], S = g.stride[2], D = g.dilation[2], OW = g.out[2], pb = g.padBegin[2];
    auto edge = [&](int64_t ow) {
      const AxisWindow &w = axis[2][ow];
      for (int64_t kw = w.k0; kw < w.k1; ++kw) fn(ow, w.base + kw * D);
    };
    for (int64_t ow = 0; ow < fullLo; ++ow) edge(ow);
    if (tapMajor && fullHi - fullLo >= K) // (short rows of long windows: ow outer)
      for (int64_t kw = 0; kw < K; ++kw)
        for (int64_t ow = fullLo; ow < fullHi; ++ow) fn(ow, ow * S - pb + kw * D);
    else
      for (int64_t ow = fullLo, base = fullLo * S - pb; ow < fullHi; ++ow, base += S)
        for (int64_t kw = 0; kw < K; ++kw) fn(ow, base + kw * D);
    for (int64_t ow = fullHi; ow < OW; ++ow) edge(ow);
  }
  /// Calls fn(inIndexInPlane) for every window position of output (od, oh, ow) that
  /// lies inside the input, in kernel order.
  template <typename Fn>
  void forInputs(const PoolGeometry &g, int64_t od, int64_t oh, int64_t ow, Fn fn) const {
    const AxisWindow &ww = axis[2][ow];
    forInputRows(g, od, oh, [&](int64_t row) {
      for (int64_t kw = ww.k0; kw < ww.k1; ++kw) fn(row + ww.base + kw * g.dilation[2]);
    });
  }
  /// Divisor of the average at every output of a plane.
  std::vector<double> avgDivisors(const PoolGeometry &g, bool countIncludePad) const {
    std::vector<double> div;
    div.reserve(g.outPlane());
    for (const AxisWindow &wd : axis[0])
      for (const AxisWindow &wh : axis[1])
        for (const AxisWindow &ww : axis[2]) {
          int64_t n = countIncludePad ? wd.padded * wh.padded * ww.padded
                                      : (wd.k1 - wd.k0) * (wh.k1 - wh.k0) * (ww.k1 - ww.k0);
          div.push_back((double)std::max<int64_t>(n, 1));
        }
    return div;
  }
};

/// Per-thread row buffers (grow only).
template <typename T>
T *rowScratch(size_t n) {
  thread_local std::vector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

/// Chunks of planes for the parallel loops: about 16K window taps each.
int64_t planeGrain(const PoolGeometry &g) {
  int64_t work = std::max<int64_t>(1, g.outPlane() * g.kernel[0] * g.kernel[1] * g.kernel[2]);
  return std::max<int64_t>(1, 16384 / work);
}

/// Runs fn(plane, od, oh, outIndexInPlane of (od, oh, 0)) over all output rows;
/// chunks of planes run in parallel (every output row is handled by one call).
template <typename Fn>
void forRows(const PoolGeometry &g, Fn fn) {
  parallelChunks(g.planes, planeGrain(g), [&](int64_t, int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      int64_t k = 0;
      for (int64_t od = 0; od < g.out[0]; ++od)
        for (int64_t oh = 0; oh < g.out[1]; ++oh, k += g.out[2]) fn(p, od, oh, k);
    }
  });
}

/// Runs fn(plane, od, oh, ow, outIndexInPlane) over all outputs.
template <typename Fn>
void forOutputs(const PoolGeometry &g, Fn fn) {
  forRows(g, [&](int64_t p, int64_t od, int64_t oh, int64_t k) {
    for (int64_t ow = 0; ow < g.out[2]; ++ow) fn(p, od, oh, ow, k + ow);
  });
}

} // namespace

PoolGeometry poolGeometry(llvm::ArrayRef<int64_t> xShape, llvm::ArrayRef<int64_t> yShape,
                          llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                          llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads) {
  PoolGeometry g;
  g.planes = xShape[0] * xShape[1];
  size_t s = xShape.size() - 2, off = 3 - s;
  for (size_t i = 0; i < s; ++i) {
    g.in[off + i] = xShape[2 + i];
    g.out[off + i] = yShape[2 + i];
    g.kernel[off + i] = kernel[i];
    g.stride[off + i] = strides.empty() ? 1 : strides[i];
    g.dilation[off + i] = dilations.empty() ? 1 : dilations[i];
    g.padBegin[off + i] = pads.empty() ? 0 : pads[i];
    g.padEnd[off + i] = pads.empty() ? 0 : pads[s + i];
  }
  return g;
}

void maxPoolForward(const PoolGeometry &g, const float *x, float *y, int64_t *argmax) {
  const int64_t inPlane = g.inPlane(), outPlane = g.outPlane();
  const Windows win(g);
  forOutputs(g, [&](int64_t p, int64_t od, int64_t oh, int64_t ow, int64_t k) {
    const float *xp = x + p * inPlane;
    float acc = -std::numeric_limits<float>::infinity();
    int64_t best = -1;
    win.forInputs(g, od, oh, ow, [&](int64_t i) {
      float v = xp[i];
      if (v > acc || std::isnan(v)) {
        acc = v;
        best = i;
      } else if (best < 0) {
        best = i;
      }
    });
    y[p * outPlane + k] = acc;
    if (argmax) argmax[p * outPlane + k] = best;
  });
}

void maxPoolBackward(const PoolGeometry &g, const int64_t *argmax, const float *gy, float *gx) {
  const int64_t inPlane = g.inPlane(), outPlane = g.outPlane();
  parallelFor(g.planes, [&](int64_t p) {
    for (int64_t k = 0; k < outPlane; ++k) {
      int64_t i = argmax[p * outPlane + k];
      if (i >= 0) gx[p * inPlane + i] += gy[p * outPlane + k];
    }
  });
}

void avgPoolForward(const PoolGeometry &g, bool countIncludePad, const float *x, float *y) {
  const int64_t inPlane = g.inPlane(), outPlane = g.outPlane(), OW = g.out[2];
  const Windows win(g);
  const std::vector<double> div = win.avgDivisors(g, countIncludePad);
  forRows(g, [&](int64_t p, int64_t od, int64_t oh, int64_t k) {
    // Sums a whole output row (each output in kernel order), then divides.
    const float *xp = x + p * inPlane;
    double *acc = rowScratch<double>((size_t)OW);
    std::fill(acc, acc + OW, 0.0);
    win.forInputRows(g, od, oh, [&](int64_t row) {
      const float *src = xp + row;
      win.forRowTaps(g, /*tapMajor=*/true, [&](int64_t ow, int64_t i) { acc[ow] += src[i]; });
    });
    float *yr = y + p * outPlane + k;
    const double *dr = div.data() + k;
    for (int64_t ow = 0; ow < OW; ++ow) yr[ow] = (float)(acc[ow] / dr[ow]);
  });
}

void avgPoolBackward(const PoolGeometry &g, bool countIncludePad, const float *gy, float *gx) {
  const int64_t inPlane = g.inPlane(), outPlane = g.outPlane(), OW = g.out[2];
  const bool disjointW = g.stride[2] >= (g.kernel[2] - 1) * g.dilation[2] + 1;
  const Windows win(g);
  const std::vector<double> div = win.avgDivisors(g, countIncludePad);
  forRows(g, [&](int64_t p, int64_t od, int64_t oh, int64_t k) {
    float *v = rowScratch<float>((size_t)OW);
    const float *gr = gy + p * outPlane + k;
    const double *dr = div.data() + k;
    for (int64_t ow = 0; ow < OW; ++ow) v[ow] = (float)(gr[ow] / dr[ow]);
    // Within one output row an input element is reached through one window row
    // (kd, kh) only, so it receives its contributions in output order (in any
    // order when the windows along W do not overlap: one contribution each).
    win.forInputRows(g, od, oh, [&](int64_t row) {
      float *dst = gx + p * inPlane + row;
      win.forRowTaps(g, disjointW, [&](int64_t ow, int64_t i) { dst[i] += v[ow]; });
    });
  });
}

void globalAvgPoolForward(int64_t planes, int64_t planeSize, const float *x, float *y) {
  parallelFor(planes, [&](int64_t p) {
    double acc = 0;
    for (int64_t k = 0; k < planeSize; ++k) acc += x[p * planeSize + k];
    y[p] = (float)(acc / (double)planeSize);
  });
}

void globalMaxPoolForward(int64_t planes, int64_t planeSize, const float *x, float *y, int64_t *argmax) {
  parallelFor(planes, [&](int64_t p) {
    double acc = -std::numeric_limits<double>::infinity();
    int64_t best = -1;
    for (int64_t k = 0; k < planeSize; ++k) {
      double v = x[p * planeSize + k];
      if (best < 0 || v > acc) best = k;
      acc = std::fmax(acc, v);
    }
    y[p] = (float)acc;
    if (argmax) argmax[p] = best;
  });
}

} // namespace dnnopt::kernels
