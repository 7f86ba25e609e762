//===- Pool.cpp - float pooling kernels -------------------------------------===//
#include "engine/kernels/Pool.h"
#include "engine/kernels/Parallel.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dnnopt::kernels {
namespace {

/// Calls fn(outIndex, inIndex or -1 when outside the input, insidePadding) for every
/// window position of plane-local output `o` (coordinates od, oh, ow).
template <typename Fn>
inline void forWindow(const PoolGeometry &g, int64_t od, int64_t oh, int64_t ow, Fn fn) {
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        int64_t c[3] = {od * g.stride[0] - g.padBegin[0] + kd * g.dilation[0],
                        oh * g.stride[1] - g.padBegin[1] + kh * g.dilation[1],
                        ow * g.stride[2] - g.padBegin[2] + kw * g.dilation[2]};
        bool inside = true, inPadded = true;
        for (int a = 0; a < 3; ++a) {
          inside &= c[a] >= 0 && c[a] < g.in[a];
          inPadded &= c[a] >= -g.padBegin[a] && c[a] < g.in[a] + g.padEnd[a];
        }
        fn(inside ? (c[0] * g.in[1] + c[1]) * g.in[2] + c[2] : -1, inPadded);
      }
}

/// Runs fn(plane, od, oh, ow, outIndexInPlane) over all outputs, planes in parallel.
template <typename Fn>
void forOutputs(const PoolGeometry &g, Fn fn) {
  parallelFor(g.planes, [&](int64_t p) {
    int64_t k = 0;
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow, ++k) fn(p, od, oh, ow, k);
  });
}

/// Divisor of the average at one output.
inline double avgDivisor(const PoolGeometry &g, bool countIncludePad, int64_t od, int64_t oh, int64_t ow) {
  int64_t count = 0, padded = 0;
  forWindow(g, od, oh, ow, [&](int64_t i, bool inPadded) {
    padded += inPadded;
    count += i >= 0;
  });
  return (double)std::max<int64_t>(countIncludePad ? padded : count, 1);
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
  forOutputs(g, [&](int64_t p, int64_t od, int64_t oh, int64_t ow, int64_t k) {
    const float *xp = x + p * inPlane;
    float acc = -std::numeric_limits<float>::infinity();
    int64_t best = -1;
    forWindow(g, od, oh, ow, [&](int64_t i, bool) {
      if (i < 0) return;
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
  const int64_t inPlane = g.inPlane(), outPlane = g.outPlane();
  forOutputs(g, [&](int64_t p, int64_t od, int64_t oh, int64_t ow, int64_t k) {
    const float *xp = x + p * inPlane;
    double acc = 0;
    int64_t count = 0, padded = 0;
    forWindow(g, od, oh, ow, [&](int64_t i, bool inPadded) {
      padded += inPadded;
      if (i < 0) return;
      acc += xp[i];
      ++count;
    });
    y[p * outPlane + k] = (float)(acc / (double)std::max<int64_t>(countIncludePad ? padded : count, 1));
  });
}

void avgPoolBackward(const PoolGeometry &g, bool countIncludePad, const float *gy, float *gx) {
  const int64_t inPlane = g.inPlane(), outPlane = g.outPlane();
  forOutputs(g, [&](int64_t p, int64_t od, int64_t oh, int64_t ow, int64_t k) {
    float *gp = gx + p * inPlane;
    float v = (float)(gy[p * outPlane + k] / avgDivisor(g, countIncludePad, od, oh, ow));
    forWindow(g, od, oh, ow, [&](int64_t i, bool) {
      if (i >= 0) gp[i] += v;
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
