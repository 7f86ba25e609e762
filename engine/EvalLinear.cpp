//===- EvalLinear.cpp - conv, conv_transpose, gemm, matmul, batch_norm -----===//
#include "engine/EvalOps.h"
#include "engine/kernels/Conv.h"
#include "engine/kernels/Gemm.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::engine {
namespace {

/// Float convolution of x (N x C x spatial) with w (M x C/g x kernel) into out:
/// the shared kernel (engine/kernels/Conv.h), also used by the search engine.
void conv(const Tensor &x, const Tensor &w, const Tensor *bias, Tensor &out, const Window &win,
          int64_t group) {
  kernels::ConvGeometry g;
  g.batch = x.shape[0];
  g.inChannels = x.shape[1];
  g.outChannels = w.shape[0];
  g.group = group;
  for (int a = 0; a < 3; ++a) {
    g.in[a] = win.in[a];
    g.out[a] = win.out[a];
    g.kernel[a] = win.k[a];
    g.stride[a] = win.stride[a];
    g.dilation[a] = win.dil[a];
    g.padBegin[a] = win.padBegin[a];
  }
  if (out.numel() == 0) return;
  std::vector<float> b;
  if (bias) {
    b.resize(w.shape[0]);
    for (int64_t k = 0; k < w.shape[0]; ++k) b[k] = (float)bias->at(k);
  }
  kernels::convForward(g, x.f.data(), w.f.data(), bias ? b.data() : nullptr, out.f.data());
}

LogicalResult evalConv(ConvOp op, Operands in, Results &out, std::string &err) {
  if (!isFloat(in[0]->dtype)) {
    err = "integer conv is not supported by the reference engine";
    return failure();
  }
  Tensor y = resultLike(op.getOutput());
  Window win = makeWindow(in[0]->shape, y.shape, ArrayRef<int64_t>(in[1]->shape).drop_front(2),
                          op.getStrides(), op.getDilations(), op.getPads());
  conv(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, y, win, op.getGroup());
  applyFusedClamp(op, y);
  out.push_back(std::move(y));
  return success();
}

LogicalResult evalConvTranspose(ConvTransposeOp op, Operands in, Results &out, std::string &) {
  const Tensor &x = *in[0], &w = *in[1];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  Tensor y = resultLike(op.getOutput());
  // Window geometry seen from the output: "in" = output spatial, "out" = input spatial.
  Window win = makeWindow(x.shape, y.shape, ArrayRef<int64_t>(w.shape).drop_front(2),
                          op.getStrides(), op.getDilations(), op.getPads());
  int64_t n = x.shape[0], c = x.shape[1], g = op.getGroup(), cg = c / g, mg = w.shape[1];
  int64_t m = mg * g;
  int64_t kVol = win.k[0] * win.k[1] * win.k[2];
  std::vector<double> acc(y.numel(), 0.0);
  int64_t outPlane = win.out[0] * win.out[1] * win.out[2];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ic = 0; ic < c; ++ic) {
      int64_t grp = ic / cg;
      for (int64_t id = 0; id < win.in[0]; ++id)
        for (int64_t ih = 0; ih < win.in[1]; ++ih)
          for (int64_t iw = 0; iw < win.in[2]; ++iw) {
            double xv = x.f[((b * c + ic) * win.in[0] + id) * win.in[1] * win.in[2] + ih * win.in[2] + iw];
            for (int64_t j = 0; j < mg; ++j) {
              int64_t oc = grp * mg + j;
              const float *wp = &w.f[(ic * mg + j) * kVol];
              for (int64_t kd = 0; kd < win.k[0]; ++kd) {
                int64_t od = id * win.stride[0] - win.padBegin[0] + kd * win.dil[0];
                if (od < 0 || od >= win.out[0]) continue;
                for (int64_t kh = 0; kh < win.k[1]; ++kh) {
                  int64_t oh = ih * win.stride[1] - win.padBegin[1] + kh * win.dil[1];
                  if (oh < 0 || oh >= win.out[1]) continue;
                  for (int64_t kw = 0; kw < win.k[2]; ++kw) {
                    int64_t ow = iw * win.stride[2] - win.padBegin[2] + kw * win.dil[2];
                    if (ow < 0 || ow >= win.out[2]) continue;
                    acc[(b * m + oc) * outPlane + (od * win.out[1] + oh) * win.out[2] + ow] +=
                        xv * wp[(kd * win.k[1] + kh) * win.k[2] + kw];
                  }
                }
              }
            }
          }
    }
  for (int64_t k = 0; k < y.numel(); ++k)
    y.f[k] = (float)(acc[k] + (bias ? bias->at((k / outPlane) % m) : 0.0));
  applyFusedClamp(op, y);
  out.push_back(std::move(y));
  return success();
}

