//===- OpsNorm.cpp - batch normalization in training and inference mode ---===//
#include "passes/search/Ops.h"

#include "engine/kernels/Parallel.h"

#include <algorithm>
#include <cmath>

using llvm::ArrayRef;
using llvm::failure;
using llvm::LogicalResult;
using llvm::success;

namespace dnnopt::search {
namespace {

/// A double sum in 8 independent lanes: breaks the add dependency chain (the
/// compiler vectorizes it) and fixes the summation order (lane k gets the
/// elements at positions = k mod 8 of each segment, then the lanes are added in
/// order), so results do not depend on threads.
struct LaneSum {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  /// Adds term(i) for i in [0, n).
  template <typename Term>
  void add(int64_t n, Term term) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) lane[j] += term(i + j);
    for (int j = 0; i < n; ++i, ++j) lane[j] += term(i);
  }
  double total() const {
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  }
};

class BatchNormOp : public Op {
public:
  explicit BatchNormOp(BatchNormAttrs a) : attrs(a) {}
  std::string kind() const override { return "batch_norm"; }

  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &ctx,
                        std::string &error) override {
    if (in.size() != 5) return error = "batch_norm takes x, scale, bias, mean, var", failure();
    const Tensor &x = *in[0];
    if (x.rank() < 2) return error = "batch_norm expects rank >= 2", failure();
    C = x.shape[1];
    N = x.shape[0];
    inner = numelOf(x.shape) / std::max<int64_t>(1, N * C);
    for (int i = 1; i < 5; ++i)
      if (in[i]->numel() != C)
        return error = "batch_norm parameter " + std::to_string(i) + " has " + std::to_string(in[i]->numel()) +
                       " elements, expected " + std::to_string(C),
               failure();
    training = ctx.training;
    mean.assign(C, 0.0f);
    invStd.assign(C, 0.0f);
    out.reshape(x.shape);
    const float *xp = x.ptr(), *scale = in[1]->ptr(), *bias = in[2]->ptr();
    Tensor *runMean = ctx.buffers.size() == 5 ? ctx.buffers[3] : nullptr;
    Tensor *runVar = ctx.buffers.size() == 5 ? ctx.buffers[4] : nullptr;
    int64_t count = N * inner;
    kernels::parallelFor(C, [&](int64_t c) {
      double mu, var;
      if (training) {
        // One pass over the channel: sums of d = x - pivot and of d^2 (in double;
        // the pivot, one of the values, keeps the cancellation in
        // sum(d^2) - sum(d)^2 / count harmless), instead of a pass for the mean
        // and another for the variance.
        const double pivot = count ? xp[c * inner] : 0.0;
        LaneSum sum, sq;
        for (int64_t n = 0; n < N; ++n) {
          const float *row = xp + (n * C + c) * inner;
          sum.add(inner, [&](int64_t i) { return row[i] - pivot; });
          sq.add(inner, [&](int64_t i) {
            double d = row[i] - pivot;
            return d * d;
          });
        }
        double sd = sum.total();
        mu = count ? pivot + sd / (double)count : 0.0;
        double ss = count ? std::max(0.0, sq.total() - sd * sd / (double)count) : 0.0;
        var = count ? ss / (double)count : 0.0;
        double mom = attrs.momentum;
        if (runMean) runMean->data[c] = (float)((1 - mom) * runMean->data[c] + mom * mu);
        if (runVar)
          runVar->data[c] =
              (float)((1 - mom) * runVar->data[c] + mom * (count > 1 ? ss / (double)(count - 1) : var));
      } else {
        mu = in[3]->data[c];
        var = in[4]->data[c];
      }
      double is = 1.0 / std::sqrt(var + (double)attrs.epsilon);
      mean[c] = (float)mu;
      invStd[c] = (float)is;
      float a = (float)(scale[c] * is), b = (float)(bias[c] - mu * scale[c] * is);
      for (int64_t n = 0; n < N; ++n) {
        const float *src = xp + (n * C + c) * inner;
        float *dst = out.ptr() + (n * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i) dst[i] = src[i] * a + b;
      }
    });
    return success();
  }

  void backward(ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    const float *xp = in[0]->ptr(), *scale = in[1]->ptr(), *gy = gout.ptr();
    int64_t count = N * inner;
    kernels::parallelFor(C, [&](int64_t c) {
      double mu = mean[c], is = invStd[c];
      LaneSum sumG, sumGX;
      for (int64_t n = 0; n < N; ++n) {
        const float *xr = xp + (n * C + c) * inner, *gr = gy + (n * C + c) * inner;
        sumG.add(inner, [&](int64_t i) { return (double)gr[i]; });
        sumGX.add(inner, [&](int64_t i) { return gr[i] * (xr[i] - mu) * is; });
      }
      double sg = sumG.total(), sgx = sumGX.total();
      if (gin[1]) gin[1]->data[c] += (float)sgx;
      if (gin[2]) gin[2]->data[c] += (float)sg;
      if (!gin[0]) return;
      float *gx = gin[0]->ptr();
      if (training) {
        // dx = scale * invstd / count * (count * gy - sum(gy) - xhat * sum(gy * xhat))
        double f = scale[c] * is / (double)count;
        for (int64_t n = 0; n < N; ++n) {
          const float *xr = xp + (n * C + c) * inner, *gr = gy + (n * C + c) * inner;
          float *gxr = gx + (n * C + c) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            double xhat = (xr[i] - mu) * is;
            gxr[i] += (float)(f * ((double)count * gr[i] - sg - xhat * sgx));
          }
        }
      } else {
        float f = (float)(scale[c] * is);
        for (int64_t n = 0; n < N; ++n)
          for (int64_t i = 0; i < inner; ++i) gx[(n * C + c) * inner + i] += f * gy[(n * C + c) * inner + i];
      }
    });
  }

private:
  BatchNormAttrs attrs;
  bool training = false;
  int64_t N = 0, C = 0, inner = 0;
  std::vector<float> mean, invStd;
};

} // namespace

std::unique_ptr<Op> makeBatchNorm(BatchNormAttrs attrs) { return std::make_unique<BatchNormOp>(attrs); }

} // namespace dnnopt::search
