//===- EvalPoolReduce.cpp - pooling, reductions, softmax -------------------===//
#include "engine/EvalOps.h"
#include "engine/kernels/Pool.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::engine {
namespace {

/// Max or average pooling; `avg` selects the reduction.
template <typename OpT>
LogicalResult pool(OpT op, Operands in, Results &out, bool avg, ArrayRef<int64_t> dilations,
                   bool countIncludePad) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op.getOutput());
  if (isFloat(x.dtype)) { // the shared float kernels (engine/kernels/Pool.h)
    kernels::PoolGeometry g = kernels::poolGeometry(x.shape, y.shape, op.getKernelShape(),
                                                    op.getStrides(), dilations, op.getPads());
    if (avg) kernels::avgPoolForward(g, countIncludePad, x.f.data(), y.f.data());
    else kernels::maxPoolForward(g, x.f.data(), y.f.data(), nullptr);
    out.push_back(std::move(y));
    return success();
  }
  Window w = makeWindow(x.shape, y.shape, op.getKernelShape(), op.getStrides(), dilations, op.getPads());
  // End paddings, to bound what count_include_pad counts.
  int64_t padEnd[3] = {0, 0, 0};
  size_t s = x.shape.size() - 2;
  for (size_t i = 0; i < s; ++i) padEnd[3 - s + i] = op.getPads()[s + i];
  int64_t planes = x.shape[0] * x.shape[1];
  int64_t inPlane = w.in[0] * w.in[1] * w.in[2], outPlane = w.out[0] * w.out[1] * w.out[2];
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t od = 0; od < w.out[0]; ++od)
      for (int64_t oh = 0; oh < w.out[1]; ++oh)
        for (int64_t ow = 0; ow < w.out[2]; ++ow) {
          double acc = avg ? 0.0 : -std::numeric_limits<double>::infinity();
          int64_t count = 0, padded = 0;
          for (int64_t kd = 0; kd < w.k[0]; ++kd)
            for (int64_t kh = 0; kh < w.k[1]; ++kh)
              for (int64_t kw = 0; kw < w.k[2]; ++kw) {
                int64_t c[3] = {od * w.stride[0] - w.padBegin[0] + kd * w.dil[0],
                                oh * w.stride[1] - w.padBegin[1] + kh * w.dil[1],
                                ow * w.stride[2] - w.padBegin[2] + kw * w.dil[2]};
                bool inside = true, inPadded = true;
                for (int a = 0; a < 3; ++a) {
                  inside &= c[a] >= 0 && c[a] < w.in[a];
                  inPadded &= c[a] >= -w.padBegin[a] && c[a] < w.in[a] + padEnd[a];
                }
                padded += inPadded;
                if (!inside) continue;
                double v = x.at(p * inPlane + (c[0] * w.in[1] + c[1]) * w.in[2] + c[2]);
                ++count;
                if (avg) acc += v;
                else if (v > acc || std::isnan(v)) acc = v;
              }
          int64_t k = p * outPlane + (od * w.out[1] + oh) * w.out[2] + ow;
          if (avg) y.set(k, acc / (double)std::max<int64_t>(countIncludePad ? padded : count, 1));
          else y.set(k, acc);
        }
  out.push_back(std::move(y));
  return success();
}

LogicalResult globalPool(Operation *op, Operands in, Results &out, bool avg) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op->getResult(0));
  int64_t planes = x.shape[0] * x.shape[1], plane = x.numel() / std::max<int64_t>(planes, 1);
  if (isFloat(x.dtype) && plane > 0) { // the shared float kernels (engine/kernels/Pool.h)
    if (avg) kernels::globalAvgPoolForward(planes, plane, x.f.data(), y.f.data());
    else kernels::globalMaxPoolForward(planes, plane, x.f.data(), y.f.data(), nullptr);
    out.push_back(std::move(y));
    return success();
  }
  for (int64_t p = 0; p < planes; ++p) {
    double acc = avg ? 0.0 : -std::numeric_limits<double>::infinity();
    for (int64_t k = 0; k < plane; ++k) {
      double v = x.at(p * plane + k);
      acc = avg ? acc + v : std::fmax(acc, v);
    }
    y.set(p, avg ? acc / (double)plane : acc);
  }
  out.push_back(std::move(y));
  return success();
}

