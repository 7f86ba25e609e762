//===- OpsLinear.cpp - conv, gemm, matmul (forward + backward) ------------===//
//
// Forward and backward both run the shared kernels of engine/kernels (the
// reference engine's forward code).
//
//===----------------------------------------------------------------------===//
#include "passes/search/Ops.h"

#include "dialects/dnn/DnnOps.h"
#include "engine/kernels/Conv.h"
#include "engine/kernels/Gemm.h"
#include "engine/kernels/Parallel.h"

using llvm::ArrayRef;
using llvm::failure;
using llvm::LogicalResult;
using llvm::success;

namespace dnnopt::search {
namespace {

class ConvOp : public Op {
public:
  explicit ConvOp(ConvAttrs a) : attrs(std::move(a)) {}
  std::string kind() const override { return "conv"; }

  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    if (in.size() < 2 || in.size() > 3) return error = "conv takes x, w [, bias]", failure();
    const Tensor &x = *in[0], &w = *in[1];
    int64_t r = x.rank();
    if (r < 3 || r > 5 || w.rank() != r) return error = "conv expects x and w of rank 3 to 5", failure();
    size_t s = (size_t)r - 2;
    if (attrs.group < 1 || w.shape[0] % attrs.group || x.shape[1] != w.shape[1] * attrs.group)
      return error = "weight " + shapeStr(w.shape) + " does not fit input channels " +
                     std::to_string(x.shape[1]) + " with group " + std::to_string(attrs.group),
             failure();
    if (in.size() == 3 && in[2]->numel() != w.shape[0])
      return error = "bias has " + std::to_string(in[2]->numel()) + " elements, expected " +
                     std::to_string(w.shape[0]),
             failure();
    if ((!attrs.strides.empty() && attrs.strides.size() != s) ||
        (!attrs.dilations.empty() && attrs.dilations.size() != s) ||
        (!attrs.pads.empty() && attrs.pads.size() != 2 * s))
      return error = "conv attributes do not match " + std::to_string(s) + " spatial axes", failure();
    Shape y{x.shape[0], w.shape[0]};
    for (size_t i = 0; i < s; ++i) {
      int64_t o = kernels::convOutputSize(
          x.shape[2 + i], w.shape[2 + i], attrs.strides.empty() ? 1 : attrs.strides[i],
          attrs.dilations.empty() ? 1 : attrs.dilations[i], attrs.pads.empty() ? 0 : attrs.pads[i],
          attrs.pads.empty() ? 0 : attrs.pads[s + i]);
      if (o < 1) return error = "the kernel does not fit the input", failure();
      y.push_back(o);
    }
    out.reshape(y);
    geom = kernels::convGeometry(x.shape, w.shape, y, attrs.strides, attrs.dilations, attrs.pads, attrs.group);
    kernels::convForward(geom, x.ptr(), w.ptr(), in.size() == 3 ? in[2]->ptr() : nullptr, out.ptr());
    return success();
  }

  void backward(ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    kernels::convBackward(geom, in[0]->ptr(), in[1]->ptr(), gout.ptr(), gin[0] ? gin[0]->ptr() : nullptr,
                          gin[1] ? gin[1]->ptr() : nullptr,
                          gin.size() == 3 && gin[2] ? gin[2]->ptr() : nullptr);
  }

private:
  ConvAttrs attrs;
  kernels::ConvGeometry geom;
};

/// Index of the broadcast operand c ([], [n], [1|m, 1|n]) for output (i, j).
struct Bias2D {
  int64_t rows = 1, cols = 1;
  LogicalResult init(const Shape &s, int64_t m, int64_t n, std::string &error) {
    if (s.size() > 2) return error = "gemm c must have rank <= 2", failure();
    rows = s.size() == 2 ? s[0] : 1;
    cols = s.empty() ? 1 : s.back();
    if ((rows != 1 && rows != m) || (cols != 1 && cols != n))
      return error = "gemm c " + shapeStr(s) + " does not broadcast to [" + std::to_string(m) + "," +
                     std::to_string(n) + "]",
             failure();
    return success();
  }
  int64_t at(int64_t i, int64_t j) const { return (rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j); }
};

class GemmOp : public Op {
public:
  explicit GemmOp(GemmAttrs a) : attrs(a) {}
  std::string kind() const override { return "gemm"; }

  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    if (in.size() < 2 || in.size() > 3) return error = "gemm takes a, b [, c]", failure();
    const Tensor &a = *in[0], &b = *in[1];
    if (a.rank() != 2 || b.rank() != 2) return error = "gemm expects 2-D a and b", failure();
    bool ta = attrs.transA, tb = attrs.transB;
    M = ta ? a.shape[1] : a.shape[0];
    K = ta ? a.shape[0] : a.shape[1];
    N = tb ? b.shape[0] : b.shape[1];
    if ((tb ? b.shape[1] : b.shape[0]) != K) return error = "gemm inner dimensions differ", failure();
    if (in.size() == 3 && failed(c.init(in[2]->shape, M, N, error))) return failure();
    out.reshape({M, N});
    float *y = out.ptr();
    if (!ta) {
      kernels::parallelChunks(M, 4, [&](int64_t, int64_t r0, int64_t r1) {
        kernels::gemm(false, tb, r1 - r0, N, K, attrs.alpha, a.ptr() + r0 * K, b.ptr(), 0.0f, y + r0 * N);
      });
    } else {
      kernels::gemm(true, tb, M, N, K, attrs.alpha, a.ptr(), b.ptr(), 0.0f, y);
    }
    if (in.size() == 3 && attrs.beta != 0.0f) {
      const float *cp = in[2]->ptr();
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) y[i * N + j] += attrs.beta * cp[c.at(i, j)];
    }
    return success();
  }

  void backward(ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    bool ta = attrs.transA, tb = attrs.transB;
    const float *A = in[0]->ptr(), *B = in[1]->ptr(), *G = gout.ptr();
    float alpha = attrs.alpha;
    if (gin[0]) {
      float *gA = gin[0]->ptr();
      if (!ta) // gA[M,K] += alpha * G[M,N] * op(B)^T
        kernels::parallelChunks(M, 4, [&](int64_t, int64_t r0, int64_t r1) {
          kernels::gemm(false, !tb, r1 - r0, K, N, alpha, G + r0 * N, B, 1.0f, gA + r0 * K);
        });
      else // gA[K,M] += alpha * op(B) * G^T
        kernels::gemm(tb, true, K, M, N, alpha, B, G, 1.0f, gA);
    }
    if (gin[1]) {
      float *gB = gin[1]->ptr();
      if (!tb) kernels::gemm(!ta, false, K, N, M, alpha, A, G, 1.0f, gB); // op(A)^T G
      else kernels::gemm(true, ta, N, K, M, alpha, G, A, 1.0f, gB);       // G^T op(A)
    }
    if (gin.size() == 3 && gin[2]) {
      float *gC = gin[2]->ptr();
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) gC[c.at(i, j)] += attrs.beta * G[i * N + j];
    }
  }

