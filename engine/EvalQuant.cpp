//===- EvalQuant.cpp - quantize, dequantize, qlinear_conv, qlinear_matmul --===//
//
// ONNX semantics: QuantizeLinear rounds half to even and saturates to the storage
// range (narrowed to `bits`); the QLinear ops are evaluated exactly as
// dequantize -> float op (accumulating in double) -> quantize.
//
//===----------------------------------------------------------------------===//
#include "engine/EvalOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::engine {
namespace {

/// Per-element parameter (scale or zero point) for flat index k: a scalar, or a
/// 1-D tensor along `axis`.
double paramAt(const Tensor *p, const Tensor &x, int64_t axis, int64_t k, double dflt) {
  if (!p) return dflt;
  if (p->numel() == 1) return p->at(0);
  int64_t inner = 1;
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  return p->at((k / inner) % x.shape[axis]);
}

double roundHalfEven(double v) { return std::nearbyint(v); } // default FE_TONEAREST

void storageRange(DType d, int64_t bits, double &lo, double &hi) {
  bool isSigned = d == DType::I8 || d == DType::I16 || d == DType::I32 || d == DType::I64;
  lo = isSigned ? -std::ldexp(1.0, (int)bits - 1) : 0.0;
  hi = isSigned ? std::ldexp(1.0, (int)bits - 1) - 1 : std::ldexp(1.0, (int)bits) - 1;
}

Tensor dequantize(const Tensor &x, const Tensor *scale, const Tensor *zp, int64_t axis) {
  Tensor y(DType::F32, x.shape);
  for (int64_t k = 0, n = x.numel(); k < n; ++k)
    y.f[k] = (float)((x.at(k) - paramAt(zp, x, axis, k, 0)) * paramAt(scale, x, axis, k, 1));
  return y;
}

void quantizeInto(const Tensor &x, const Tensor *scale, const Tensor *zp, int64_t axis, int64_t bits,
                  Tensor &y) {
  double lo, hi;
  storageRange(y.dtype, bits, lo, hi);
  for (int64_t k = 0, n = x.numel(); k < n; ++k) {
    // x / scale in float32, as ONNX (and the generated C) compute it: a quotient that is
    // an exact tie in float32 must round as a tie.
    double q = roundHalfEven((double)((float)x.at(k) / (float)paramAt(scale, x, axis, k, 1))) +
               paramAt(zp, x, axis, k, 0);
    y.set(k, std::fmin(std::fmax(q, lo), hi));
  }
}
} // namespace

std::optional<LogicalResult> evalQuant(Operation *op, Operands in, Results &out, std::string &) {
  using R = std::optional<LogicalResult>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<QuantizeLinearOp>([&](QuantizeLinearOp o) -> R {
        Tensor y = resultLike(o.getOutput());
        quantizeInto(*in[0], in[1], in.size() > 2 ? in[2] : nullptr, o.getAxis(), o.getBits(), y);
        out.push_back(std::move(y));
        return success();
      })
      .Case<DequantizeLinearOp>([&](DequantizeLinearOp o) -> R {
        out.push_back(dequantize(*in[0], in[1], in.size() > 2 ? in[2] : nullptr, o.getAxis()));
        return success();
      })
      .Case<QLinearConvOp>([&](QLinearConvOp o) -> R {
        // x, xs, xzp, w, ws, wzp, ys, yzp, [bias int32 at scale xs*ws]
        Tensor x = dequantize(*in[0], in[1], in[2], 1);
        Tensor w = dequantize(*in[3], in[4], in[5], 0);
        std::optional<Tensor> bias;
        if (in.size() > 8) {
          bias = Tensor(DType::F32, in[8]->shape);
          for (int64_t m = 0; m < in[8]->numel(); ++m)
            bias->f[m] = (float)(in[8]->at(m) * in[1]->at(0) * paramAt(in[4], *in[3], 0, m * (in[3]->numel() / in[3]->shape[0]), 1));
        }
        Tensor yf(DType::F32, resultLike(o.getOutput()).shape);
        Window win = makeWindow(x.shape, yf.shape, ArrayRef<int64_t>(w.shape).drop_front(2),
                                o.getStrides(), o.getDilations(), o.getPads());
        referenceConv(x, w, bias ? &*bias : nullptr, yf, win, o.getGroup());
        Tensor y = resultLike(o.getOutput());
        quantizeInto(yf, in[6], in[7], 1, 8, y);
        out.push_back(std::move(y));
        return success();
      })
      .Case<QLinearMatMulOp>([&](QLinearMatMulOp o) -> R {
        // a, as, azp, b, bs, bzp, ys, yzp; b's per-column params are along its last axis.
        Tensor a = dequantize(*in[0], in[1], in[2], (int64_t)in[0]->shape.size() - 2);
        Tensor b = dequantize(*in[3], in[4], in[5], (int64_t)in[3]->shape.size() - 1);
        Tensor yf(DType::F32, resultLike(o.getOutput()).shape);
        referenceMatmul(a, b, yf);
        Tensor y = resultLike(o.getOutput());
        quantizeInto(yf, in[6], in[7], 0, 8, y);
        out.push_back(std::move(y));
        return success();
      })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace dnnopt::engine
