//===- OnnxConstEvalData.cpp - data-movement kernels of the evaluator -----===//
//
// Reshape, transpose, slice, gather, concat, split, expand, tile and pad on
// ConstTensor: each computes, for every output element, the flat index of the
// input element it copies (checked by `pick`), so they work for any element type.
//
//===----------------------------------------------------------------------===//
#include "frontend/OnnxConstEval.h"
#include "frontend/OnnxConstEvalDetail.h"

using namespace mlir;

namespace dnnopt::onnximport {
using namespace detail;

//===----------------------------------------------------------------------===//
// Data movement kernels
//===----------------------------------------------------------------------===//

EvalResult evalReshape(const ConstTensor &a, ArrayRef<int64_t> shape, std::string &error) {
  if (boundedCount(shape) != a.numElements()) {
    error = "internal error: reshape changes the element count";
    return std::nullopt;
  }
  ConstTensor r = a;
  r.shape.assign(shape.begin(), shape.end());
  return r;
}

EvalResult evalTranspose(const ConstTensor &a, ArrayRef<int64_t> perm, std::string &error) {
  int64_t rank = a.shape.size();
  if ((int64_t)perm.size() != rank) {
    error = "internal error: bad permutation";
    return std::nullopt;
  }
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank) {
      error = "internal error: bad permutation";
      return std::nullopt;
    }
    out.push_back(a.shape[p]);
  }
  SmallVector<int64_t> inStrides = stridesOf(a.shape);
  int64_t n = a.numElements();
  std::vector<int64_t> idx(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, src = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      src += (flat % out[d]) * inStrides[perm[d]];
      flat /= out[d];
    }
    idx[i] = src;
  }
  return pick(a, out, idx, error);
}

EvalResult evalSlice(const ConstTensor &a, ArrayRef<int64_t> starts, ArrayRef<int64_t> ends,
                     ArrayRef<int64_t> steps, std::string &error) {
  size_t rank = a.shape.size();
  if (starts.size() != rank || ends.size() != rank || steps.size() != rank) {
    error = "internal error: bad slice parameters";
    return std::nullopt;
  }
  SmallVector<int64_t> out;
  for (size_t d = 0; d < rank; ++d) {
    int64_t st = starts[d], en = ends[d], sp = steps[d];
    if (sp == 0) {
      error = "slice step is zero";
      return std::nullopt;
    }
    // Steps are clamped to the axis extent by the importer, so no overflow here.
    int64_t n = sp > 0 ? (en - st + sp - 1) / sp : (st - en - sp - 1) / (-sp);
    out.push_back(std::max<int64_t>(n, 0));
  }
  int64_t n = boundedCount(out);
  SmallVector<int64_t> inStrides = stridesOf(a.shape);
  std::vector<int64_t> idx(std::max<int64_t>(n, 0));
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, src = 0;
    for (int64_t d = (int64_t)rank - 1; d >= 0; --d) {
      int64_t coord = starts[d] + (flat % out[d]) * steps[d];
      flat /= out[d];
      src += coord * inStrides[d];
    }
    idx[i] = src;
  }
  return pick(a, out, idx, error);
}

EvalResult evalGather(const ConstTensor &data, const ConstTensor &indices, int64_t axis,
                      std::string &error) {
  int64_t rank = data.shape.size();
  if (axis < 0 || axis >= rank) {
    error = "internal error: gather axis out of range";
    return std::nullopt;
  }
  SmallVector<int64_t> out(data.shape.begin(), data.shape.begin() + axis);
  out.append(indices.shape.begin(), indices.shape.end());
  out.append(data.shape.begin() + axis + 1, data.shape.end());
  if (!checkSize(out, error)) return std::nullopt;
  int64_t outer = boundedCount(ArrayRef<int64_t>(data.shape).take_front(axis));
  int64_t inner = boundedCount(ArrayRef<int64_t>(data.shape).drop_front(axis + 1));
  int64_t dim = data.shape[axis], nIdx = indices.numElements();
  std::vector<int64_t> idx;
  idx.reserve(boundedCount(out));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < nIdx; ++j) {
      int64_t k = indices.intAt(j);
      if (k < 0 || k >= dim) {
        error = "gather index " + std::to_string(k) + " out of range";
        return std::nullopt;
      }
      for (int64_t i = 0; i < inner; ++i) idx.push_back((o * dim + k) * inner + i);
    }
  return pick(data, out, idx, error);
}