LogicalResult evalGemm(GemmOp op, Operands in, Results &out, std::string &) {
  const Tensor &a = *in[0], &b = *in[1];
  const Tensor *c = in.size() > 2 ? in[2] : nullptr;
  Tensor y = resultLike(op.getOutput());
  bool ta = op.getTransA(), tb = op.getTransB();
  int64_t m = y.shape[0], n = y.shape[1], k = a.shape[ta ? 0 : 1];
  double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
  if (isFloat(a.dtype) && isFloat(b.dtype) && isFloat(y.dtype)) {
    // The shared float kernel (engine/kernels/Gemm.h), then beta * C broadcast.
    kernels::gemm(ta, tb, m, n, k, (float)alpha, a.f.data(), b.f.data(), 0.0f, y.f.data());
    if (c)
      for (int64_t e = 0; e < m * n; ++e)
        y.f[e] = (float)((double)y.f[e] + beta * c->at(broadcastIndex(y.shape, c->shape, e)));
    applyFusedClamp(op, y);
    out.push_back(std::move(y));
    return success();
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += a.at(ta ? p * m + i : i * k + p) * b.at(tb ? j * k + p : p * n + j);
      acc *= alpha;
      if (c) acc += beta * c->at(broadcastIndex(y.shape, c->shape, i * n + j));
      y.set(i * n + j, acc);
    }
  applyFusedClamp(op, y);
  out.push_back(std::move(y));
  return success();
}

/// Numpy matmul (batched, broadcasting, 1-D promotion) into `y`.
void matmul(const Tensor &a, const Tensor &b, Tensor &y,
            const std::function<double(const Tensor &, int64_t)> &read) {
  std::vector<int64_t> as = a.shape, bs = b.shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  std::vector<int64_t> batchOut(y.shape.begin(), y.shape.end() - (a.shape.size() == 1 ? 0 : 1) -
                                                     (b.shape.size() == 1 ? 0 : 1));
  std::vector<int64_t> aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
  int64_t batches = 1;
  for (int64_t d : batchOut) batches *= d;
  bool floats = isFloat(a.dtype) && isFloat(b.dtype) && isFloat(y.dtype);
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t ab = broadcastIndex(batchOut, aBatch, bi), bb = broadcastIndex(batchOut, bBatch, bi);
    if (floats) { // the shared float kernel (engine/kernels/Gemm.h)
      kernels::gemm(false, false, m, n, k, 1.0f, a.f.data() + ab * m * k, b.f.data() + bb * k * n,
                    0.0f, y.f.data() + bi * m * n);
      continue;
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += read(a, ab * m * k + i * k + p) * read(b, bb * k * n + p * n + j);
        y.set((bi * m + i) * n + j, acc);
      }
  }
}

LogicalResult evalBatchNorm(BatchNormOp op, Operands in, Results &out, std::string &) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op.getOutput());
  int64_t c = x.shape[1], inner = 1;
  for (size_t d = 2; d < x.shape.size(); ++d) inner *= x.shape[d];
  double eps = op.getEpsilon().convertToDouble();
  for (int64_t k = 0; k < x.numel(); ++k) {
    int64_t ch = (k / inner) % c;
    double s = in[1]->at(ch) / std::sqrt(in[4]->at(ch) + eps);
    y.set(k, (x.at(k) - in[3]->at(ch)) * s + in[2]->at(ch));
  }
  applyFusedClamp(op, y);
  out.push_back(std::move(y));
  return success();
}
} // namespace

std::optional<LogicalResult> evalLinear(Operation *op, Operands in, Results &out, std::string &err) {
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case<ConvOp>([&](auto o) { return evalConv(o, in, out, err); })
      .Case<ConvTransposeOp>([&](auto o) { return evalConvTranspose(o, in, out, err); })
      .Case<GemmOp>([&](auto o) { return evalGemm(o, in, out, err); })
      .Case<MatMulOp>([&](MatMulOp o) -> std::optional<LogicalResult> {
        Tensor y = resultLike(o.getOutput());
        matmul(*in[0], *in[1], y, [](const Tensor &t, int64_t k) { return t.at(k); });
        applyFusedClamp(o, y);
        out.push_back(std::move(y));
        return success();
      })
      .Case<BatchNormOp>([&](auto o) { return evalBatchNorm(o, in, out, err); })
      .Default([](Operation *) { return std::nullopt; });
}

// Shared with EvalQuant.cpp.
void referenceConv(const Tensor &x, const Tensor &w, const Tensor *bias, Tensor &out,
                   const Window &win, int64_t group) {
  conv(x, w, bias, out, win, group);
}
void referenceMatmul(const Tensor &a, const Tensor &b, Tensor &y) {
  matmul(a, b, y, [](const Tensor &t, int64_t k) { return t.at(k); });
}

} // namespace dnnopt::engine
