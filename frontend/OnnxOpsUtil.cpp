//===- OnnxOpsUtil.cpp - helpers shared by the op handlers ----------------===//
#include "frontend/OnnxOpsUtil.h"

#include "dialects/dnn/DnnOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace dnnopt::onnximport {

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::optional<int64_t> normalizeAxis(NodeImporter &n, int64_t axis, int64_t rank, StringRef what) {
  if (axis < -rank || axis >= rank) {
    (void)n.error(what + " " + Twine(axis) + " is out of range for rank " + Twine(rank));
    return std::nullopt;
  }
  return axis < 0 ? axis + rank : axis;
}

std::optional<SmallVector<int64_t>> normalizeAxes(NodeImporter &n, ArrayRef<int64_t> axes,
                                                  int64_t rank) {
  SmallVector<int64_t> r;
  for (int64_t a : axes) {
    auto v = normalizeAxis(n, a, rank);
    if (!v) return std::nullopt;
    r.push_back(*v);
  }
  llvm::sort(r);
  if (std::adjacent_find(r.begin(), r.end()) != r.end()) {
    (void)n.error("axes " + shapeStr(axes) + " contain a duplicate");
    return std::nullopt;
  }
  return r;
}

bool checkAttrRange(NodeImporter &n, StringRef name, ArrayRef<int64_t> values, int64_t minValue) {
  for (int64_t v : values)
    if (v < minValue || v > kMaxAttrMagnitude) {
      (void)n.error("attribute '" + name + "' value " + Twine(v) + " is out of range");
      return false;
    }
  return true;
}

namespace {
/// Reads an optional per-spatial-axis attribute, defaulting every entry to `dflt`.
std::optional<SmallVector<int64_t>> spatialAttr(NodeImporter &n, StringRef name, size_t count,
                                                int64_t dflt, int64_t minValue) {
  SmallVector<int64_t> v = n.hasAttr(name) ? n.attrInts(name) : SmallVector<int64_t>(count, dflt);
  if (n.hasFailed()) return std::nullopt;
  if (v.size() != count) {
    (void)n.error("attribute '" + name + "' has " + Twine(v.size()) + " values, expected " +
                  Twine(count));
    return std::nullopt;
  }
  if (!checkAttrRange(n, name, v, minValue)) return std::nullopt;
  return v;
}
} // namespace

std::optional<WindowParams> windowParams(NodeImporter &n, RankedTensorType x,
                                         ArrayRef<int64_t> kernel) {
  if (!x.hasStaticShape() || x.getRank() < 3) {
    (void)n.error("input must be N x C x spatial... (rank >= 3), got rank " + Twine(x.getRank()));
    return std::nullopt;
  }
  size_t s = x.getRank() - 2;
  WindowParams p;
  p.kernel.assign(kernel.begin(), kernel.end());
  if (p.kernel.size() != s) {
    (void)n.error("kernel has " + Twine(p.kernel.size()) + " spatial dims, input has " + Twine(s));
    return std::nullopt;
  }
  if (!checkAttrRange(n, "kernel_shape", p.kernel, 1)) return std::nullopt;
  auto strides = spatialAttr(n, "strides", s, 1, 1);
  auto dilations = spatialAttr(n, "dilations", s, 1, 1);
  auto pads = spatialAttr(n, "pads", 2 * s, 0, 0);
  if (!strides || !dilations || !pads) return std::nullopt;
  p.strides = *strides;
  p.dilations = *dilations;
  p.pads = *pads;
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    p.pads.assign(2 * s, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // Output covers ceil(in / stride) windows; the padding needed is split evenly,
    // the odd element going to the end (SAME_UPPER) or the beginning (SAME_LOWER).
    for (size_t i = 0; i < s; ++i) {
      int64_t in = x.getDimSize(2 + i), st = p.strides[i];
      int64_t out = (in + st - 1) / st;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * st + (p.kernel[i] - 1) * p.dilations[i] + 1 - in);
      int64_t small = total / 2, large = total - small;
      p.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      p.pads[s + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    (void)n.error("invalid auto_pad '" + autoPad + "'");
    return std::nullopt;
  }
  if (n.hasFailed()) return std::nullopt;
  return p;
}

DenseElementsAttr scalarAttr(Type elt, double value) {
  auto type = RankedTensorType::get({}, elt);
  if (auto ft = dyn_cast<FloatType>(elt)) {
    APFloat f(value);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return DenseElementsAttr::get(type, f);
  }
  unsigned w = elt.getIntOrFloatBitWidth();
  return DenseElementsAttr::get(
      type, APInt(w, static_cast<uint64_t>(static_cast<int64_t>(value)), true, true));
}

Value reshapeTo(NodeImporter &n, Value v, ArrayRef<int64_t> shape) {
  if (!v) return {};
  if (cast<RankedTensorType>(v.getType()).getShape() == shape) return v;
  return n.create<dnn::ReshapeOp>(ValueRange{v}, {n.i64s("shape", shape)});
}

} // namespace dnnopt::onnximport
