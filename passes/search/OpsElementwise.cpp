//===- OpsElementwise.cpp - broadcasting binary ops, activations, softmax -===//
#include "passes/search/Ops.h"

#include "engine/kernels/Parallel.h"

#include <cmath>

using llvm::ArrayRef;
using llvm::failure;
using llvm::LogicalResult;
using llvm::success;

namespace dnnopt::search {
namespace {

/// Elementwise loops over large tensors run in parallel (results do not depend on
/// the split).
template <typename Fn>
void forRange(int64_t n, Fn fn) {
  if (n < (1 << 15)) {
    for (int64_t k = 0; k < n; ++k) fn(k);
    return;
  }
  kernels::parallelChunks(n, 1 << 14, [&](int64_t, int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) fn(k);
  });
}

/// Numpy broadcasting of two shapes: output shape and, per output axis, the
/// element stride of each operand (0 along broadcast axes).
struct Broadcast {
  Shape out;
  std::vector<int64_t> sa, sb;
  bool same = false;

  LogicalResult init(const Shape &a, const Shape &b, std::string &error) {
    same = a == b;
    size_t r = std::max(a.size(), b.size());
    out.assign(r, 1);
    sa.assign(r, 0);
    sb.assign(r, 0);
    int64_t strideA = 1, strideB = 1;
    for (size_t k = 0; k < r; ++k) {
      size_t d = r - 1 - k;
      int64_t da = k < a.size() ? a[a.size() - 1 - k] : 1, db = k < b.size() ? b[b.size() - 1 - k] : 1;
      if (da != db && da != 1 && db != 1)
        return error = "shapes " + shapeStr(a) + " and " + shapeStr(b) + " do not broadcast", failure();
      out[d] = da == 1 ? db : da;
      sa[d] = da == 1 ? 0 : strideA;
      sb[d] = db == 1 ? 0 : strideB;
      strideA *= da;
      strideB *= db;
    }
    return success();
  }

  /// fn(k, ia, ib) for every output element k, in order.
  template <typename Fn>
  void forEach(Fn fn) const {
    int64_t r = (int64_t)out.size(), n = numelOf(out);
    if (n == 0) return;
    if (r == 0) return fn(0, 0, 0);
    std::vector<int64_t> idx(r, 0);
    int64_t ia = 0, ib = 0, inner = out[r - 1], ai = sa[r - 1], bi = sb[r - 1];
    for (int64_t k = 0; k < n; k += inner) {
      for (int64_t j = 0; j < inner; ++j) fn(k + j, ia + j * ai, ib + j * bi);
      for (int64_t d = r - 2; d >= 0; --d) {
        ++idx[d];
        ia += sa[d];
        ib += sb[d];
        if (idx[d] < out[d]) break;
        ia -= sa[d] * out[d];
        ib -= sb[d] * out[d];
        idx[d] = 0;
      }
    }
  }
};

class BinaryOp : public Op {
public:
  explicit BinaryOp(BinaryKind k) : op(k) {}
  std::string kind() const override {
    switch (op) {
    case BinaryKind::Add: return "add";
    case BinaryKind::Sub: return "sub";
    case BinaryKind::Mul: return "mul";
    case BinaryKind::Div: return "div";
    }
    return "?";
  }

  float apply(float a, float b) const {
    switch (op) {
    case BinaryKind::Add: return a + b;
    case BinaryKind::Sub: return a - b;
    case BinaryKind::Mul: return a * b;
    case BinaryKind::Div: return a / b;
    }
    return 0;
  }

  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    if (in.size() != 2) return error = kind() + " takes two inputs", failure();
    if (failed(bc.init(in[0]->shape, in[1]->shape, error))) return failure();
    out.reshape(bc.out);
    const float *a = in[0]->ptr(), *b = in[1]->ptr();
    float *y = out.ptr();
    if (bc.same) forRange(out.numel(), [&](int64_t k) { y[k] = apply(a[k], b[k]); });
    else bc.forEach([&](int64_t k, int64_t ia, int64_t ib) { y[k] = apply(a[ia], b[ib]); });
    return success();
  }