enum class Reduce { Mean, Max, Min, Sum, Prod };

LogicalResult reduce(Operation *op, ArrayRef<int64_t> axes, Operands in, Results &out, Reduce kind) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op->getResult(0));
  // Map each input element to its output element (reduced axes collapse to 0).
  std::vector<int64_t> keptShape = x.shape;
  for (int64_t a : axes) keptShape[a] = 1;
  std::vector<double> acc(y.numel());
  double init = kind == Reduce::Max ? -INFINITY : kind == Reduce::Min ? INFINITY
              : kind == Reduce::Prod ? 1.0 : 0.0;
  std::fill(acc.begin(), acc.end(), init);
  std::vector<int64_t> xs = x.strides();
  int64_t reduced = 1;
  for (int64_t a : axes) reduced *= x.shape[a];
  for (int64_t k = 0, n = x.numel(); k < n; ++k) {
    int64_t rem = k, o = 0;
    for (size_t d = 0; d < x.shape.size(); ++d) {
      int64_t coord = rem / xs[d];
      rem %= xs[d];
      o = o * keptShape[d] + (keptShape[d] == 1 ? 0 : coord);
    }
    double v = x.at(k);
    switch (kind) {
    case Reduce::Mean:
    case Reduce::Sum: acc[o] += v; break;
    case Reduce::Max: acc[o] = std::isnan(v) ? v : std::fmax(acc[o], v); break;
    case Reduce::Min: acc[o] = std::isnan(v) ? v : std::fmin(acc[o], v); break;
    case Reduce::Prod: acc[o] *= v; break;
    }
  }
  for (int64_t k = 0; k < y.numel(); ++k)
    y.set(k, kind == Reduce::Mean ? acc[k] / (double)std::max<int64_t>(reduced, 1) : acc[k]);
  out.push_back(std::move(y));
  return success();
}

LogicalResult softmax(Operation *op, int64_t axis, Operands in, Results &out, bool log) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op->getResult(0));
  int64_t outer = 1, len = x.shape[axis], inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * len + j) * inner + i; };
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < len; ++j) mx = std::fmax(mx, x.at(at(j)));
      for (int64_t j = 0; j < len; ++j) sum += std::exp(x.at(at(j)) - mx);
      for (int64_t j = 0; j < len; ++j) {
        double z = x.at(at(j)) - mx;
        y.set(at(j), log ? z - std::log(sum) : std::exp(z) / sum);
      }
    }
  out.push_back(std::move(y));
  return success();
}
} // namespace

std::optional<LogicalResult> evalPoolReduce(Operation *op, Operands in, Results &out, std::string &) {
  using R = std::optional<LogicalResult>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<MaxPoolOp>([&](MaxPoolOp o) { return pool(o, in, out, false, o.getDilations(), false); })
      .Case<AvgPoolOp>([&](AvgPoolOp o) {
        return pool(o, in, out, true, ArrayRef<int64_t>(), o.getCountIncludePad());
      })
      .Case<GlobalAvgPoolOp>([&](auto) { return globalPool(op, in, out, true); })
      .Case<GlobalMaxPoolOp>([&](auto) { return globalPool(op, in, out, false); })
      .Case<ReduceMeanOp>([&](auto o) { return reduce(op, o.getAxes(), in, out, Reduce::Mean); })
      .Case<ReduceMaxOp>([&](auto o) { return reduce(op, o.getAxes(), in, out, Reduce::Max); })
      .Case<ReduceMinOp>([&](auto o) { return reduce(op, o.getAxes(), in, out, Reduce::Min); })
      .Case<ReduceSumOp>([&](auto o) { return reduce(op, o.getAxes(), in, out, Reduce::Sum); })
      .Case<ReduceProdOp>([&](auto o) { return reduce(op, o.getAxes(), in, out, Reduce::Prod); })
      .Case<SoftmaxOp>([&](auto o) { return softmax(op, o.getAxis(), in, out, false); })
      .Case<LogSoftmaxOp>([&](auto o) { return softmax(op, o.getAxis(), in, out, true); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace dnnopt::engine
