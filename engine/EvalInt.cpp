//===- EvalInt.cpp - integer (quantized) ops: qconv, qfully_connected, ... -===//
//
// Plain loops over the exact integer arithmetic that DnnIntOps.td defines. The
// fixed-point representation of the real scales and the requantization rounding
// are the runtime's own definitions (dnn_s8_quantize_multiplier, dnn_s8_requant,
// dnn_s8_add_quantize in runtime/dnn_s8.h), so the generated C matches this
// reference bit for bit; the accumulation is independent of the kernels.
//
//===----------------------------------------------------------------------===//
#include "engine/EvalOps.h"

#include "runtime/dnn_s8.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::engine {
namespace {

struct Requant {
  int32_t mult = 0, shift = 0;
  explicit Requant(double scale) { dnn_s8_quantize_multiplier(scale, &mult, &shift); }
  int64_t operator()(int64_t acc) const {
    return dnn_s8_requant((int32_t)acc, mult, shift); // accumulators wrap at 32 bits
  }
};

int64_t clampI(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

/// Channels-last geometry padded to 3 spatial axes.
struct CLGeom {
  int64_t n = 1, c = 1, in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, m = 1;
};
CLGeom clGeom(const std::vector<int64_t> &x, const std::vector<int64_t> &y) {
  CLGeom g;
  size_t s = x.size() - 2, off = 3 - s;
  g.n = x[0];
  g.c = x.back();
  g.m = y.back();
  for (size_t i = 0; i < s; ++i) {
    g.in[off + i] = x[1 + i];
    g.out[off + i] = y[1 + i];
  }
  return g;
}
/// Spatial attributes padded to 3 axes (missing leading axes: kernel 1, stride 1, ...).
void pad3(ArrayRef<int64_t> v, int64_t fill, int64_t out[3]) {
  size_t off = 3 - v.size();
  for (size_t i = 0; i < 3; ++i) out[i] = i < off ? fill : v[i - off];
}
void pads3(ArrayRef<int64_t> pads, int64_t begin[3], int64_t end[3]) {
  size_t s = pads.size() / 2;
  pad3(pads.take_front(s), 0, begin);
  pad3(pads.drop_front(s), 0, end);
}

LogicalResult qconv(QConvOp o, Operands in, Results &out) {
  const Tensor &x = *in[0], &w = *in[1];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  Tensor y = resultLike(o.getOutput());
  CLGeom g = clGeom(x.shape, y.shape);
  int64_t k[3], st[3], dil[3], pb[3], pe[3];
  pad3(ArrayRef<int64_t>(w.shape).drop_front(2), 1, k);
  pad3(o.getStrides(), 1, st);
  pad3(o.getDilations(), 1, dil);
  pads3(o.getPads(), pb, pe);
  int64_t group = o.getGroup(), cg = g.c / group, mg = g.m / group, izp = o.getInputZp(),
          ozp = o.getOutputZp(), lo = o.getActMin(), hi = o.getActMax();
  ArrayRef<double> scales = o.getScale();
  std::vector<Requant> rq;
  for (double s : scales) rq.emplace_back(s);
  int64_t idx = 0;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow)
          for (int64_t m = 0; m < g.m; ++m, ++idx) {
            int64_t acc = bias ? bias->i[m] : 0, gi = m / mg;
            for (int64_t c = 0; c < cg; ++c)
              for (int64_t kd = 0; kd < k[0]; ++kd)
                for (int64_t kh = 0; kh < k[1]; ++kh)
                  for (int64_t kw = 0; kw < k[2]; ++kw) {
                    int64_t id = od * st[0] - pb[0] + kd * dil[0],
                            ih = oh * st[1] - pb[1] + kh * dil[1],
                            iw = ow * st[2] - pb[2] + kw * dil[2];
                    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 ||
                        iw >= g.in[2])
                      continue;
                    int64_t xv = x.i[(((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw) * g.c +
                                     gi * cg + c];
                    int64_t wv = w.i[(((m * cg + c) * k[0] + kd) * k[1] + kh) * k[2] + kw];
                    acc += (xv - izp) * wv;
                  }
            const Requant &r = rq[scales.size() == 1 ? 0 : m];
            y.i[idx] = clampI(ozp + r(acc), lo, hi);
          }
  out.push_back(std::move(y));
  return success();
}

LogicalResult qfc(QFullyConnectedOp o, Operands in, Results &out) {
  const Tensor &x = *in[0], &w = *in[1];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  Tensor y = resultLike(o.getOutput());
  int64_t b = x.shape[0], kk = x.shape[1], nn = w.shape[0], izp = o.getInputZp(),
          ozp = o.getOutputZp(), lo = o.getActMin(), hi = o.getActMax();
  ArrayRef<double> scales = o.getScale();
  std::vector<Requant> rq;
  for (double s : scales) rq.emplace_back(s);
  for (int64_t r = 0; r < b; ++r)
    for (int64_t j = 0; j < nn; ++j) {
      int64_t acc = bias ? bias->i[j] : 0;
      for (int64_t q = 0; q < kk; ++q) acc += (x.i[r * kk + q] - izp) * w.i[j * kk + q];
      y.i[r * nn + j] = clampI(ozp + rq[scales.size() == 1 ? 0 : j](acc), lo, hi);
    }
  out.push_back(std::move(y));
  return success();
}

LogicalResult qadd(QAddOp o, Operands in, Results &out) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor y = resultLike(o.getOutput());
  int32_t am, bm, shift;
  dnn_s8_add_quantize(o.getLhsScale().convertToDouble(), o.getRhsScale().convertToDouble(),
                      o.getOutputScale().convertToDouble(), &am, &bm, &shift);
  int64_t azp = o.getLhsZp(), bzp = o.getRhsZp(), ozp = o.getOutputZp(), lo = o.getActMin(),
          hi = o.getActMax(), period = b.numel();
  for (int64_t k = 0, n = y.numel(); k < n; ++k) {
    int64_t A = (a.i[k] - azp) * (int64_t(1) << 20), B = (b.i[k % period] - bzp) * (int64_t(1) << 20);
    int64_t s = A * am + B * bm + (int64_t(1) << (31 + shift));
    int64_t q = s >= 0 ? s >> (32 + shift) : -((-s + (int64_t(1) << (32 + shift)) - 1) >> (32 + shift));
    y.i[k] = clampI(ozp + q, lo, hi);
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult requantize(RequantizeOp o, Operands in, Results &out) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(o.getOutput());
  Requant r(o.getScale().convertToDouble());
  int64_t izp = o.getInputZp(), ozp = o.getOutputZp(), lo = o.getActMin(), hi = o.getActMax();
  for (int64_t k = 0, n = x.numel(); k < n; ++k) y.i[k] = clampI(ozp + r(x.i[k] - izp), lo, hi);
  out.push_back(std::move(y));
  return success();
}

/// Shared window walk of the integer pools: calls visit(value) for every input
/// position of the window inside the input, and returns (inside, insidePadded).
template <typename Op, typename Fn>
void poolWindows(Op o, ArrayRef<int64_t> dilations, const Tensor &x, Tensor &y, Fn &&fn) {
  CLGeom g = clGeom(x.shape, y.shape);
  int64_t k[3], st[3], dil[3], pb[3], pe[3];
  pad3(o.getKernelShape(), 1, k);
  pad3(o.getStrides(), 1, st);
  pad3(dilations, 1, dil);
  pads3(o.getPads(), pb, pe);
  int64_t idx = 0;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow)
          for (int64_t c = 0; c < g.c; ++c, ++idx) {
            std::vector<int64_t> vals;
            int64_t padded = 0;
            for (int64_t kd = 0; kd < k[0]; ++kd)
              for (int64_t kh = 0; kh < k[1]; ++kh)
                for (int64_t kw = 0; kw < k[2]; ++kw) {
                  int64_t p[3] = {od * st[0] - pb[0] + kd * dil[0], oh * st[1] - pb[1] + kh * dil[1],
                                  ow * st[2] - pb[2] + kw * dil[2]};
                  bool inPadded = true, inside = true;
                  for (int a = 0; a < 3; ++a) {
                    inPadded &= p[a] >= -pb[a] && p[a] < g.in[a] + pe[a];
                    inside &= p[a] >= 0 && p[a] < g.in[a];
                  }
                  padded += inPadded;
                  if (inside)
                    vals.push_back(x.i[(((n * g.in[0] + p[0]) * g.in[1] + p[1]) * g.in[2] + p[2]) * g.c + c]);
                }
            y.i[idx] = fn(vals, padded);
          }
}

LogicalResult qmaxPool(QMaxPoolOp o, Operands in, Results &out) {
  Tensor y = resultLike(o.getOutput());
  int64_t lo = o.getActMin(), hi = o.getActMax();
  poolWindows(o, o.getDilations(), *in[0], y, [&](const std::vector<int64_t> &v, int64_t) {
    int64_t mx = lo;
    for (size_t i = 0; i < v.size(); ++i) mx = i == 0 ? v[0] : std::max(mx, v[i]);
    return clampI(mx, lo, hi);
  });
  out.push_back(std::move(y));
  return success();
}

LogicalResult qavgPool(QAvgPoolOp o, Operands in, Results &out) {
  Tensor y = resultLike(o.getOutput());
  int64_t lo = o.getActMin(), hi = o.getActMax(), zp = o.getZp();
  bool includePad = o.getCountIncludePad();
  SmallVector<int64_t> ones(o.getKernelShape().size(), 1);
  poolWindows(o, ones, *in[0], y, [&](const std::vector<int64_t> &v, int64_t padded) {
    int64_t valid = (int64_t)v.size(), cnt = includePad ? padded : valid, s = 0;
    if (cnt == 0) return clampI(zp, lo, hi);
    for (int64_t e : v) s += e;
    s += zp * (cnt - valid);
    // zp + (S - cnt * zp) / cnt, the exact average rounded half to even (ONNX's float32
    // dequantize, average, quantize can break an exact tie the other way: docs/quantization.md)
    int64_t t = s - cnt * zp, d = t >= 0 ? t / cnt : -((-t + cnt - 1) / cnt), r2 = 2 * (t - d * cnt);
    if (r2 > cnt || (r2 == cnt && (d % 2 != 0))) ++d;
    return clampI(d + zp, lo, hi);
  });
  out.push_back(std::move(y));
  return success();
}

LogicalResult qglobalAvgPool(QGlobalAvgPoolOp o, Operands in, Results &out) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(o.getOutput());
  int64_t n = x.shape[0], c = x.shape.back(), size = x.numel() / (n * c);
  Requant r(o.getScale().convertToDouble() / (double)size);
  int64_t izp = o.getInputZp(), ozp = o.getOutputZp(), lo = o.getActMin(), hi = o.getActMax();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      int64_t s = 0;
      for (int64_t i = 0; i < size; ++i) s += x.i[(b * size + i) * c + ch] - izp;
      y.i[b * c + ch] = clampI(ozp + r(s), lo, hi);
    }
  out.push_back(std::move(y));
  return success();
}

} // namespace

std::optional<LogicalResult> evalInt(Operation *op, Operands in, Results &out, std::string &) {
  using R = std::optional<LogicalResult>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<QConvOp>([&](auto o) -> R { return qconv(o, in, out); })
      .Case<QFullyConnectedOp>([&](auto o) -> R { return qfc(o, in, out); })
      .Case<QAddOp>([&](auto o) -> R { return qadd(o, in, out); })
      .Case<RequantizeOp>([&](auto o) -> R { return requantize(o, in, out); })
      .Case<QMaxPoolOp>([&](auto o) -> R { return qmaxPool(o, in, out); })
      .Case<QAvgPoolOp>([&](auto o) -> R { return qavgPool(o, in, out); })
      .Case<QGlobalAvgPoolOp>([&](auto o) -> R { return qglobalAvgPool(o, in, out); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace dnnopt::engine
