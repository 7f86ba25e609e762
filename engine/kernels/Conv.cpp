//===- Conv.cpp - float convolution kernels (direct 1-D, im2col + Eigen) ---===//
#define EIGEN_DONT_PARALLELIZE // parallelism comes from the sample chunks below
#include "engine/kernels/Conv.h"
#include "engine/kernels/ConvDirect.h"
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

/// A 1-D convolution with stride 1 (the direct path, ConvDirect.h), in the terms
/// of its single spatial axis; rows of x are zero-padded to pb + in + pe.
struct Conv1D {
  int64_t C = 0, M = 0, cg = 0, mg = 0, K = 0, d = 0, pb = 0, pe = 0, in = 0, out = 0;
  int64_t paddedIn() const { return pb + in + pe; }
  /// Tap offsets into a padded x row: k * d.
  std::vector<int64_t> xOffsets() const {
    std::vector<int64_t> off(K);
    for (int64_t k = 0; k < K; ++k) off[k] = k * d;
    return off;
  }
  /// Weights of every group packed for `correlate`: [grp][(i*K + k)*rowsOut + o]
  /// with (i, o) = (in, out) channel, or (out, in) channel when `transposed` (the
  /// input gradient's correlation of dL/dy).
  std::vector<float> packWeights(const float *w, int64_t G, bool transposed) const {
    std::vector<float> p((size_t)(M * cg * K));
    for (int64_t grp = 0; grp < G; ++grp)
      for (int64_t o = 0; o < mg; ++o)
        for (int64_t i = 0; i < cg; ++i)
          for (int64_t k = 0; k < K; ++k) {
            float v = w[((grp * mg + o) * cg + i) * K + k];
            int64_t at = transposed ? (o * K + k) * cg + i : (i * K + k) * mg + o;
            p[grp * mg * cg * K + at] = v;
          }
    return p;
  }
};

/// The direct path applies to 1-D convolutions (leading spatial extents 1) with
/// stride 1 and non-negative padding.
bool asConv1D(const ConvGeometry &g, Conv1D &c) {
  for (int a = 0; a < 2; ++a)
    if (g.in[a] != 1 || g.out[a] != 1 || g.kernel[a] != 1 || g.padBegin[a] != 0) return false;
  if (g.stride[2] != 1) return false;
  c.C = g.inChannels;
  c.M = g.outChannels;
  c.cg = c.C / g.group;
  c.mg = c.M / g.group;
  c.K = g.kernel[2];
  c.d = g.dilation[2];
  c.pb = g.padBegin[2];
  c.in = g.in[2];
  c.out = g.out[2];
  c.pe = c.out + (c.K - 1) * c.d - c.in - c.pb;
  return c.pb >= 0 && c.pe >= 0;
}

/// One sample's grouped correlation on the direct path: `inCh` rows of `len` values
/// at `src` are zero-padded by (front, back) into `padded`, and group grp's rows are
/// correlated with its packed weights (`wp`, inCh/G x K x outCh/G per group) into
/// its `outCh / G` rows of `outLen` values at `dst` (plus `bias`, or added to `dst`).
/// The forward pass correlates x with w, the input gradient dL/dy with w transposed.
void correlateSample(const float *src, int64_t inCh, int64_t len, int64_t front, int64_t back, float *padded,
                     int64_t G, const int64_t *off, int64_t K, const float *wp, int64_t outCh, float *dst,
                     int64_t outLen, const float *bias, bool accumulate) {
  const int64_t Lp = front + len + back, ig = inCh / G, og = outCh / G;
  direct::padRows(src, inCh, len, front, back, padded);
  for (int64_t grp = 0; grp < G; ++grp) {
    direct::Corr k;
    k.in = padded + grp * ig * Lp;
    k.inStride = Lp;
    k.I = ig;
    k.off = off;
    k.K = K;
    k.w = wp + grp * og * ig * K;
    k.O = og;
    k.out = dst + grp * og * outLen;
    k.outStride = k.T = outLen;
    k.bias = bias ? bias + grp * og : nullptr;
    k.accumulate = accumulate;
    direct::correlate(k);
  }
}

void directForward(const ConvGeometry &g, const Conv1D &c, const float *x, const float *w, const float *bias,
                   float *y) {
  const std::vector<int64_t> off = c.xOffsets();
  const std::vector<float> wp = c.packWeights(w, g.group, /*transposed=*/false);
  parallelChunks(g.batch, 1, [&](int64_t, int64_t n0, int64_t n1) {
    float *xp = scratch(0, (size_t)(c.C * c.paddedIn()));
    for (int64_t n = n0; n < n1; ++n)
      correlateSample(x + n * c.C * c.in, c.C, c.in, c.pb, c.pe, xp, g.group, off.data(), c.K, wp.data(), c.M,
                      y + n * c.M * c.out, c.out, bias, /*accumulate=*/false);
  });
}

