//===- Gemm.cpp - float matrix products (Eigen) ----------------------------===//
#define EIGEN_DONT_PARALLELIZE // deterministic: callers parallelize over samples
#include "engine/kernels/Gemm.h"

#include <Eigen/Dense>

namespace dnnopt::kernels {
namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMatMap = Eigen::Map<const RowMat>;

template <typename L, typename R>
void run(Eigen::Map<RowMat> &c, const L &a, const R &b, float alpha, float beta) {
  if (beta == 0.0f) {
    c.noalias() = a * b;
    if (alpha != 1.0f) c *= alpha;
    return;
  }
  if (beta != 1.0f) c *= beta;
  if (alpha == 1.0f) c.noalias() += a * b;
  else c.noalias() += alpha * (a * b);
}
} // namespace

void gemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
          const float *B, float beta, float *C) {
  Eigen::Map<RowMat> c(C, M, N);
  if (K == 0) {
    if (beta == 0.0f) c.setZero();
    else c *= beta;
    return;
  }
  ConstMatMap a(A, transA ? K : M, transA ? M : K), b(B, transB ? N : K, transB ? K : N);
  if (!transA && !transB) run(c, a, b, alpha, beta);
  else if (!transA && transB) run(c, a, b.transpose(), alpha, beta);
  else if (transA && !transB) run(c, a.transpose(), b, alpha, beta);
  else run(c, a.transpose(), b.transpose(), alpha, beta);
}

} // namespace dnnopt::kernels
