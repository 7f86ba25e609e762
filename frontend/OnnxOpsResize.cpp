//===- OnnxOpsResize.cpp - Resize and Upsample -----------------------------===//
//
// dnn.resize carries the output shape as its result type and one scale per axis.
// Opset-10 Resize and Upsample use asymmetric coordinates with floor rounding of
// nearest indices; opset 11+ reads the coordinate/nearest modes from attributes
// and takes either scales or sizes (optionally for a subset of `axes`, opset 18).
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxOpsUtil.h"

#include <cmath>

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace dnnopt::onnximport {
namespace {

struct ResizePlan {
  dnn::ResizeMode mode = dnn::ResizeMode::nearest;
  dnn::CoordMode coord = dnn::CoordMode::asymmetric;
  dnn::NearestMode nearest = dnn::NearestMode::floor;
  SmallVector<float> scales;
  SmallVector<int64_t> outShape;
};

LogicalResult parseMode(NodeImporter &n, ResizePlan &plan) {
  std::string mode = n.attrString("mode", "nearest");
  if (mode == "bilinear") mode = "linear"; // Upsample-7 spelling
  auto m = dnn::symbolizeResizeMode(mode);
  if (!m) return n.unsupported("resize mode '" + mode + "'");
  plan.mode = *m;
  return success();
}

/// Output size of every axis from per-axis scales: floor(in * scale).
LogicalResult applyScales(NodeImporter &n, RankedTensorType t, ArrayRef<int64_t> axes,
                          ArrayRef<double> scales, ResizePlan &plan) {
  for (size_t i = 0; i < axes.size(); ++i) {
    double s = static_cast<float>(scales[i]);
    if (!(s > 0) || !std::isfinite(s))
      return n.error("scales must be positive, got " + std::to_string(s));
    double out = std::floor(t.getDimSize(axes[i]) * s);
    if (out > (double)kMaxTensorElements) return n.error("resize output is too large");
    plan.scales[axes[i]] = s;
    plan.outShape[axes[i]] = (int64_t)out;
  }
  return success();
}

/// Output sizes given directly; the scale of an axis is out / in (ONNX), or one
/// common scale with keep_aspect_ratio_policy not_larger / not_smaller.
LogicalResult applySizes(NodeImporter &n, RankedTensorType t, ArrayRef<int64_t> axes,
                         ArrayRef<int64_t> sizes, ResizePlan &plan) {
  std::string policy = n.attrString("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return n.error("invalid keep_aspect_ratio_policy '" + policy + "'");
  double common = policy == "not_larger" ? INFINITY : 0.0;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t in = t.getDimSize(axes[i]);
    if (sizes[i] < 1 || sizes[i] > kMaxTensorElements)
      return n.error("invalid output size " + Twine(sizes[i]));
    if (in < 1) return n.error("cannot resize the empty axis " + Twine(axes[i]));
    double s = (double)sizes[i] / in;
    common = policy == "not_larger" ? std::min(common, s) : std::max(common, s);
    plan.scales[axes[i]] = s;
    plan.outShape[axes[i]] = sizes[i];
  }
  if (policy == "stretch") return success();
  for (int64_t a : axes) {
    plan.scales[a] = common;
    plan.outShape[a] = std::max<int64_t>(1, (int64_t)std::floor(t.getDimSize(a) * common + 0.5));
  }
  return success();
}

/// Opset-11+ form: inputs X, roi, scales, sizes.
LogicalResult planResize11(NodeImporter &n, RankedTensorType t, ResizePlan &plan) {
  std::string coord = n.attrString("coordinate_transformation_mode", "half_pixel");
  auto c = dnn::symbolizeCoordMode(coord);
  if (!c) return n.unsupported("coordinate_transformation_mode '" + coord + "'");
  plan.coord = *c;
  std::string nearest = n.attrString("nearest_mode", "round_prefer_floor");
  auto nm = dnn::symbolizeNearestMode(nearest);
  if (!nm) return n.error("invalid nearest_mode '" + nearest + "'");
  plan.nearest = *nm;
  if (n.attrInt("antialias", 0) != 0) return n.unsupported("Resize with antialias");

  int64_t rank = t.getRank();
  SmallVector<int64_t> axes;
  if (n.hasAttr("axes")) {
    // Scales / sizes follow the order of `axes`; normalizeAxes only validates.
    axes = n.attrInts("axes");
    if (!normalizeAxes(n, axes, rank)) return failure();
    for (int64_t &a : axes) a = a < 0 ? a + rank : a;
  } else {
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  auto nonEmpty = [&](unsigned i) {
    DenseElementsAttr c = n.inputConstant(i);
    return n.hasInput(i) && (!c || c.getNumElements() > 0);
  };
  bool hasScales = nonEmpty(2), hasSizes = nonEmpty(3);
  if (hasScales == hasSizes)
    return n.error(hasScales ? "takes scales or sizes, not both" : "needs scales or sizes");
  if (hasScales) {
    auto scales = n.constFloats(2, "scales");
    if (!scales) return failure();
    if (scales->size() != axes.size())
      return n.error("expected " + Twine(axes.size()) + " scales, got " + Twine(scales->size()));
    return applyScales(n, t, axes, *scales, plan);
  }
  auto sizes = n.constInts(3, "sizes");
  if (!sizes) return failure();
  if (sizes->size() != axes.size())
    return n.error("expected " + Twine(axes.size()) + " sizes, got " + Twine(sizes->size()));
  return applySizes(n, t, axes, *sizes, plan);
}

/// Upsample-7/9 and Resize-10: scales (attribute for Upsample-7, else input 1).
LogicalResult planLegacy(NodeImporter &n, RankedTensorType t, ResizePlan &plan) {
  SmallVector<double> scales;
  if (n.opType() == "Upsample" && n.opset() < 9) {
    for (float f : n.attrFloats("scales")) scales.push_back(f);
    if (n.hasFailed()) return failure();
  } else {
    auto v = n.constFloats(1, "scales");
    if (!v) return failure();
    scales = *v;
  }
  if ((int64_t)scales.size() != t.getRank())
    return n.error("expected " + Twine(t.getRank()) + " scales, got " + Twine(scales.size()));
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < t.getRank(); ++d) axes.push_back(d);
  return applyScales(n, t, axes, scales, plan);
}

LogicalResult importResize(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  ResizePlan plan;
  if (failed(parseMode(n, plan))) return failure();
  plan.scales.assign(t.getRank(), 1.0f);
  plan.outShape.assign(t.getShape().begin(), t.getShape().end());
  bool legacy = n.opType() == "Upsample" || n.opset() < 11;
  if (failed(legacy ? planLegacy(n, t, plan) : planResize11(n, t, plan)) || n.hasFailed())
    return failure();
  Value x = n.input(0);
  if (!x) return failure();
  MLIRContext *ctx = n.ctx();
  return n.setOutput(0,
                     n.createTyped<dnn::ResizeOp>(
                         t.clone(plan.outShape), ValueRange{x},
                         {n.named("scales", DenseF32ArrayAttr::get(ctx, plan.scales)),
                          n.named("mode", dnn::ResizeModeAttr::get(ctx, plan.mode)),
                          n.named("coord_mode", dnn::CoordModeAttr::get(ctx, plan.coord)),
                          n.named("nearest_mode", dnn::NearestModeAttr::get(ctx, plan.nearest))}));
}

} // namespace

void registerResizeOps(HandlerTable &t) {
  t["Resize"] = {importResize, 1, 4};
  t["Upsample"] = {importResize, 1, 2};
}

} // namespace dnnopt::onnximport