private:
  GemmAttrs attrs;
  int64_t M = 0, N = 0, K = 0;
  Bias2D c;
};

class MatMulOp : public Op {
public:
  std::string kind() const override { return "matmul"; }

  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    if (in.size() != 2) return error = "matmul takes a, b", failure();
    const Tensor &a = *in[0], &b = *in[1];
    if (a.rank() < 1 || b.rank() < 1) return error = "matmul operands must have rank >= 1", failure();
    Shape as = a.shape, bs = b.shape;
    if (as.size() == 1) as.insert(as.begin(), 1);
    if (bs.size() == 1) bs.push_back(1);
    m = as[as.size() - 2];
    k = as.back();
    n = bs.back();
    if (bs[bs.size() - 2] != k) return error = "matmul inner dimensions differ", failure();
    aBatch.assign(as.begin(), as.end() - 2);
    bBatch.assign(bs.begin(), bs.end() - 2);
    auto ob = dnn::broadcastShapes(aBatch, bBatch);
    if (failed(ob)) return error = "matmul batch dimensions do not broadcast", failure();
    outBatch.assign(ob->begin(), ob->end());
    Shape y = outBatch;
    if (a.rank() > 1) y.push_back(m);
    if (b.rank() > 1) y.push_back(n);
    out.reshape(y);
    batches = numelOf(outBatch);
    // b shared by every batch and a not broadcast: one tall product.
    flat = numelOf(bBatch) == 1 && numelOf(aBatch) == batches;
    if (flat) {
      int64_t rows = batches * m;
      kernels::parallelChunks(rows, 4, [&](int64_t, int64_t r0, int64_t r1) {
        kernels::gemm(false, false, r1 - r0, n, k, 1.0f, a.ptr() + r0 * k, b.ptr(), 0.0f, out.ptr() + r0 * n);
      });
      return success();
    }
    kernels::parallelFor(batches, [&](int64_t bi) {
      int64_t ab = dnn::broadcastIndex(outBatch, aBatch, bi), bb = dnn::broadcastIndex(outBatch, bBatch, bi);
      kernels::gemm(false, false, m, n, k, 1.0f, a.ptr() + ab * m * k, b.ptr() + bb * k * n, 0.0f,
                    out.ptr() + bi * m * n);
    });
    return success();
  }

  void backward(ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    const float *A = in[0]->ptr(), *B = in[1]->ptr(), *G = gout.ptr();
    if (flat) {
      int64_t rows = batches * m;
      if (gin[0])
        kernels::parallelChunks(rows, 4, [&](int64_t, int64_t r0, int64_t r1) {
          kernels::gemm(false, true, r1 - r0, k, n, 1.0f, G + r0 * n, B, 1.0f, gin[0]->ptr() + r0 * k);
        });
      if (gin[1]) kernels::gemm(true, false, k, n, rows, 1.0f, A, G, 1.0f, gin[1]->ptr());
      return;
    }
    // Batches may share a (or b) slice: accumulate serially, in batch order.
    for (int64_t bi = 0; bi < batches; ++bi) {
      int64_t ab = dnn::broadcastIndex(outBatch, aBatch, bi), bb = dnn::broadcastIndex(outBatch, bBatch, bi);
      if (gin[0])
        kernels::gemm(false, true, m, k, n, 1.0f, G + bi * m * n, B + bb * k * n, 1.0f,
                      gin[0]->ptr() + ab * m * k);
      if (gin[1])
        kernels::gemm(true, false, k, n, m, 1.0f, A + ab * m * k, G + bi * m * n, 1.0f,
                      gin[1]->ptr() + bb * k * n);
    }
  }

private:
  int64_t m = 0, k = 0, n = 0, batches = 0;
  bool flat = false;
  Shape aBatch, bBatch, outBatch;
};

} // namespace

std::unique_ptr<Op> makeConv(ConvAttrs attrs) { return std::make_unique<ConvOp>(std::move(attrs)); }
std::unique_ptr<Op> makeGemm(GemmAttrs attrs) { return std::make_unique<GemmOp>(attrs); }
std::unique_ptr<Op> makeMatMul() { return std::make_unique<MatMulOp>(); }

} // namespace dnnopt::search
