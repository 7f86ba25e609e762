//===- Conv.cpp - float convolution kernels (im2col + Eigen GEMM) ----------===//
#define EIGEN_DONT_PARALLELIZE // parallelism comes from the sample chunks below
#include "engine/kernels/Conv.h"
#include "engine/kernels/Parallel.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cstring>
#include <vector>

namespace dnnopt::kernels {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMat>;
using ConstMatMap = Eigen::Map<const RowMat>;

int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

/// Output positions [lo, hi) along one axis whose input index o*stride + off is in
/// [0, in).
inline void validRange(int64_t out, int64_t in, int64_t stride, int64_t off, int64_t &lo,
                       int64_t &hi) {
  lo = std::min<int64_t>(out, std::max<int64_t>(0, ceilDiv(-off, stride)));
  hi = std::min<int64_t>(out, floorDiv(in - 1 - off, stride) + 1);
  if (hi < lo) hi = lo;
}

/// Walks the im2col matrix of group `grp`, samples [n0, n1): for every (row,
/// sample, od, oh) calls fn(colRowSegment, inputRow or null, lo, hi, stride, off)
/// where the segment has out[2] entries and entries [lo, hi) map to
/// inputRow[ow*stride + off].
template <typename Fn>
void walkCol(const ConvGeometry &g, int64_t grp, int64_t n0, int64_t n1, float *col,
             const float *x, Fn fn) {
  const int64_t cg = g.inChannels / g.group, kVol = g.kernelVolume();
  const int64_t P = g.outPlane(), cols = (n1 - n0) * P, inPlane = g.inPlane();
  for (int64_t ic = 0; ic < cg; ++ic)
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          int64_t row = ic * kVol + (kd * g.kernel[1] + kh) * g.kernel[2] + kw;
          int64_t offW = kw * g.dilation[2] - g.padBegin[2];
          int64_t lo, hi;
          validRange(g.out[2], g.in[2], g.stride[2], offW, lo, hi);
          for (int64_t n = n0; n < n1; ++n) {
            const float *xp = x + ((n * g.inChannels + grp * cg + ic) * inPlane);
            float *dst = col + row * cols + (n - n0) * P;
            for (int64_t od = 0; od < g.out[0]; ++od) {
              int64_t id = od * g.stride[0] - g.padBegin[0] + kd * g.dilation[0];
              bool dIn = id >= 0 && id < g.in[0];
              for (int64_t oh = 0; oh < g.out[1]; ++oh, dst += g.out[2]) {
                int64_t ih = oh * g.stride[1] - g.padBegin[1] + kh * g.dilation[1];
                bool in = dIn && ih >= 0 && ih < g.in[1];
                fn(dst, in ? xp + (id * g.in[1] + ih) * g.in[2] : nullptr, lo, hi, g.stride[2], offW);
              }
            }
          }
        }
}

/// Packs the im2col matrix (colRows x (n1-n0)*outPlane) of group `grp`.
void im2col(const ConvGeometry &g, int64_t grp, int64_t n0, int64_t n1, const float *x, float *col) {
  const int64_t ow = g.out[2];
  walkCol(g, grp, n0, n1, col, x,
          [ow](float *dst, const float *src, int64_t lo, int64_t hi, int64_t s, int64_t off) {
            if (!src) {
              std::fill(dst, dst + ow, 0.0f);
              return;
            }
            std::fill(dst, dst + lo, 0.0f);
            if (s == 1) std::memcpy(dst + lo, src + lo + off, sizeof(float) * (hi - lo));
            else
              for (int64_t o = lo; o < hi; ++o) dst[o] = src[o * s + off];
            std::fill(dst + hi, dst + ow, 0.0f);
          });
}

/// Adds the im2col-shaped gradient `gcol` back into gx (group `grp`, samples [n0, n1)).
void col2im(const ConvGeometry &g, int64_t grp, int64_t n0, int64_t n1, const float *gcol, float *gx) {
  // walkCol hands out mutable rows of the column buffer and const input rows; here
  // the roles swap, so walk with the same index arithmetic and write through gx.
  walkCol(g, grp, n0, n1, const_cast<float *>(gcol), gx,
          [](float *src, const float *dst, int64_t lo, int64_t hi, int64_t s, int64_t off) {
            if (!dst) return;
            float *d = const_cast<float *>(dst);
            for (int64_t o = lo; o < hi; ++o) d[o * s + off] += src[o];
          });
}

/// Per-thread scratch buffers (grow only).
float *scratch(int which, size_t n) {
  thread_local std::vector<float> buf[3];
  if (buf[which].size() < n) buf[which].resize(n);
  return buf[which].data();
}

/// Chunks of samples processed together: at most 8, so that a chunk's GEMM is wide
/// and a batch still spreads over the cores. Depends on the batch size only.
int64_t sampleGrain(const ConvGeometry &g) { return std::max<int64_t>(1, (g.batch + 7) / 8); }

} // namespace

int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                       int64_t padBegin, int64_t padEnd) {
  return floorDiv(in + padBegin + padEnd - dilation * (kernel - 1) - 1, stride) + 1;
}