/// Per-chunk partial weight / bias gradients of convBackward, summed in chunk
/// order at the end (deterministic). Owned by the calling thread (grow only);
/// every chunk assigns its partials, so they need no clearing.
struct GradPartials {
  int64_t chunks = 0, wSize = 0, M = 0;
  float *gw = nullptr;
  double *gb = nullptr;
  GradPartials(int64_t chunks, int64_t wSize, int64_t M, bool withW, bool withB)
      : chunks(chunks), wSize(wSize), M(M) {
    thread_local std::vector<float> gwBuf;
    thread_local std::vector<double> gbBuf;
    if (withW && gwBuf.size() < (size_t)(chunks * wSize)) gwBuf.resize((size_t)(chunks * wSize));
    if (withB && gbBuf.size() < (size_t)(chunks * M)) gbBuf.resize((size_t)(chunks * M));
    gw = withW ? gwBuf.data() : nullptr;
    gb = withB ? gbBuf.data() : nullptr;
  }
  float *gwChunk(int64_t chunk) const { return gw + chunk * wSize; }
  /// Bias gradient of samples [n0, n1): sums of dL/dy per output channel.
  void biasChunk(int64_t chunk, int64_t n0, int64_t n1, int64_t P, const float *gy) const {
    for (int64_t m = 0; m < M; ++m) {
      double s = 0;
      for (int64_t n = n0; n < n1; ++n) {
        const float *row = gy + (n * M + m) * P;
        for (int64_t k = 0; k < P; ++k) s += row[k];
      }
      gb[chunk * M + m] = s;
    }
  }
  /// Adds the partials, in chunk order, to the gradients.
  void reduceInto(float *gwOut, float *gbOut) const {
    if (gwOut)
      parallelChunks(wSize, 4096, [&](int64_t, int64_t b, int64_t e) {
        for (int64_t c = 0; c < chunks; ++c)
          for (int64_t k = b; k < e; ++k) gwOut[k] += gw[c * wSize + k];
      });
    if (gbOut)
      for (int64_t m = 0; m < M; ++m) {
        double s = 0;
        for (int64_t c = 0; c < chunks; ++c) s += gb[c * M + m];
        gbOut[m] += (float)s;
      }
  }
};

/// Input and weight gradients of samples [n0, n1) on the direct path.
void directBackwardChunk(const ConvGeometry &g, const Conv1D &c, const float *x, const float *gy,
                         const std::vector<int64_t> &xOff, const std::vector<int64_t> &gyOff,
                         const float *wq, int64_t gyFront, int64_t gyBack, int64_t n0, int64_t n1, float *gx,
                         float *gwChunk) {
  const int64_t G = g.group, Lp = c.paddedIn(), Lq = gyFront + c.out + gyBack, S = n1 - n0;
  if (gwChunk) {
    const int64_t Op = (c.mg + direct::VW - 1) / direct::VW * direct::VW;
    float *xp = scratch(0, (size_t)(S * c.C * Lp)), *gyT = scratch(1, (size_t)(S * c.out * Op));
    for (int64_t n = n0; n < n1; ++n)
      direct::padRows(x + n * c.C * c.in, c.C, c.in, c.pb, c.pe, xp + (n - n0) * c.C * Lp);
    for (int64_t grp = 0; grp < G; ++grp) {
      for (int64_t n = n0; n < n1; ++n)
        direct::transposeRows(gy + (n * c.M + grp * c.mg) * c.out, c.mg, c.out, Op, gyT + (n - n0) * c.out * Op);
      direct::CorrGrad k;
      k.gyT = gyT;
      k.O = c.mg;
      k.Op = Op;
      k.x = xp + grp * c.cg * Lp;
      k.xSample = c.C * Lp;
      k.xStride = Lp;
      k.I = c.cg;
      k.off = xOff.data();
      k.K = c.K;
      k.S = S;
      k.T = c.out;
      k.gw = gwChunk + grp * c.mg * c.cg * c.K;
      direct::correlateGrad(k);
    }
  }
  if (gx) {
    // dL/dx[i][s] = sum_{o,k} w[o][i][k] * dL/dy[o][s + pb - k*d]: a correlation of
    // the zero-padded dL/dy rows with the transposed weights.
    float *gyp = scratch(2, (size_t)(c.M * Lq));
    for (int64_t n = n0; n < n1; ++n)
      correlateSample(gy + n * c.M * c.out, c.M, c.out, gyFront, gyBack, gyp, G, gyOff.data(), c.K, wq, c.C,
                      gx + n * c.C * c.in, c.in, /*bias=*/nullptr, /*accumulate=*/true);
  }
}

