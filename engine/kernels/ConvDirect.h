//===- ConvDirect.h - direct 1-D convolution loops (Conv.cpp only) -*- C++ -*-===//
//
// Internal to engine/kernels/Conv.cpp. The building blocks of the direct 1-D
// convolution path (stride 1, any dilation, padding and group): no im2col
// matrix and no GEMM packing; rows are zero-padded once and read at the tap
// offsets by register-blocked SIMD loops (GCC vector extensions; the width
// follows the target: 16 floats with AVX-512, 8 with AVX, else 4).
//
//   correlate: out[o][t] (+)= bias[o] + sum_{i,k} w[i][k][o] * in[i][t + off[k]]
//              (the forward, and with the transposed weights the input gradient)
//   correlateGrad: gw[o][i*K+k] = sum_{s,t} gy[s][o][t] * x[s][i][t + off[k]]
//              (the weight gradient, summed over the samples of a chunk; reads
//              dL/dy transposed so that the vectors run along o)
//
// Every output element is computed by one fixed sequence of operations, whatever
// the thread that runs it: results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_KERNELS_CONVDIRECT_H
#define DNNOPT_ENGINE_KERNELS_CONVDIRECT_H

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace dnnopt::kernels::direct {

#if defined(__AVX512F__)
constexpr int VW = 16;
constexpr int kTileT = 4; // vectors per tile along t (registers: 32)
#elif defined(__AVX__)
constexpr int VW = 8;
constexpr int kTileT = 2; // 16 registers
#else
constexpr int VW = 4;
constexpr int kTileT = 2;
#endif
constexpr int kTileO = 4; ///< output rows per tile

using Vec = float __attribute__((vector_size(VW * sizeof(float))));

inline Vec loadu(const float *p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void storeu(float *p, Vec v) { std::memcpy(p, &v, sizeof v); }
// A broadcast. (`Vec{} + f` is not folded to one: -0.0f + 0.0f is +0.0f; f - 0.0f
// is exactly f for every f, so `f - Vec{}` compiles to a plain broadcast.)
inline Vec splat(float f) { return f - Vec{}; }
inline float hsum(Vec v) {
  float s = 0;
  for (int l = 0; l < VW; ++l) s += v[l];
  return s;
}

/// Copies `rows` rows of `len` floats (source stride `len`) to rows of front + len
/// + back floats with zeros before and after.
inline void padRows(const float *src, int64_t rows, int64_t len, int64_t front, int64_t back, float *dst) {
  for (int64_t r = 0; r < rows; ++r, src += len) {
    std::fill(dst, dst + front, 0.0f);
    std::memcpy(dst + front, src, sizeof(float) * len);
    std::fill(dst + front + len, dst + front + len + back, 0.0f);
    dst += front + len + back;
  }
}

/// out[o*outStride + t] (+)= bias[o] + sum_{i<I, k<K} w[(i*K + k)*O + o] *
/// in[i*inStride + t + off[k]] for o < O, t < T; every read is inside `in`.
struct Corr {
  const float *in = nullptr;
  int64_t inStride = 0, I = 0;
  const int64_t *off = nullptr;
  int64_t K = 0;
  const float *w = nullptr; ///< packed [(i*K + k)*O + o]
  int64_t O = 0;
  float *out = nullptr;
  int64_t outStride = 0, T = 0;
  const float *bias = nullptr; ///< null: none
  bool accumulate = false;     ///< add to out instead of overwriting it
};

template <int MB, int TB>
inline void corrTile(const Corr &c, int64_t o0, int64_t t0) {
  Vec acc[MB][TB];
  for (int o = 0; o < MB; ++o)
    for (int j = 0; j < TB; ++j) {
      acc[o][j] = splat(c.bias ? c.bias[o0 + o] : 0.0f);
      if (c.accumulate) acc[o][j] += loadu(c.out + (o0 + o) * c.outStride + t0 + j * VW);
    }
  for (int64_t i = 0; i < c.I; ++i) {
    const float *row = c.in + i * c.inStride + t0, *wi = c.w + i * c.K * c.O + o0;
    for (int64_t k = 0; k < c.K; ++k) {
      Vec x[TB];
      for (int j = 0; j < TB; ++j) x[j] = loadu(row + c.off[k] + j * VW);
      const float *wk = wi + k * c.O;
      for (int o = 0; o < MB; ++o) {
        Vec wv = splat(wk[o]);
        for (int j = 0; j < TB; ++j) acc[o][j] += wv * x[j];
      }
    }
  }
  for (int o = 0; o < MB; ++o)
    for (int j = 0; j < TB; ++j) storeu(c.out + (o0 + o) * c.outStride + t0 + j * VW, acc[o][j]);
}

inline void corrScalar(const Corr &c, int64_t o, int64_t t) {
  float s = c.bias ? c.bias[o] : 0.0f;
  if (c.accumulate) s += c.out[o * c.outStride + t];
  for (int64_t i = 0; i < c.I; ++i)
    for (int64_t k = 0; k < c.K; ++k) s += c.w[(i * c.K + k) * c.O + o] * c.in[i * c.inStride + t + c.off[k]];
  c.out[o * c.outStride + t] = s;
}

template <int MB>
inline void corrRows(const Corr &c, int64_t o0) {
  int64_t t = 0;
  for (; t + kTileT * VW <= c.T; t += kTileT * VW) corrTile<MB, kTileT>(c, o0, t);
  for (; t + VW <= c.T; t += VW) corrTile<MB, 1>(c, o0, t);
  for (int o = 0; o < MB; ++o)
    for (int64_t u = t; u < c.T; ++u) corrScalar(c, o0 + o, u);
}

inline void correlate(const Corr &c) {
  int64_t o = 0;
  for (; o + kTileO <= c.O; o += kTileO) corrRows<kTileO>(c, o);
  for (; o < c.O; ++o) corrRows<1>(c, o);
}

/// gw[o*I*K + i*K + k] = sum_{s<S, t<T} gyT[s*T*Op + t*Op + o] *
/// x[s*xSample + i*xStride + t + off[k]] for o < O (assigned, not added). gyT is
/// dL/dy transposed to [sample][t][o], rows padded with zeros to Op (a multiple
/// of the vector width) outputs: the loops broadcast x and load gyT vectors.
struct CorrGrad {
  const float *gyT = nullptr;
  int64_t O = 0, Op = 0;
  const float *x = nullptr;
  int64_t xSample = 0, xStride = 0, I = 0;
  const int64_t *off = nullptr;
  int64_t K = 0, S = 0, T = 0;
  float *gw = nullptr;
};

/// Transposes rows [O][T] (stride T) to [T][Op], zero-filling columns O..Op.
inline void transposeRows(const float *src, int64_t O, int64_t T, int64_t Op, float *dst) {
  for (int64_t t = 0; t < T; ++t) std::fill(dst + t * Op + O, dst + (t + 1) * Op, 0.0f);
  constexpr int64_t B = 16; // cache blocks
  for (int64_t o0 = 0; o0 < O; o0 += B)
    for (int64_t t0 = 0; t0 < T; t0 += B)
      for (int64_t o = o0; o < std::min(O, o0 + B); ++o)
        for (int64_t t = t0; t < std::min(T, t0 + B); ++t) dst[t * Op + o] = src[o * T + t];
}

template <int JB, int OB>
inline void gradTile(const CorrGrad &c, int64_t j0, int64_t o0) {
  Vec acc[JB][OB];
  for (int j = 0; j < JB; ++j)
    for (int b = 0; b < OB; ++b) acc[j][b] = splat(0.0f);
  for (int64_t s = 0; s < c.S; ++s) {
    const float *x[JB];
    for (int j = 0; j < JB; ++j) {
      int64_t ij = j0 + j;
      x[j] = c.x + s * c.xSample + (ij / c.K) * c.xStride + c.off[ij % c.K];
    }
    const float *g = c.gyT + s * c.T * c.Op + o0;
    for (int64_t t = 0; t < c.T; ++t, g += c.Op) {
      Vec gv[OB];
      for (int b = 0; b < OB; ++b) gv[b] = loadu(g + b * VW);
      for (int j = 0; j < JB; ++j) {
        Vec xv = splat(x[j][t]);
        for (int b = 0; b < OB; ++b) acc[j][b] += xv * gv[b];
      }
    }
  }
  const int64_t IK = c.I * c.K;
  for (int b = 0; b < OB; ++b)
    for (int l = 0; l < VW; ++l) {
      int64_t o = o0 + b * VW + l;
      if (o >= c.O) break;
      for (int j = 0; j < JB; ++j) c.gw[o * IK + j0 + j] = acc[j][b][l];
    }
}

/// Tiles of JB (i, k) pairs x OB vectors of outputs: 16 accumulators with
/// AVX-512 (32 registers), 8 otherwise; smaller tiles for the remainders.
template <int OB>
inline void gradCols(const CorrGrad &c, int64_t o0) {
  constexpr int JB = std::max(1, (VW == 16 ? 16 : 8) / OB);
  const int64_t IK = c.I * c.K;
  int64_t j = 0;
  for (; j + JB <= IK; j += JB) gradTile<JB, OB>(c, j, o0);
  for (; j + 4 <= IK; j += 4) gradTile<4, OB>(c, j, o0);
  for (; j < IK; ++j) gradTile<1, OB>(c, j, o0);
}

inline void correlateGrad(const CorrGrad &c) {
  int64_t o = 0;
  for (; o + 2 * VW <= c.Op; o += 2 * VW) gradCols<2>(c, o);
  for (; o < c.Op; o += VW) gradCols<1>(c, o);
}

} // namespace dnnopt::kernels::direct

#endif
