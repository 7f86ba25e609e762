//===- OnnxOpsData.cpp - Transpose, Concat, Split, Slice, Pad, Gather ------===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxOpsUtil.h"

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace dnnopt::onnximport {
namespace {

LogicalResult importTranspose(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  SmallVector<int64_t> perm = n.attrInts("perm");
  if (!n.hasAttr("perm"))
    for (int64_t d = t.getRank() - 1; d >= 0; --d) perm.push_back(d);
  if (n.hasFailed()) return failure();
  if (auto a = n.constTensor(0)) {
    SmallVector<int64_t> sorted(perm);
    llvm::sort(sorted);
    bool valid = (int64_t)perm.size() == t.getRank();
    for (size_t i = 0; valid && i < sorted.size(); ++i) valid = sorted[i] == (int64_t)i;
    if (!valid) return n.error("perm " + shapeStr(perm) + " is not a permutation of the axes");
    std::string err;
    EvalResult r = evalTranspose(*a, perm, err);
    return n.setOutputEval(0, r, err);
  }
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0, n.create<dnn::TransposeOp>(ValueRange{x}, {n.i64s("perm", perm)}));
}

LogicalResult importConcat(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  if (n.opset() >= 4 && !n.hasAttr("axis")) return n.error("missing attribute 'axis'");
  auto axis = normalizeAxis(n, n.attrInt("axis", 1), t.getRank());
  if (!axis) return failure();
  if (n.allInputsEvaluable()) {
    std::vector<ConstTensor> inputs;
    for (unsigned i = 0; i < n.numInputs(); ++i) {
      auto c = n.constTensor(i);
      if (!c) return n.error("missing input #" + Twine(i));
      inputs.push_back(std::move(*c));
    }
    SmallVector<const ConstTensor *> ptrs;
    for (const ConstTensor &c : inputs) ptrs.push_back(&c);
    std::string err;
    EvalResult r = evalConcat(ptrs, *axis, err);
    return n.setOutputEval(0, r, err);
  }
  SmallVector<Value> operands;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    operands.push_back(n.input(i));
    if (!operands.back()) return failure();
  }
  if (operands.size() == 1) return n.setOutput(0, operands[0]);
  return n.setOutput(0, n.create<dnn::ConcatOp>(operands, {n.i64("axis", *axis)}));
}

/// Split sizes: attribute `split` before opset 13, optional input after; without
/// them, equal parts (opset 18: `num_outputs` parts of ceil(dim / n), the last
/// one smaller).
std::optional<SmallVector<int64_t>> splitSizes(NodeImporter &n, int64_t dim) {
  SmallVector<int64_t> sizes;
  if (n.opset() < 13 && n.hasAttr("split")) {
    sizes = n.attrInts("split");
  } else if (n.hasInput(1)) {
    auto v = n.constInts(1, "split");
    if (!v) return std::nullopt;
    sizes = *v;
  }
  if (n.hasFailed()) return std::nullopt;
  int64_t parts = n.numOutputs();
  if (n.opset() >= 18 && n.hasAttr("num_outputs")) {
    int64_t k = n.attrInt("num_outputs", parts);
    if (k != parts || !sizes.empty()) {
      (void)n.error("num_outputs " + Twine(k) + " conflicts with the node's " + Twine(parts) +
                    " outputs or an explicit split");
      return std::nullopt;
    }
  }
  if (!sizes.empty()) {
    if ((int64_t)sizes.size() != parts) {
      (void)n.error("split " + shapeStr(sizes) + " gives " + Twine(sizes.size()) + " sizes for " +
                    Twine(parts) + " outputs");
      return std::nullopt;
    }
    return sizes;
  }
  int64_t chunk = (dim + parts - 1) / parts;
  if (dim % parts != 0 && n.opset() < 18) {
    (void)n.error("axis of size " + Twine(dim) + " does not split evenly into " + Twine(parts) +
                  " outputs");
    return std::nullopt;
  }
  for (int64_t i = 0; i < parts; ++i)
    sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  return sizes;
}

