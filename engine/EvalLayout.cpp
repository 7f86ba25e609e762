//===- EvalLayout.cpp - data movement ops ----------------------------------===//
#include "engine/EvalOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::engine {
namespace {

/// Copies element `from` of `src` into element `to` of `dst` (same storage kind).
inline void copyElem(const Tensor &src, int64_t from, Tensor &dst, int64_t to) {
  if (isFloat(dst.dtype)) dst.f[to] = src.f[from];
  else dst.i[to] = src.i[from];
}

/// Coordinates of flat index `k` in `shape`.
void unflatten(int64_t k, const std::vector<int64_t> &shape, std::vector<int64_t> &coord) {
  coord.resize(shape.size());
  for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
    coord[d] = shape[d] ? k % shape[d] : 0;
    k = shape[d] ? k / shape[d] : 0;
  }
}

LogicalResult transpose(TransposeOp op, Operands in, Results &out) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op.getOutput());
  std::vector<int64_t> xs = x.strides(), coord;
  ArrayRef<int64_t> perm = op.getPerm();
  for (int64_t k = 0, n = y.numel(); k < n; ++k) {
    unflatten(k, y.shape, coord);
    int64_t src = 0;
    for (size_t d = 0; d < coord.size(); ++d) src += coord[d] * xs[perm[d]];
    copyElem(x, src, y, k);
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult concat(ConcatOp op, Operands in, Results &out) {
  Tensor y = resultLike(op.getOutput());
  int64_t axis = op.getAxis(), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= y.shape[d];
  for (size_t d = axis + 1; d < y.shape.size(); ++d) inner *= y.shape[d];
  int64_t offset = 0;
  for (const Tensor *t : in) {
    int64_t len = t->shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < len * inner; ++j)
        copyElem(*t, o * len * inner + j, y, (o * y.shape[axis] + offset) * inner + j);
    offset += len;
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult split(SplitOp op, Operands in, Results &out) {
  const Tensor &x = *in[0];
  int64_t axis = op.getAxis(), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  int64_t offset = 0;
  for (Value r : op.getOutputs()) {
    Tensor y = resultLike(r);
    int64_t len = y.shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < len * inner; ++j)
        copyElem(x, (o * x.shape[axis] + offset) * inner + j, y, o * len * inner + j);
    offset += len;
    out.push_back(std::move(y));
  }
  return success();
}

LogicalResult slice(SliceOp op, Operands in, Results &out) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op.getOutput());
  std::vector<int64_t> xs = x.strides(), coord;
  for (int64_t k = 0, n = y.numel(); k < n; ++k) {
    unflatten(k, y.shape, coord);
    int64_t src = 0;
    for (size_t d = 0; d < coord.size(); ++d)
      src += (op.getStarts()[d] + coord[d] * op.getSteps()[d]) * xs[d];
    copyElem(x, src, y, k);
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult pad(PadOp op, Operands in, Results &out) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op.getOutput());
  size_t r = x.shape.size();
  ArrayRef<int64_t> pads = op.getPads();
  std::vector<int64_t> xs = x.strides(), coord;
  double value = op.getValue().convertToDouble();
  for (int64_t k = 0, n = y.numel(); k < n; ++k) {
    unflatten(k, y.shape, coord);
    int64_t src = 0;
    bool outside = false;
    for (size_t d = 0; d < r; ++d) {
      int64_t c = coord[d] - pads[d], len = x.shape[d];
      if (c < 0 || c >= len) {
        if (op.getMode() == PadMode::constant || len == 0) {
          outside = true;
          break;
        }
        if (op.getMode() == PadMode::edge) c = c < 0 ? 0 : len - 1;
        else { // reflect without repeating the edge
          int64_t period = 2 * (len - 1);
          if (period == 0) c = 0;
          else {
            c = ((c % period) + period) % period;
            if (c >= len) c = period - c;
          }
        }
      }
      src += c * xs[d];
    }
    if (outside) y.set(k, value);
    else copyElem(x, src, y, k);
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult gather(GatherOp op, Operands in, Results &out, std::string &err) {
  const Tensor &x = *in[0], &idx = *in[1];
  Tensor y = resultLike(op.getOutput());
  int64_t axis = op.getAxis(), outer = 1, inner = 1, len = x.shape[axis];
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  int64_t ni = idx.numel();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < ni; ++j) {
      int64_t i = idx.i[j];
      if (i < 0) i += len;
      if (i < 0 || i >= len) {
        err = "gather index " + std::to_string(idx.i[j]) + " out of range for axis of size " +
              std::to_string(len);
        return failure();
      }
      for (int64_t e = 0; e < inner; ++e)
        copyElem(x, (o * len + i) * inner + e, y, (o * ni + j) * inner + e);
    }
  out.push_back(std::move(y));
  return success();
}