/// Input and weight gradients of samples [n0, n1) with im2col + Eigen products.
void gemmBackwardChunk(const ConvGeometry &g, const float *x, const float *w, const float *gy, int64_t n0,
                       int64_t n1, float *gx, float *gwChunk) {
  const int64_t G = g.group, M = g.outChannels, mg = M / G, rows = g.colRows(), P = g.outPlane();
  const int64_t cols = (n1 - n0) * P;
  float *col = scratch(0, (size_t)(rows * cols));
  float *gcol = gx ? scratch(2, (size_t)(rows * cols)) : nullptr;
  // dL/dy of sample n, group grp: a contiguous mg x P block.
  auto GY = [&](int64_t n, int64_t grp) { return ConstMatMap(gy + (n * M + grp * mg) * P, mg, P); };
  for (int64_t grp = 0; grp < G; ++grp) {
    if (gwChunk) {
      im2col(g, grp, n0, n1, x, col);
      ConstMatMap C(col, rows, cols);
      MatMap GW(gwChunk + grp * mg * rows, mg, rows);
      for (int64_t n = n0; n < n1; ++n) {
        auto Cn = C.middleCols((n - n0) * P, P).transpose();
        if (n == n0) GW.noalias() = GY(n, grp) * Cn;
        else GW.noalias() += GY(n, grp) * Cn;
      }
    }
    if (gx) {
      MatMap GC(gcol, rows, cols);
      ConstMatMap Wt(w + grp * mg * rows, mg, rows);
      for (int64_t n = n0; n < n1; ++n) GC.middleCols((n - n0) * P, P).noalias() = Wt.transpose() * GY(n, grp);
      col2im(g, grp, n0, n1, gcol, gx);
    }
  }
}

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
  if (Conv1D c; asConv1D(g, c)) return directForward(g, c, x, w, bias, y);
  const int64_t G = g.group, M = g.outChannels, mg = M / G, rows = g.colRows(), P = g.outPlane();
  parallelChunks(g.batch, sampleGrain(g), [&](int64_t, int64_t n0, int64_t n1) {
    const int64_t cols = (n1 - n0) * P;
    float *col = scratch(0, (size_t)(rows * cols));
    for (int64_t grp = 0; grp < G; ++grp) {
      im2col(g, grp, n0, n1, x, col);
      ConstMatMap W(w + grp * mg * rows, mg, rows);
      ConstMatMap C(col, rows, cols);
      // One product per sample, straight into y (its mg x P block is contiguous).
      for (int64_t n = n0; n < n1; ++n) {
        float *out = y + (n * M + grp * mg) * P;
        MatMap(out, mg, P).noalias() = W * C.middleCols((n - n0) * P, P);
        if (bias)
          for (int64_t m = 0; m < mg; ++m)
            if (float b = bias[grp * mg + m]; b != 0.0f)
              for (int64_t p = 0; p < P; ++p) out[m * P + p] += b;
      }
    }
  });
}

void convBackward(const ConvGeometry &g, const float *x, const float *w, const float *gy, float *gx,
                  float *gw, float *gb) {
  const int64_t grain = sampleGrain(g), chunks = chunkCount(g.batch, grain);
  GradPartials part(chunks, g.outChannels * g.colRows(), g.outChannels, gw != nullptr, gb != nullptr);
  Conv1D c;
  const bool direct = asConv1D(g, c);
  std::vector<int64_t> xOff, gyOff;
  std::vector<float> wq;
  int64_t gyFront = 0, gyBack = 0;
  if (direct) {
    xOff = c.xOffsets();
    if (gx) {
      // Padded dL/dy rows: read at s + gyFront + pb - k*d for input position s.
      gyFront = std::max<int64_t>(0, (c.K - 1) * c.d - c.pb);
      gyBack = std::max<int64_t>(0, c.in + c.pb - c.out);
      for (int64_t k = 0; k < c.K; ++k) gyOff.push_back(gyFront + c.pb - k * c.d);
      wq = c.packWeights(w, g.group, /*transposed=*/true);
    }
  }
  parallelChunks(g.batch, grain, [&](int64_t chunk, int64_t n0, int64_t n1) {
    if (gb) part.biasChunk(chunk, n0, n1, g.outPlane(), gy);
    float *gwChunk = gw ? part.gwChunk(chunk) : nullptr;
    if (direct)
      directBackwardChunk(g, c, x, gy, xOff, gyOff, wq.data(), gyFront, gyBack, n0, n1, gx, gwChunk);
    else
      gemmBackwardChunk(g, x, w, gy, n0, n1, gx, gwChunk);
  });
  part.reduceInto(gw, gb);
}

} // namespace dnnopt::kernels
