//===- Gemm.h - float matrix products ---------------------------*- C++ -*-===//
//
// The float matrix product behind the engine's dnn.gemm / dnn.matmul and the
// search engine's linear layers (forward and backward). Row-major, Eigen.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_KERNELS_GEMM_H
#define DNNOPT_ENGINE_KERNELS_GEMM_H

#include <cstdint>

namespace dnnopt::kernels {

/// C = alpha * op(A) * op(B) + beta * C with C M x N; A is M x K (K x M when
/// transA), B is K x N (N x K when transB). When beta == 0, C is not read.
void gemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
          const float *B, float beta, float *C);

} // namespace dnnopt::kernels

#endif