  void backward(ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    const float *a = in[0]->ptr(), *b = in[1]->ptr(), *g = gout.ptr();
    float *ga = gin[0] ? gin[0]->ptr() : nullptr, *gb = gin[1] ? gin[1]->ptr() : nullptr;
    auto step = [&](int64_t k, int64_t ia, int64_t ib) {
      float gy = g[k];
      switch (op) {
      case BinaryKind::Add:
        if (ga) ga[ia] += gy;
        if (gb) gb[ib] += gy;
        break;
      case BinaryKind::Sub:
        if (ga) ga[ia] += gy;
        if (gb) gb[ib] -= gy;
        break;
      case BinaryKind::Mul:
        if (ga) ga[ia] += gy * b[ib];
        if (gb) gb[ib] += gy * a[ia];
        break;
      case BinaryKind::Div:
        if (ga) ga[ia] += gy / b[ib];
        if (gb) gb[ib] -= gy * a[ia] / (b[ib] * b[ib]);
        break;
      }
    };
    if (bc.same) forRange(gout.numel(), [&](int64_t k) { step(k, k, k); });
    else bc.forEach(step); // broadcast operands accumulate: serial, in order
  }

private:
  BinaryKind op;
  Broadcast bc;
};

/// y = f(x) elementwise. F and D are stateless callables inlined into the loops
/// (so simple ones vectorize): f(x, params) -> y and d(g, x, y, params) -> dL/dx
/// given g = dL/dy. Piecewise derivatives select g or 0 rather than multiply g by
/// a 0/1 factor, which keeps the loop free of branches.
template <typename F, typename D>
class UnaryOp : public Op {
public:
  UnaryOp(std::string name, F f, D d, float p0, float p1) : name(std::move(name)), f(f), d(d) {
    params[0] = p0;
    params[1] = p1;
  }
  std::string kind() const override { return name; }
  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    if (in.size() != 1) return error = name + " takes one input", failure();
    out.reshape(in[0]->shape);
    const float *x = in[0]->ptr(), *p = params;
    float *y = out.ptr();
    forRange(out.numel(), [&](int64_t k) { y[k] = f(x[k], p); });
    return success();
  }
  void backward(ArrayRef<const Tensor *> in, const Tensor &out, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    if (!gin[0]) return;
    const float *x = in[0]->ptr(), *y = out.ptr(), *g = gout.ptr(), *p = params;
    float *gx = gin[0]->ptr();
    forRange(out.numel(), [&](int64_t k) { gx[k] += d(g[k], x[k], y[k], p); });
  }

private:
  std::string name;
  F f;
  D d;
  float params[2];
};

template <typename F, typename D>
std::unique_ptr<Op> unary(std::string name, F f, D d, float p0 = 0, float p1 = 0) {
  return std::make_unique<UnaryOp<F, D>>(std::move(name), f, d, p0, p1);
}

class SoftmaxOp : public Op {
public:
  SoftmaxOp(int64_t axis, bool log) : axis(axis), log(log) {}
  std::string kind() const override { return log ? "log_softmax" : "softmax"; }
  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    const Tensor &x = *in[0];
    int64_t ax = axis < 0 ? axis + x.rank() : axis;
    if (ax < 0 || ax >= x.rank()) return error = "softmax axis out of range", failure();
    outer = 1, len = x.shape[ax], inner = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= x.shape[d];
    for (int64_t d = ax + 1; d < x.rank(); ++d) inner *= x.shape[d];
    out.reshape(x.shape);
    const float *xp = x.ptr();
    float *y = out.ptr();
    kernels::parallelFor(outer, [&](int64_t o) {
      for (int64_t i = 0; i < inner; ++i) {
        auto at = [&](int64_t j) { return (o * len + j) * inner + i; };
        double mx = -INFINITY, sum = 0;
        for (int64_t j = 0; j < len; ++j) mx = std::fmax(mx, xp[at(j)]);
        for (int64_t j = 0; j < len; ++j) sum += std::exp(xp[at(j)] - mx);
        for (int64_t j = 0; j < len; ++j) {
          double z = xp[at(j)] - mx;
          y[at(j)] = (float)(log ? z - std::log(sum) : std::exp(z) / sum);
        }
      }
    });
    return success();
  }
  void backward(ArrayRef<const Tensor *>, const Tensor &out, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    if (!gin[0]) return;
    const float *y = out.ptr(), *g = gout.ptr();
    float *gx = gin[0]->ptr();
    kernels::parallelFor(outer, [&](int64_t o) {
      for (int64_t i = 0; i < inner; ++i) {
        auto at = [&](int64_t j) { return (o * len + j) * inner + i; };
        double s = 0;
        for (int64_t j = 0; j < len; ++j) s += log ? (double)g[at(j)] : (double)g[at(j)] * y[at(j)];
        for (int64_t j = 0; j < len; ++j) {
          int64_t k = at(j);
          gx[k] += log ? (float)(g[k] - std::exp((double)y[k]) * s) : (float)(y[k] * (g[k] - s));
        }
      }
    });
  }

