//===- OpsLayout.cpp - reshape, transpose, concat, pad, slice --------------===//
#include "passes/search/Ops.h"

#include "engine/kernels/Parallel.h"

#include <cstring>

using llvm::ArrayRef;
using llvm::failure;
using llvm::LogicalResult;
using llvm::success;

namespace dnnopt::search {
namespace {

class ReshapeOp : public Op {
public:
  explicit ReshapeOp(Shape t) : target(std::move(t)) {}
  std::string kind() const override { return "reshape"; }
  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    Shape s = target;
    int64_t known = 1, infer = -1;
    for (size_t d = 0; d < s.size(); ++d) {
      if (s[d] == -1) infer = (int64_t)d;
      else known *= s[d];
    }
    int64_t n = in[0]->numel();
    if (infer >= 0) s[infer] = known ? n / known : 0;
    if (numelOf(s) != n)
      return error = "cannot reshape " + shapeStr(in[0]->shape) + " to " + shapeStr(target), failure();
    out.shape = s;
    out.data = in[0]->data;
    return success();
  }
  void backward(ArrayRef<const Tensor *>, const Tensor &, const Tensor &gout, ArrayRef<Tensor *> gin) override {
    if (!gin[0]) return;
    float *gx = gin[0]->ptr();
    const float *g = gout.ptr();
    for (int64_t k = 0, n = gout.numel(); k < n; ++k) gx[k] += g[k];
  }

private:
  Shape target;
};

/// An op whose output element k is input element map[k] (or `fill` when -1):
/// transpose, pad, slice. The map is rebuilt when the input shape changes.
class IndexMapOp : public Op {
public:
  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    if (in[0]->shape != mappedShape || map.empty()) {
      if (failed(buildMap(in[0]->shape, outShape, error))) return failure();
      mappedShape = in[0]->shape;
    }
    out.reshape(outShape);
    const float *x = in[0]->ptr();
    float *y = out.ptr();
    for (int64_t k = 0, n = out.numel(); k < n; ++k) y[k] = map[k] >= 0 ? x[map[k]] : fill;
    return success();
  }
  void backward(ArrayRef<const Tensor *>, const Tensor &, const Tensor &gout, ArrayRef<Tensor *> gin) override {
    if (!gin[0]) return;
    float *gx = gin[0]->ptr();
    const float *g = gout.ptr();
    for (int64_t k = 0, n = gout.numel(); k < n; ++k)
      if (map[k] >= 0) gx[map[k]] += g[k];
  }

protected:
  virtual LogicalResult buildMap(const Shape &in, Shape &out, std::string &error) = 0;
  /// Calls fn(k, coords) for every element of `shape`, in order.
  template <typename Fn>
  static void forCoords(const Shape &shape, Fn fn) {
    Shape c(shape.size(), 0);
    for (int64_t k = 0, n = numelOf(shape); k < n; ++k) {
      fn(k, c);
      for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
        if (++c[d] < shape[d]) break;
        c[d] = 0;
      }
    }
  }
  static Shape stridesOf(const Shape &s) {
    Shape st(s.size(), 1);
    for (int64_t d = (int64_t)s.size() - 2; d >= 0; --d) st[d] = st[d + 1] * s[d + 1];
    return st;
  }
  std::vector<int64_t> map;
  float fill = 0.0f;

private:
  Shape mappedShape, outShape;
};

class TransposeOp : public IndexMapOp {
public:
  explicit TransposeOp(std::vector<int64_t> p) : perm(std::move(p)) {}
  std::string kind() const override { return "transpose"; }
  LogicalResult buildMap(const Shape &in, Shape &out, std::string &error) override {
    if (perm.size() != in.size()) return error = "transpose perm does not match the rank", failure();
    out.resize(in.size());
    for (size_t d = 0; d < in.size(); ++d) out[d] = in[perm[d]];
    Shape st = stridesOf(in);
    map.assign(numelOf(out), 0);
    forCoords(out, [&](int64_t k, const Shape &c) {
      int64_t src = 0;
      for (size_t d = 0; d < c.size(); ++d) src += c[d] * st[perm[d]];
      map[k] = src;
    });
    return success();
  }

private:
  std::vector<int64_t> perm;
};

class PadOp : public IndexMapOp {
public:
  PadOp(std::vector<int64_t> p, PadMode m, float v) : pads(std::move(p)), mode(m) { fill = v; }
  std::string kind() const override { return "pad"; }
  LogicalResult buildMap(const Shape &in, Shape &out, std::string &error) override {
    size_t r = in.size();
    if (pads.size() != 2 * r) return error = "pad needs 2 x rank pads", failure();
    out.resize(r);
    for (size_t d = 0; d < r; ++d) {
      out[d] = in[d] + pads[d] + pads[r + d];
      if (out[d] < 0) return error = "pads crop more than the input", failure();
    }
    Shape st = stridesOf(in);
    map.assign(numelOf(out), 0);
    forCoords(out, [&](int64_t k, const Shape &coord) {
      int64_t src = 0;
      for (size_t d = 0; d < r; ++d) {
        int64_t c = coord[d] - pads[d], len = in[d];
        if (c < 0 || c >= len) {
          if (mode == PadMode::Constant || len == 0) {
            src = -1;
            break;
          }
          if (mode == PadMode::Edge) c = c < 0 ? 0 : len - 1;
          else { // reflect without repeating the edge
            int64_t period = 2 * (len - 1);
            if (period == 0) c = 0;
            else {
              c = ((c % period) + period) % period;
              if (c >= len) c = period - c;
            }
          }
        }
        src += c * st[d];
      }
      map[k] = src;
    });
    return success();
  }

private:
  std::vector<int64_t> pads;
  PadMode mode;
};

