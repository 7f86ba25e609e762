//===- OnnxOpsShape.cpp - reshapes and shape computations ------------------===//
//
// Reshape / Flatten / Squeeze / Unsqueeze all become dnn.reshape with an explicit
// target shape. Shape, Size, ConstantOfShape and Range are evaluated at import
// time (shapes are static, so Shape folds even on a runtime tensor); Expand and
// Tile are evaluated on constants and become concatenations of copies otherwise.
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxOpsUtil.h"

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace dnnopt::onnximport {
namespace {

/// Output 0 = input 0 reshaped to `shape` (folded when the input is constant).
LogicalResult reshapeOutput(NodeImporter &n, ArrayRef<int64_t> shape) {
  if (auto a = n.constTensor(0)) {
    std::string err;
    EvalResult r = evalReshape(*a, shape, err);
    return n.setOutputEval(0, r, err);
  }
  return n.setOutput(0, reshapeTo(n, n.input(0), shape));
}

/// Resolves an ONNX Reshape target: 0 copies the input dim (unless allowzero),
/// one -1 is inferred from the element count.
std::optional<SmallVector<int64_t>> resolveReshape(NodeImporter &n, RankedTensorType t,
                                                   ArrayRef<int64_t> target, bool allowZero) {
  SmallVector<int64_t> out;
  int64_t inferAt = -1, known = 1, total = t.getNumElements();
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t v = target[i];
    if (v == 0 && !allowZero) {
      if ((int64_t)i >= t.getRank()) {
        (void)n.error("shape " + shapeStr(target) + " copies dim " + Twine(i) + " of a rank-" +
                      Twine(t.getRank()) + " input");
        return std::nullopt;
      }
      v = t.getDimSize(i);
    }
    if (v == -1) {
      if (inferAt >= 0) {
        (void)n.error("shape " + shapeStr(target) + " has more than one -1");
        return std::nullopt;
      }
      inferAt = i;
    } else if (v < 0 || v > kMaxTensorElements) {
      (void)n.error("shape " + shapeStr(target) + " has invalid dimension " + Twine(v));
      return std::nullopt;
    } else {
      known = (v == 0 || known <= kMaxTensorElements) ? known * v : known;
    }
    out.push_back(v);
  }
  if (inferAt >= 0) {
    if (known == 0 || total % known != 0) {
      (void)n.error("cannot reshape " + shapeStr(t.getShape()) + " to " + shapeStr(target));
      return std::nullopt;
    }
    out[inferAt] = total / known;
    known = total;
  }
  if (known != total) {
    (void)n.error("cannot reshape " + shapeStr(t.getShape()) + " (" + Twine(total) +
                  " elements) to " + shapeStr(target));
    return std::nullopt;
  }
  return out;
}

LogicalResult importReshape(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  SmallVector<int64_t> target;
  if (n.opset() < 5) {
    target = n.attrInts("shape");
  } else {
    auto v = n.constInts(1, "shape");
    if (!v) return failure();
    target = *v;
  }
  auto shape = resolveReshape(n, t, target, n.attrInt("allowzero", 0) != 0);
  if (!shape || n.hasFailed()) return failure();
  return reshapeOutput(n, *shape);
}

LogicalResult importFlatten(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  int64_t rank = t.getRank(), axis = n.attrInt("axis", 1);
  if (axis < -rank || axis > rank)
    return n.error("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= t.getDimSize(d);
  return reshapeOutput(n, {outer, inner});
}

/// Squeeze / Unsqueeze axes: attribute before opset 13, input from 13.
std::optional<SmallVector<int64_t>> squeezeAxes(NodeImporter &n, bool &given) {
  given = false;
  if (n.opset() < 13) {
    given = n.hasAttr("axes");
    SmallVector<int64_t> a = n.attrInts("axes");
    if (n.hasFailed()) return std::nullopt;
    return a;
  }
  if (!n.hasInput(1)) return SmallVector<int64_t>{};
  given = true;
  return n.constInts(1, "axes");
}

LogicalResult importSqueeze(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  bool given;
  auto axes = squeezeAxes(n, given);
  if (!axes) return failure();
  SmallVector<int64_t> squeezed;
  if (given && !axes->empty()) {
    auto norm = normalizeAxes(n, *axes, t.getRank());
    if (!norm) return failure();
    squeezed = *norm;
    for (int64_t a : squeezed)
      if (t.getDimSize(a) != 1)
        return n.error("cannot squeeze axis " + Twine(a) + " of size " + Twine(t.getDimSize(a)));
  } else {
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (t.getDimSize(d) == 1) squeezed.push_back(d);
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d)
    if (!llvm::is_contained(squeezed, d)) shape.push_back(t.getDimSize(d));
  return reshapeOutput(n, shape);
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  bool given;
  auto axes = squeezeAxes(n, given);
  if (!axes) return failure();
  if (!given) return n.error("missing axes");
  int64_t outRank = t.getRank() + (int64_t)axes->size();
  auto norm = normalizeAxes(n, *axes, outRank);
  if (!norm) return failure();
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> in = t.getShape();
  for (int64_t d = 0, k = 0; d < outRank; ++d)
    shape.push_back(llvm::is_contained(*norm, d) ? 1 : in[k++]);
  return reshapeOutput(n, shape);
}

LogicalResult importShape(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  int64_t rank = t.getRank();
  // Opset 15 start/end: negative values count from the back, then clamp to [0, rank].
  auto clampIndex = [&](int64_t v) {
    if (v < 0) v = v < -rank ? 0 : v + rank;
    return std::min(v, rank);
  };
  int64_t start = clampIndex(n.attrInt("start", 0)), end = clampIndex(n.attrInt("end", rank));
  std::vector<int64_t> dims;
  for (int64_t d = start; d < end; ++d) dims.push_back(t.getDimSize(d));
  return n.setOutputConstant(
      0, ConstTensor::ofInts(IntegerType::get(n.ctx(), 64), {(int64_t)dims.size()}, dims));
}

LogicalResult importSize(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  return n.setOutputConstant(
      0, ConstTensor::ofInts(IntegerType::get(n.ctx(), 64), {}, {t.getNumElements()}));
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  auto dims = n.constInts(0, "shape");
  if (!dims) return failure();
  if (checkedElementCount(*dims) < 0)
    return n.error("invalid or too large shape " + shapeStr(*dims));
  DenseElementsAttr value;
  if (n.hasAttr("value")) {
    value = n.attrTensor("value");
    if (!value) return failure();
    if (value.getNumElements() != 1)
      return n.error("value must hold exactly one element, got " + Twine(value.getNumElements()));
  } else {
    value = scalarAttr(Float32Type::get(n.ctx()), 0.0);
  }
  // A splat attribute: cheap whatever the shape.
  auto type = RankedTensorType::get(*dims, value.getElementType());
  return n.setOutputConstant(0, DenseElementsAttr::get(type, value.getSplatValue<Attribute>()));
}

LogicalResult importRange(NodeImporter &n) {
  auto start = n.constTensor(0), limit = n.constTensor(1), delta = n.constTensor(2);
  if (!start || !limit || !delta)
    return n.unsupported("operator Range on non-constant inputs (only evaluated at import time)");
  std::string err;
  EvalResult r = evalRange(*start, *limit, *delta, err);
  return n.setOutputEval(0, r, err);
}

/// Runtime Expand / Tile repeat a tensor along an axis by concatenating copies;
/// beyond this many copies the op is rejected rather than bloating the IR.
constexpr int64_t kMaxRepeatCopies = 256;

/// `copies` copies of `x` concatenated along `axis`.
Value repeatAlong(NodeImporter &n, Value x, int64_t axis, int64_t copies) {
  if (!x || copies == 1) return x;
  SmallVector<Value> parts(copies, x);
  return n.create<dnn::ConcatOp>(parts, {n.i64("axis", axis)});
}

LogicalResult importExpand(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  auto shape = n.constInts(1, "shape");
  if (!shape) return failure();
  if (checkedElementCount(*shape) < 0)
    return n.error("invalid or too large shape " + shapeStr(*shape));
  auto out = dnn::broadcastShapes(t.getShape(), *shape);
  if (failed(out))
    return n.error("cannot expand " + shapeStr(t.getShape()) + " to " + shapeStr(*shape));
  if (*out == t.getShape()) { // nothing to broadcast
    if (DenseElementsAttr c = n.inputConstant(0)) return n.setOutputConstant(0, c);
    return n.setOutput(0, n.input(0));
  }
  if (auto a = n.constTensor(0)) {
    std::string err;
    EvalResult r = evalExpand(*a, *shape, err);
    return n.setOutputEval(0, r, err);
  }
  // Numpy broadcast of a runtime tensor: align the ranks, then repeat each
  // size-1 axis that grows.
  SmallVector<int64_t> aligned(out->size() - t.getRank(), 1);
  aligned.append(t.getShape().begin(), t.getShape().end());
  Value x = reshapeTo(n, n.input(0), aligned);
  for (size_t d = 0; x && d < out->size(); ++d) {
    if (aligned[d] == (*out)[d]) continue;
    if ((*out)[d] < 1 || (*out)[d] > kMaxRepeatCopies)
      return n.unsupported("Expand of a non-constant input to " + Twine((*out)[d]) +
                           " copies along axis " + Twine(d));
    x = repeatAlong(n, x, d, (*out)[d]);
  }
  return n.setOutput(0, x);
}

LogicalResult importTile(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  auto repeats = n.constInts(1, "repeats");
  if (!repeats) return failure();
  if ((int64_t)repeats->size() != t.getRank())
    return n.error("repeats has " + Twine(repeats->size()) + " entries for rank " +
                   Twine(t.getRank()));
  if (auto a = n.constTensor(0)) {
    std::string err;
    EvalResult r = evalTile(*a, *repeats, err);
    return n.setOutputEval(0, r, err);
  }
  Value x = n.input(0);
  for (int64_t d = 0; x && d < t.getRank(); ++d) {
    int64_t r = (*repeats)[d];
    if (r < 0) return n.error("negative repeat count " + Twine(r));
    if (r == 0 || r > kMaxRepeatCopies)
      return n.unsupported("Tile of a non-constant input with " + Twine(r) +
                           " repeats along axis " + Twine(d));
    x = repeatAlong(n, x, d, r);
  }
  return n.setOutput(0, x);
}

} // namespace

void registerShapeOps(HandlerTable &t) {
  t["Reshape"] = {importReshape, 1, 2};
  t["Flatten"] = {importFlatten, 1, 1};
  t["Squeeze"] = {importSqueeze, 1, 2};
  t["Unsqueeze"] = {importUnsqueeze, 1, 2};
  t["Shape"] = {importShape, 1, 1};
  t["Size"] = {importSize, 1, 1};
  t["ConstantOfShape"] = {importConstantOfShape, 1, 1};
  t["Range"] = {importRange, 3, 3};
  t["Expand"] = {importExpand, 2, 2};
  t["Tile"] = {importTile, 2, 2};
}

} // namespace dnnopt::onnximport