LogicalResult importSplit(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  auto axis = normalizeAxis(n, n.attrInt("axis", 0), t.getRank());
  if (!axis) return failure();
  auto sizes = splitSizes(n, t.getDimSize(*axis));
  if (!sizes) return failure();
  int64_t total = 0;
  for (int64_t s : *sizes) {
    if (s < 0 || s > kMaxTensorElements) return n.error("invalid split size " + Twine(s));
    total += s;
  }
  if (total != t.getDimSize(*axis))
    return n.error("split " + shapeStr(*sizes) + " sums to " + Twine(total) + ", axis " +
                   Twine(*axis) + " has " + Twine(t.getDimSize(*axis)));
  if (auto a = n.constTensor(0)) {
    int64_t offset = 0;
    for (size_t i = 0; i < sizes->size(); ++i) {
      std::string err;
      EvalResult r = evalSplit(*a, *axis, offset, (*sizes)[i], err);
      if (failed(n.setOutputEval(i, r, err))) return failure();
      offset += (*sizes)[i];
    }
    return success();
  }
  Value x = n.input(0);
  if (!x) return failure();
  Operation *op =
      n.createOp<dnn::SplitOp>(ValueRange{x}, {n.i64("axis", *axis), n.i64s("sizes", *sizes)});
  if (!op) return failure();
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    if (failed(n.setOutput(i, op->getResult(i)))) return failure();
  return success();
}

/// ONNX Slice bounds normalized to dnn.slice form for one axis of size `dim`:
/// negative starts/ends count from the back, then both are clamped (to [0, dim]
/// for positive steps, [0, dim-1] / [-1, dim-1] for negative ones). Steps longer
/// than the axis are shortened (same elements, no overflow); an empty range
/// becomes 0:0:1.
void normalizeSliceAxis(int64_t dim, int64_t &start, int64_t &end, int64_t &step) {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  int64_t count;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    step = std::min<int64_t>(step, std::max<int64_t>(dim, 1));
    count = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    step = std::max<int64_t>(step, -std::max<int64_t>(dim, 1));
    count = start > end ? (start - end - step - 1) / (-step) : 0;
  }
  if (dim == 0 || count <= 0) {
    start = 0;
    end = 0;
    step = 1;
  }
}

LogicalResult importSlice(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  int64_t rank = t.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (n.opset() < 10) {
    starts = n.attrInts("starts");
    ends = n.attrInts("ends");
    axes = n.attrInts("axes");
  } else {
    auto s = n.constInts(1, "starts");
    auto e = s ? n.constInts(2, "ends") : std::nullopt;
    if (!s || !e) return failure();
    starts = *s;
    ends = *e;
    if (n.hasInput(3)) {
      auto a = n.constInts(3, "axes");
      if (!a) return failure();
      axes = *a;
    }
    if (n.hasInput(4)) {
      auto st = n.constInts(4, "steps");
      if (!st) return failure();
      steps = *st;
    }
  }
  if (n.hasFailed()) return failure();
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(i);
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return n.error("starts, ends, axes and steps must have the same length");

  SmallVector<int64_t> st(rank, 0), en(t.getShape()), sp(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = normalizeAxis(n, axes[i], rank);
    if (!axis) return failure();
    if (seen[*axis]) return n.error("axis " + Twine(*axis) + " is sliced twice");
    seen[*axis] = true;
    if (steps[i] == 0) return n.error("slice step of axis " + Twine(*axis) + " is zero");
    st[*axis] = starts[i];
    en[*axis] = ends[i];
    sp[*axis] = steps[i];
  }
  for (int64_t d = 0; d < rank; ++d) normalizeSliceAxis(t.getDimSize(d), st[d], en[d], sp[d]);
  if (auto a = n.constTensor(0)) {
    std::string err;
    EvalResult r = evalSlice(*a, st, en, sp, err);
    return n.setOutputEval(0, r, err);
  }
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(
      0, n.create<dnn::SliceOp>(ValueRange{x},
                                {n.i64s("starts", st), n.i64s("ends", en), n.i64s("steps", sp)}));
}