private:
  int64_t axis;
  bool log;
  int64_t outer = 1, len = 1, inner = 1;
};

class FunctionOp : public Op {
public:
  FunctionOp(std::string k, ForwardFn f, BackwardFn b) : name(std::move(k)), fwd(std::move(f)), bwd(std::move(b)) {}
  std::string kind() const override { return name; }
  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &ctx,
                        std::string &error) override {
    return fwd(in, out, ctx, error);
  }
  void backward(ArrayRef<const Tensor *> in, const Tensor &out, const Tensor &gout,
                ArrayRef<Tensor *> gin) override {
    if (bwd) bwd(in, out, gout, gin);
  }

private:
  std::string name;
  ForwardFn fwd;
  BackwardFn bwd;
};

} // namespace

std::unique_ptr<Op> makeBinary(BinaryKind kind) { return std::make_unique<BinaryOp>(kind); }

std::unique_ptr<Op> makeUnary(UnaryKind kind) {
  using P = const float *;
  switch (kind) {
  case UnaryKind::Identity:
    return unary("identity", [](float x, P) { return x; }, [](float g, float, float, P) { return g; });
  case UnaryKind::Relu:
    return unary(
        "relu", [](float x, P) { return x > 0 ? x : 0.0f; }, [](float g, float x, float, P) { return x > 0 ? g : 0.0f; });
  case UnaryKind::Sigmoid:
    return unary(
        "sigmoid", [](float x, P) { return (float)(1.0 / (1.0 + std::exp(-(double)x))); },
        [](float g, float, float y, P) { return g * (y * (1 - y)); });
  case UnaryKind::Tanh:
    return unary(
        "tanh", [](float x, P) { return std::tanh(x); }, [](float g, float, float y, P) { return g * (1 - y * y); });
  case UnaryKind::Abs:
    return unary(
        "abs", [](float x, P) { return std::fabs(x); },
        [](float g, float x, float, P) { return x > 0 ? g : x < 0 ? -g : 0.0f; });
  case UnaryKind::Neg:
    return unary("neg", [](float x, P) { return -x; }, [](float g, float, float, P) { return -g; });
  case UnaryKind::Exp:
    return unary("exp", [](float x, P) { return std::exp(x); }, [](float g, float, float y, P) { return g * y; });
  case UnaryKind::Log:
    return unary(
        "log", [](float x, P) { return std::log(x); }, [](float g, float x, float, P) { return g * (1.0f / x); });
  case UnaryKind::Sqrt:
    return unary(
        "sqrt", [](float x, P) { return std::sqrt(x); }, [](float g, float, float y, P) { return g * (0.5f / y); });
  }
  return nullptr;
}

std::unique_ptr<Op> makeClip(float lo, float hi) {
  return unary(
      "clip", [](float x, const float *p) { return std::isnan(x) ? x : std::fmin(std::fmax(x, p[0]), p[1]); },
      [](float g, float x, float, const float *p) { return x > p[0] && x < p[1] ? g : 0.0f; }, lo, hi);
}

std::unique_ptr<Op> makeLeakyRelu(float alpha) {
  return unary(
      "leaky_relu", [](float x, const float *p) { return x < 0 ? p[0] * x : x; },
      [](float g, float x, float, const float *p) { return x < 0 ? g * p[0] : g; }, alpha);
}

std::unique_ptr<Op> makeBinarizeSTE(float threshold) {
  return unary(
      "binarize_ste", [](float x, const float *p) { return x > p[0] ? 1.0f : 0.0f; },
      [](float g, float, float, const float *) { return g; }, threshold);
}

std::unique_ptr<Op> makeScale(float factor) {
  return unary(
      "scale", [](float x, const float *p) { return x * p[0]; }, [](float g, float, float, const float *p) { return g * p[0]; },
      factor);
}

std::unique_ptr<Op> makeSoftmax(int64_t axis, bool log) { return std::make_unique<SoftmaxOp>(axis, log); }

std::unique_ptr<Op> makeFunctionOp(std::string kind, ForwardFn forward, BackwardFn backward) {
  return std::make_unique<FunctionOp>(std::move(kind), std::move(forward), std::move(backward));
}

} // namespace dnnopt::search
