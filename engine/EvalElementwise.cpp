//===- EvalElementwise.cpp - binary, unary and activation ops --------------===//
#include "engine/EvalOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::engine {
namespace {

template <typename Fn>
LogicalResult binary(Operation *op, Operands in, Results &out, Fn fn) {
  Tensor y = resultLike(op->getResult(0));
  const Tensor &a = *in[0], &b = *in[1];
  bool integer = !isFloat(y.dtype);
  for (int64_t k = 0, n = y.numel(); k < n; ++k)
    y.set(k, fn(a.at(broadcastIndex(y.shape, a.shape, k)), b.at(broadcastIndex(y.shape, b.shape, k)),
                integer));
  applyFusedClamp(op, y);
  out.push_back(std::move(y));
  return success();
}

template <typename Fn>
LogicalResult unary(Operation *op, Operands in, Results &out, Fn fn) {
  Tensor y = resultLike(op->getResult(0));
  const Tensor &x = *in[0];
  if (isFloat(y.dtype))
    for (int64_t k = 0, n = y.numel(); k < n; ++k) y.f[k] = (float)fn((double)x.f[k]);
  else
    for (int64_t k = 0, n = y.numel(); k < n; ++k) y.set(k, fn(x.at(k)));
  out.push_back(std::move(y));
  return success();
}

double intDiv(double a, double b) {
  if (b == 0) return 0;
  return std::trunc(a / b);
}
} // namespace

std::optional<LogicalResult> evalElementwise(Operation *op, Operands in, Results &out, std::string &) {
  using R = std::optional<LogicalResult>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<AddOp>([&](auto) { return binary(op, in, out, [](double a, double b, bool) { return a + b; }); })
      .Case<SubOp>([&](auto) { return binary(op, in, out, [](double a, double b, bool) { return a - b; }); })
      .Case<MulOp>([&](auto) { return binary(op, in, out, [](double a, double b, bool) { return a * b; }); })
      .Case<DivOp>([&](auto) {
        return binary(op, in, out, [](double a, double b, bool i) { return i ? intDiv(a, b) : a / b; });
      })
      .Case<MaxOp>([&](auto) {
        return binary(op, in, out, [](double a, double b, bool) {
          return std::isnan(a) || std::isnan(b) ? NAN : std::fmax(a, b);
        });
      })
      .Case<MinOp>([&](auto) {
        return binary(op, in, out, [](double a, double b, bool) {
          return std::isnan(a) || std::isnan(b) ? NAN : std::fmin(a, b);
        });
      })
      .Case<PowOp>([&](auto) {
        return binary(op, in, out, [](double a, double b, bool) { return std::pow(a, b); });
      })
      .Case<PReluOp>([&](auto) {
        return binary(op, in, out, [](double x, double s, bool) { return x < 0 ? s * x : x; });
      })
      .Case<ReluOp>([&](auto) { return unary(op, in, out, [](double x) { return x > 0 ? x : 0.0; }); })
      .Case<SigmoidOp>([&](auto) { return unary(op, in, out, [](double x) { return 1.0 / (1.0 + std::exp(-x)); }); })
      .Case<TanhOp>([&](auto) { return unary(op, in, out, [](double x) { return std::tanh(x); }); })
      .Case<HardSwishOp>([&](auto) {
        return unary(op, in, out, [](double x) { return x * std::fmax(0.0, std::fmin(1.0, x / 6.0 + 0.5)); });
      })
      .Case<ExpOp>([&](auto) { return unary(op, in, out, [](double x) { return std::exp(x); }); })
      .Case<LogOp>([&](auto) { return unary(op, in, out, [](double x) { return std::log(x); }); })
      .Case<SqrtOp>([&](auto) { return unary(op, in, out, [](double x) { return std::sqrt(x); }); })
      .Case<AbsOp>([&](auto) { return unary(op, in, out, [](double x) { return std::fabs(x); }); })
      .Case<NegOp>([&](auto) { return unary(op, in, out, [](double x) { return -x; }); })
      .Case<ReciprocalOp>([&](auto) { return unary(op, in, out, [](double x) { return 1.0 / x; }); })
      .Case<FloorOp>([&](auto) { return unary(op, in, out, [](double x) { return std::floor(x); }); })
      .Case<CeilOp>([&](auto) { return unary(op, in, out, [](double x) { return std::ceil(x); }); })
      .Case<ErfOp>([&](auto) { return unary(op, in, out, [](double x) { return std::erf(x); }); })
      .Case<LeakyReluOp>([&](LeakyReluOp o) {
        double alpha = o.getAlpha().convertToDouble();
        return unary(op, in, out, [alpha](double x) { return x < 0 ? alpha * x : x; });
      })
      .Case<ClipOp>([&](ClipOp o) {
        double lo = o.getMin().convertToDouble(), hi = o.getMax().convertToDouble();
        return unary(op, in, out, [lo, hi](double x) { return std::isnan(x) ? x : std::fmin(std::fmax(x, lo), hi); });
      })
      .Case<HardSigmoidOp>([&](HardSigmoidOp o) {
        double alpha = o.getAlpha().convertToDouble(), beta = o.getBeta().convertToDouble();
        return unary(op, in, out,
                     [alpha, beta](double x) { return std::fmax(0.0, std::fmin(1.0, alpha * x + beta)); });
      })
      .Case<IdentityOp, DropoutOp>([&](auto) {
        out.push_back(*in[0]);
        return R(success());
      })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace dnnopt::engine