class SliceOp : public IndexMapOp {
public:
  SliceOp(std::vector<int64_t> s, std::vector<int64_t> e, std::vector<int64_t> t)
      : starts(std::move(s)), ends(std::move(e)), steps(std::move(t)) {}
  std::string kind() const override { return "slice"; }
  LogicalResult buildMap(const Shape &in, Shape &out, std::string &error) override {
    size_t r = in.size();
    if (starts.size() != r || ends.size() != r || steps.size() != r)
      return error = "slice needs one start / end / step per axis", failure();
    out.resize(r);
    for (size_t d = 0; d < r; ++d) {
      if (steps[d] == 0) return error = "slice step 0", failure();
      int64_t len = steps[d] > 0 ? (ends[d] - starts[d] + steps[d] - 1) / steps[d]
                                 : (starts[d] - ends[d] + (-steps[d]) - 1) / (-steps[d]);
      out[d] = std::max<int64_t>(0, len);
      if (out[d] > 0 && (starts[d] < 0 || starts[d] >= in[d] ||
                         starts[d] + (out[d] - 1) * steps[d] < 0 || starts[d] + (out[d] - 1) * steps[d] >= in[d]))
        return error = "slice out of range", failure();
    }
    Shape st = stridesOf(in);
    map.assign(numelOf(out), 0);
    forCoords(out, [&](int64_t k, const Shape &c) {
      int64_t src = 0;
      for (size_t d = 0; d < r; ++d) src += (starts[d] + c[d] * steps[d]) * st[d];
      map[k] = src;
    });
    return success();
  }

private:
  std::vector<int64_t> starts, ends, steps;
};

class ConcatOp : public Op {
public:
  explicit ConcatOp(int64_t axis) : axis(axis) {}
  std::string kind() const override { return "concat"; }
  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    if (in.empty()) return error = "concat of nothing", failure();
    Shape s = in[0]->shape;
    int64_t ax = axis < 0 ? axis + (int64_t)s.size() : axis;
    if (ax < 0 || ax >= (int64_t)s.size()) return error = "concat axis out of range", failure();
    s[ax] = 0;
    for (const Tensor *t : in) {
      Shape u = t->shape;
      if (u.size() != s.size()) return error = "concat inputs differ in rank", failure();
      s[ax] += u[ax];
      u[ax] = 0;
      Shape v = s;
      v[ax] = 0;
      if (u != v) return error = "concat inputs differ outside the axis", failure();
    }
    out.reshape(s);
    outer = 1, inner = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= s[d];
    for (size_t d = ax + 1; d < s.size(); ++d) inner *= s[d];
    total = s[ax];
    int64_t off = 0;
    for (const Tensor *t : in) {
      int64_t len = t->shape[ax] * inner;
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(out.ptr() + o * total * inner + off, t->ptr() + o * len, sizeof(float) * len);
      off += len;
    }
    return success();
  }
  void backward(ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout, ArrayRef<Tensor *> gin) override {
    int64_t off = 0;
    int64_t ax = axis < 0 ? axis + gout.rank() : axis;
    for (size_t i = 0; i < in.size(); ++i) {
      int64_t len = in[i]->shape[ax] * inner;
      if (gin[i])
        for (int64_t o = 0; o < outer; ++o) {
          float *g = gin[i]->ptr() + o * len;
          const float *src = gout.ptr() + o * total * inner + off;
          for (int64_t j = 0; j < len; ++j) g[j] += src[j];
        }
      off += len;
    }
  }

private:
  int64_t axis, outer = 1, inner = 1, total = 0;
};

} // namespace

std::unique_ptr<Op> makeReshape(Shape target) { return std::make_unique<ReshapeOp>(std::move(target)); }
std::unique_ptr<Op> makeTranspose(std::vector<int64_t> perm) { return std::make_unique<TransposeOp>(std::move(perm)); }
std::unique_ptr<Op> makeConcat(int64_t axis) { return std::make_unique<ConcatOp>(axis); }
std::unique_ptr<Op> makePad(std::vector<int64_t> pads, PadMode mode, float value) {
  return std::make_unique<PadOp>(std::move(pads), mode, value);
}
std::unique_ptr<Op> makeSlice(std::vector<int64_t> starts, std::vector<int64_t> ends, std::vector<int64_t> steps) {
  return std::make_unique<SliceOp>(std::move(starts), std::move(ends), std::move(steps));
}

} // namespace dnnopt::search