/// Pads (begins then ends, one per axis) of an ONNX Pad node.
std::optional<SmallVector<int64_t>> padAmounts(NodeImporter &n, int64_t rank, double &value) {
  SmallVector<int64_t> pads;
  SmallVector<int64_t> axes;
  value = 0.0;
  if (n.opset() < 11) {
    pads = n.attrInts(n.hasAttr("pads") ? "pads" : "paddings");
    value = n.attrFloat("value", 0.0f);
  } else {
    auto p = n.constInts(1, "pads");
    if (!p) return std::nullopt;
    pads = *p;
    if (n.hasInput(2)) {
      auto v = n.constFloats(2, "constant_value");
      if (!v) return std::nullopt;
      if (v->size() > 1) {
        (void)n.error("constant_value must be a scalar");
        return std::nullopt;
      }
      if (!v->empty()) value = (*v)[0];
    }
    if (n.hasInput(3)) {
      auto a = n.constInts(3, "axes");
      if (!a) return std::nullopt;
      auto norm = normalizeAxes(n, *a, rank);
      if (!norm) return std::nullopt;
      axes = *a; // keep the model's order: pads follow it
      for (int64_t &x : axes) x = x < 0 ? x + rank : x;
    }
  }
  if (n.hasFailed()) return std::nullopt;
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  if (pads.size() != 2 * axes.size()) {
    (void)n.error("expected " + Twine(2 * axes.size()) + " pads, got " + Twine(pads.size()));
    return std::nullopt;
  }
  for (int64_t p : pads)
    if (p < -kMaxAttrMagnitude || p > kMaxAttrMagnitude) {
      (void)n.error("pad " + Twine(p) + " is out of range");
      return std::nullopt;
    }
  SmallVector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    full[axes[i]] = pads[i];
    full[rank + axes[i]] = pads[axes.size() + i];
  }
  return full;
}

LogicalResult importPad(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  std::string modeName = n.attrString("mode", "constant");
  auto mode = dnn::symbolizePadMode(modeName);
  if (!mode) return n.unsupported("Pad mode '" + modeName + "'");
  double value;
  auto pads = padAmounts(n, t.getRank(), value);
  if (!pads) return failure();
  if (*mode == dnn::PadMode::constant) {
    if (auto a = n.constTensor(0)) {
      std::string err;
      EvalResult r = evalPad(*a, *pads, value, err);
      return n.setOutputEval(0, r, err);
    }
  }
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0, n.create<dnn::PadOp>(
                            ValueRange{x}, {n.i64s("pads", *pads),
                                            n.named("mode", dnn::PadModeAttr::get(n.ctx(), *mode)),
                                            n.f32("value", value)}));
}

LogicalResult importGather(NodeImporter &n) {
  RankedTensorType t = n.inputType(0), it = n.inputType(1);
  if (!t || !it) return failure();
  if (!it.getElementType().isInteger())
    return n.error("indices must be integers, got a tensor of " + shapeStr(it.getShape()));
  auto axis = normalizeAxis(n, n.attrInt("axis", 0), t.getRank());
  if (!axis) return failure();
  int64_t dim = t.getDimSize(*axis);
  Value indices;
  if (auto idx = n.constTensor(1)) {
    // Constant indices: negative ones wrap once, anything else out of range is an error.
    for (int64_t &k : idx->ints) {
      if (k < -dim || k >= dim)
        return n.error("index " + Twine(k) + " is out of range for axis " + Twine(*axis) +
                       " of size " + Twine(dim));
      if (k < 0) k += dim;
    }
    ConstTensor normalized =
        ConstTensor::ofInts(IntegerType::get(n.ctx(), 64), idx->shape, idx->ints);
    if (auto data = n.constTensor(0)) {
      std::string err;
      EvalResult r = evalGather(*data, normalized, *axis, err);
      return n.setOutputEval(0, r, err);
    }
    indices = n.constant(toAttr(normalized, n.ctx()));
  } else {
    indices = n.input(1);
  }
  Value data = n.input(0);
  if (!data || !indices) return failure();
  return n.setOutput(0, n.create<dnn::GatherOp>(ValueRange{data, indices}, {n.i64("axis", *axis)}));
}

} // namespace

void registerDataMovementOps(HandlerTable &t) {
  t["Transpose"] = {importTranspose, 1, 1};
  t["Concat"] = {importConcat, 1, kVariadic};
  t["Split"] = {importSplit, 1, 2, 1, kVariadic};
  t["Slice"] = {importSlice, 1, 5};
  t["Pad"] = {importPad, 1, 4};
  t["Gather"] = {importGather, 2, 2};
}

} // namespace dnnopt::onnximport