ConvGeometry convGeometry(llvm::ArrayRef<int64_t> xShape, llvm::ArrayRef<int64_t> wShape,
                          llvm::ArrayRef<int64_t> yShape, llvm::ArrayRef<int64_t> strides,
                          llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads,
                          int64_t group) {
  ConvGeometry g;
  g.batch = xShape[0];
  g.inChannels = xShape[1];
  g.outChannels = wShape[0];
  g.group = group;
  size_t s = xShape.size() - 2, off = 3 - s;
  for (size_t i = 0; i < s; ++i) {
    g.in[off + i] = xShape[2 + i];
    g.out[off + i] = yShape[2 + i];
    g.kernel[off + i] = wShape[2 + i];
    g.stride[off + i] = strides.empty() ? 1 : strides[i];
    g.dilation[off + i] = dilations.empty() ? 1 : dilations[i];
    g.padBegin[off + i] = pads.empty() ? 0 : pads[i];
  }
  return g;
}

void convForward(const ConvGeometry &g, const float *x, const float *w, const float *bias, float *y) {
  const int64_t G = g.group, mg = g.outChannels / G, rows = g.colRows(), P = g.outPlane();
  parallelChunks(g.batch, sampleGrain(g), [&](int64_t, int64_t n0, int64_t n1) {
    const int64_t nc = n1 - n0, cols = nc * P;
    float *col = scratch(0, (size_t)(rows * cols));
    float *tmp = nc > 1 ? scratch(1, (size_t)(mg * cols)) : nullptr;
    for (int64_t grp = 0; grp < G; ++grp) {
      im2col(g, grp, n0, n1, x, col);
      ConstMatMap W(w + grp * mg * rows, mg, rows);
      ConstMatMap C(col, rows, cols);
      float *out = nc > 1 ? tmp : y + (n0 * g.outChannels + grp * mg) * P;
      MatMap Y(out, mg, cols);
      Y.noalias() = W * C;
      for (int64_t m = 0; m < mg; ++m) {
        float b = bias ? bias[grp * mg + m] : 0.0f;
        for (int64_t n = n0; n < n1; ++n) {
          float *dst = y + ((n * g.outChannels) + grp * mg + m) * P;
          const float *src = out + m * cols + (n - n0) * P;
          if (nc > 1) std::memcpy(dst, src, sizeof(float) * P);
          if (b != 0.0f)
            for (int64_t p = 0; p < P; ++p) dst[p] += b;
        }
      }
    }
  });
}

void convBackward(const ConvGeometry &g, const float *x, const float *w, const float *gy, float *gx,
                  float *gw, float *gb) {
  const int64_t G = g.group, M = g.outChannels, mg = M / G, rows = g.colRows(), P = g.outPlane();
  const int64_t grain = sampleGrain(g), chunks = chunkCount(g.batch, grain);
  const int64_t wSize = M * rows;
  std::vector<float> gwPart(gw ? (size_t)(chunks * wSize) : 0, 0.0f);
  std::vector<double> gbPart(gb ? (size_t)(chunks * M) : 0, 0.0);
  parallelChunks(g.batch, grain, [&](int64_t chunk, int64_t n0, int64_t n1) {
    const int64_t nc = n1 - n0, cols = nc * P;
    float *col = scratch(0, (size_t)(rows * cols));
    float *gyc = scratch(1, (size_t)(mg * cols));
    float *gcol = gx ? scratch(2, (size_t)(rows * cols)) : nullptr;
    for (int64_t grp = 0; grp < G; ++grp) {
      for (int64_t m = 0; m < mg; ++m)
        for (int64_t n = n0; n < n1; ++n)
          std::memcpy(gyc + m * cols + (n - n0) * P, gy + (n * M + grp * mg + m) * P, sizeof(float) * P);
      ConstMatMap GY(gyc, mg, cols);
      if (gb)
        for (int64_t m = 0; m < mg; ++m) {
          double s = 0;
          for (int64_t k = 0; k < cols; ++k) s += gyc[m * cols + k];
          gbPart[chunk * M + grp * mg + m] += s;
        }
      if (gw) {
        im2col(g, grp, n0, n1, x, col);
        MatMap GW(gwPart.data() + chunk * wSize + grp * mg * rows, mg, rows);
        GW.noalias() += GY * ConstMatMap(col, rows, cols).transpose();
      }
      if (gx) {
        MatMap GC(gcol, rows, cols);
        GC.noalias() = ConstMatMap(w + grp * mg * rows, mg, rows).transpose() * GY;
        col2im(g, grp, n0, n1, gcol, gx);
      }
    }
  });
  // Reduce the per-chunk partials in chunk order (deterministic).
  if (gw)
    parallelChunks(wSize, 4096, [&](int64_t, int64_t b, int64_t e) {
      for (int64_t c = 0; c < chunks; ++c)
        for (int64_t k = b; k < e; ++k) gw[k] += gwPart[c * wSize + k];
    });
  if (gb)
    for (int64_t m = 0; m < M; ++m) {
      double s = 0;
      for (int64_t c = 0; c < chunks; ++c) s += gbPart[c * M + m];
      gb[m] += (float)s;
    }
}

} // namespace dnnopt::kernels