/// Input coordinate of output coordinate `o` along one axis (ONNX Resize).
double sourceCoord(CoordMode mode, double o, double scale, int64_t inLen, int64_t outLen) {
  switch (mode) {
  case CoordMode::half_pixel: return (o + 0.5) / scale - 0.5;
  // ONNX measures the resized length as in * scale (not the rounded output size).
  case CoordMode::pytorch_half_pixel: return inLen * scale > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
  case CoordMode::align_corners:
    return outLen == 1 ? 0.0 : o * (double)(inLen - 1) / ((double)inLen * scale - 1.0);
  case CoordMode::asymmetric: return o / scale;
  case CoordMode::tf_half_pixel_for_nn: return (o + 0.5) / scale;
  }
  return o / scale;
}

int64_t nearestIndex(NearestMode mode, double c, int64_t len) {
  double r;
  switch (mode) {
  case NearestMode::round_prefer_floor: r = (c - std::floor(c) == 0.5) ? std::floor(c) : std::round(c); break;
  case NearestMode::round_prefer_ceil: r = (c - std::floor(c) == 0.5) ? std::ceil(c) : std::round(c); break;
  case NearestMode::floor: r = std::floor(c); break;
  case NearestMode::ceil: r = std::ceil(c); break;
  }
  return std::min<int64_t>(std::max<int64_t>((int64_t)r, 0), len - 1);
}

LogicalResult resize(ResizeOp op, Operands in, Results &out) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op.getOutput());
  size_t r = x.shape.size();
  std::vector<int64_t> xs = x.strides(), coord;
  ArrayRef<float> scales = op.getScales();
  bool linear = op.getMode() == ResizeMode::linear;
  std::vector<int64_t> lo(r), hi(r);
  std::vector<double> frac(r);
  for (int64_t k = 0, n = y.numel(); k < n; ++k) {
    unflatten(k, y.shape, coord);
    for (size_t d = 0; d < r; ++d) {
      double c = sourceCoord(op.getCoordMode(), (double)coord[d], scales[d], x.shape[d], y.shape[d]);
      if (!linear) {
        lo[d] = hi[d] = nearestIndex(op.getNearestMode(), c, x.shape[d]);
        frac[d] = 0;
        continue;
      }
      c = std::min(std::max(c, 0.0), (double)(x.shape[d] - 1));
      lo[d] = (int64_t)std::floor(c);
      hi[d] = std::min<int64_t>(lo[d] + 1, x.shape[d] - 1);
      frac[d] = c - (double)lo[d];
    }
    // Multilinear interpolation over the 2^r corners (axes with frac 0 contribute once).
    double acc = 0;
    for (uint64_t mask = 0; mask < (1ull << r); ++mask) {
      double w = 1;
      int64_t src = 0;
      for (size_t d = 0; d < r && w != 0; ++d) {
        bool up = mask >> d & 1;
        w *= up ? frac[d] : 1 - frac[d];
        src += (up ? hi[d] : lo[d]) * xs[d];
      }
      if (w != 0) acc += w * x.at(src);
    }
    y.set(k, acc);
  }
  out.push_back(std::move(y));
  return success();
}

LogicalResult cast(CastOp op, Operands in, Results &out) {
  const Tensor &x = *in[0];
  Tensor y = resultLike(op.getOutput());
  for (int64_t k = 0, n = y.numel(); k < n; ++k) {
    double v = x.at(k);
    y.set(k, isFloat(y.dtype) || y.dtype == DType::Bool ? v : std::trunc(v));
  }
  out.push_back(std::move(y));
  return success();
}
} // namespace

std::optional<LogicalResult> evalLayout(Operation *op, Operands in, Results &out, std::string &err) {
  using R = std::optional<LogicalResult>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<ConstantOp>([&](ConstantOp c) -> R {
        auto t = Tensor::fromAttr(c.getValue());
        if (failed(t)) {
          err = "constant of unsupported element type";
          return failure();
        }
        out.push_back(std::move(*t));
        return success();
      })
      .Case<ReshapeOp>([&](ReshapeOp o) -> R {
        Tensor y = *in[0];
        y.shape = resultLike(o.getOutput()).shape;
        out.push_back(std::move(y));
        return success();
      })
      .Case<TransposeOp>([&](auto o) { return transpose(o, in, out); })
      .Case<ConcatOp>([&](auto o) { return concat(o, in, out); })
      .Case<SplitOp>([&](auto o) { return split(o, in, out); })
      .Case<SliceOp>([&](auto o) { return slice(o, in, out); })
      .Case<PadOp>([&](auto o) { return pad(o, in, out); })
      .Case<GatherOp>([&](auto o) { return gather(o, in, out, err); })
      .Case<ResizeOp>([&](auto o) { return resize(o, in, out); })
      .Case<CastOp>([&](auto o) { return cast(o, in, out); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace dnnopt::engine