EvalResult evalConcat(ArrayRef<const ConstTensor *> inputs, int64_t axis, std::string &error) {
  if (inputs.empty()) {
    error = "nothing to concatenate";
    return std::nullopt;
  }
  const ConstTensor &first = *inputs[0];
  int64_t rank = first.shape.size();
  if (axis < 0 || axis >= rank) {
    error = "concat axis out of range";
    return std::nullopt;
  }
  SmallVector<int64_t> out(first.shape);
  out[axis] = 0;
  for (const ConstTensor *t : inputs) {
    if ((int64_t)t->shape.size() != rank || t->elementType != first.elementType) {
      error = "concat inputs differ in rank or element type";
      return std::nullopt;
    }
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t->shape[d] != first.shape[d]) {
        error = "concat inputs differ outside the axis";
        return std::nullopt;
      }
    out[axis] += t->shape[axis];
  }
  if (!checkSize(out, error)) return std::nullopt;
  int64_t outer = boundedCount(ArrayRef<int64_t>(out).take_front(axis));
  int64_t inner = boundedCount(ArrayRef<int64_t>(out).drop_front(axis + 1));
  ConstTensor r;
  r.elementType = first.elementType;
  r.shape = out;
  for (int64_t o = 0; o < outer; ++o)
    for (const ConstTensor *t : inputs) {
      int64_t chunk = t->shape[axis] * inner, base = o * chunk;
      if (t->isFloat())
        r.floats.insert(r.floats.end(), t->floats.begin() + base, t->floats.begin() + base + chunk);
      else
        r.ints.insert(r.ints.end(), t->ints.begin() + base, t->ints.begin() + base + chunk);
    }
  return r;
}

EvalResult evalSplit(const ConstTensor &a, int64_t axis, int64_t offset, int64_t size,
                     std::string &error) {
  int64_t rank = a.shape.size();
  if (axis < 0 || axis >= rank || offset < 0 || size < 0 || offset + size > a.shape[axis]) {
    error = "internal error: bad split";
    return std::nullopt;
  }
  SmallVector<int64_t> starts(rank, 0), ends(a.shape), steps(rank, 1);
  starts[axis] = offset;
  ends[axis] = offset + size;
  return evalSlice(a, starts, ends, steps, error);
}

EvalResult evalExpand(const ConstTensor &a, ArrayRef<int64_t> shape, std::string &error) {
  auto out = broadcast(a.shape, shape, error);
  if (!out) return std::nullopt;
  return pick(a, *out, broadcastIndex(*out, a.shape), error);
}

EvalResult evalTile(const ConstTensor &a, ArrayRef<int64_t> repeats, std::string &error) {
  size_t rank = a.shape.size();
  if (repeats.size() != rank) {
    error = "repeats must have one entry per axis";
    return std::nullopt;
  }
  SmallVector<int64_t> out;
  for (size_t d = 0; d < rank; ++d) {
    if (repeats[d] < 0 || (a.shape[d] && repeats[d] > kMaxEvalElements)) {
      error = "invalid repeat count " + std::to_string(repeats[d]);
      return std::nullopt;
    }
    out.push_back(a.shape[d] * repeats[d]);
  }
  if (!checkSize(out, error)) return std::nullopt;
  int64_t n = boundedCount(out);
  SmallVector<int64_t> inStrides = stridesOf(a.shape);
  std::vector<int64_t> idx(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, src = 0;
    for (int64_t d = (int64_t)rank - 1; d >= 0; --d) {
      src += ((flat % out[d]) % a.shape[d]) * inStrides[d];
      flat /= out[d];
    }
    idx[i] = src;
  }
  return pick(a, out, idx, error);
}

EvalResult evalPad(const ConstTensor &a, ArrayRef<int64_t> pads, double value, std::string &error) {
  size_t rank = a.shape.size();
  if (pads.size() != 2 * rank) {
    error = "internal error: bad pads";
    return std::nullopt;
  }
  SmallVector<int64_t> out;
  for (size_t d = 0; d < rank; ++d) {
    int64_t o = a.shape[d] + pads[d] + pads[rank + d];
    if (o < 0) {
      error = "pads crop an axis below zero";
      return std::nullopt;
    }
    out.push_back(o);
  }
  if (!checkSize(out, error)) return std::nullopt;
  int64_t n = boundedCount(out);
  SmallVector<int64_t> inStrides = stridesOf(a.shape);
  ConstTensor r;
  r.elementType = a.elementType;
  r.shape = out;
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = i, src = 0;
    bool inside = true;
    for (int64_t d = (int64_t)rank - 1; d >= 0; --d) {
      int64_t c = flat % out[d] - pads[d];
      flat /= out[d];
      if (c < 0 || c >= a.shape[d])
        inside = false;
      else
        src += c * inStrides[d];
    }
    if (a.isFloat())
      r.floats.push_back(inside ? a.floats[src] : value);
    else
      r.ints.push_back(inside ? a.ints[src] : wrapInt(a.elementType, satInt(value)));
  }
  return r;
}

} // namespace dnnopt::onnximport
