//===- OnnxOpsPooling.cpp - pooling and reductions -------------------------===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxOpsUtil.h"

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace dnnopt::onnximport {
namespace {

std::optional<WindowParams> poolParams(NodeImporter &n, RankedTensorType x) {
  if (!n.hasAttr("kernel_shape")) {
    (void)n.error("missing attribute 'kernel_shape'");
    return std::nullopt;
  }
  return windowParams(n, x, n.attrInts("kernel_shape"));
}

LogicalResult importMaxPool(NodeImporter &n) {
  if (n.outputUsed(1)) return n.unsupported("MaxPool Indices output");
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  auto p = poolParams(n, t);
  if (!p) return failure();
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(
      0, n.create<dnn::MaxPoolOp>(ValueRange{x},
                                  {n.i64s("kernel_shape", p->kernel), n.i64s("strides", p->strides),
                                   n.i64s("pads", p->pads), n.i64s("dilations", p->dilations),
                                   n.boolean("ceil_mode", n.attrInt("ceil_mode", 0) != 0)}));
}

LogicalResult importAveragePool(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  auto p = poolParams(n, t);
  if (!p) return failure();
  if (llvm::any_of(p->dilations, [](int64_t d) { return d != 1; }))
    return n.unsupported("AveragePool with dilations");
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(
      0, n.create<dnn::AvgPoolOp>(
             ValueRange{x},
             {n.i64s("kernel_shape", p->kernel), n.i64s("strides", p->strides),
              n.i64s("pads", p->pads), n.boolean("ceil_mode", n.attrInt("ceil_mode", 0) != 0),
              n.boolean("count_include_pad", n.attrInt("count_include_pad", 0) != 0)}));
}

template <typename OpT> LogicalResult importGlobalPool(NodeImporter &n) {
  Value x = n.input(0);
  if (!x) return failure();
  return n.setOutput(0, n.create<OpT>(ValueRange{x}));
}

/// What a ReduceX node reduces. `identity` is set for an empty reduction with
/// noop_with_empty_axes (or of a rank-0 tensor): the output is the input.
struct ReduceSpec {
  bool identity = false;
  SmallVector<int64_t> axes;
  bool keepDims = true;
};

/// Axes are an attribute until ReduceSum-13 / other reductions-18, an optional
/// constant input afterwards. No axes means all axes, unless
/// noop_with_empty_axes is set.
std::optional<ReduceSpec> reduceSpec(NodeImporter &n, RankedTensorType t) {
  bool axesFromInput = n.opset() >= 18 || (n.opType() == "ReduceSum" && n.opset() >= 13);
  SmallVector<int64_t> axes;
  if (axesFromInput) {
    if (n.hasInput(1)) {
      auto v = n.constInts(1, "axes");
      if (!v) return std::nullopt;
      axes = *v;
    }
  } else {
    if (n.numInputs() > 1) {
      (void)n.error("takes its axes as an attribute in opset " + Twine(n.opset()));
      return std::nullopt;
    }
    axes = n.attrInts("axes");
  }
  ReduceSpec spec;
  spec.keepDims = n.attrInt("keepdims", 1) != 0;
  if (n.hasFailed()) return std::nullopt;
  if (axes.empty()) {
    if (axesFromInput && n.attrInt("noop_with_empty_axes", 0) != 0) spec.identity = true;
    for (int64_t d = 0; d < t.getRank(); ++d) spec.axes.push_back(d);
    spec.identity |= spec.axes.empty();
    return spec;
  }
  auto normalized = normalizeAxes(n, axes, t.getRank());
  if (!normalized) return std::nullopt;
  spec.axes = *normalized;
  return spec;
}

Value reduce(NodeImporter &n, StringRef kind, Value x, const ReduceSpec &spec, bool keepDims) {
  SmallVector<NamedAttribute> attrs{n.i64s("axes", spec.axes), n.boolean("keepdims", keepDims)};
  if (kind == "sum") return n.create<dnn::ReduceSumOp>(ValueRange{x}, attrs);
  if (kind == "mean") return n.create<dnn::ReduceMeanOp>(ValueRange{x}, attrs);
  if (kind == "max") return n.create<dnn::ReduceMaxOp>(ValueRange{x}, attrs);
  if (kind == "min") return n.create<dnn::ReduceMinOp>(ValueRange{x}, attrs);
  return n.create<dnn::ReduceProdOp>(ValueRange{x}, attrs);
}

LogicalResult importReduce(NodeImporter &n, StringRef kind, std::optional<ReduceKind> evalKind) {
  RankedTensorType t = n.inputType(0);
  if (!t) return failure();
  auto spec = reduceSpec(n, t);
  if (!spec) return failure();
  if (spec->identity) {
    if (DenseElementsAttr c = n.inputConstant(0)) return n.setOutputConstant(0, c);
    return n.setOutput(0, n.input(0));
  }
  if (evalKind) {
    if (auto a = n.constTensor(0)) {
      std::string err;
      EvalResult r = evalReduce(*evalKind, *a, spec->axes, spec->keepDims, err);
      return n.setOutputEval(0, r, err);
    }
  }
  Value x = n.input(0);
  if (!x) return failure();
  if (kind == "sum" || kind == "mean" || kind == "max" || kind == "min" || kind == "prod")
    return n.setOutput(0, reduce(n, kind, x, *spec, spec->keepDims));

  // Reductions composed from dnn ops.
  Value y;
  if (kind == "l1") {
    Value a = n.create<dnn::AbsOp>(ValueRange{x});
    y = a ? reduce(n, "sum", a, *spec, spec->keepDims) : Value();
  } else if (kind == "sumsquare" || kind == "l2") {
    Value sq = n.create<dnn::MulOp>(ValueRange{x, x});
    y = sq ? reduce(n, "sum", sq, *spec, spec->keepDims) : Value();
    if (y && kind == "l2") y = n.create<dnn::SqrtOp>(ValueRange{y});
  } else if (kind == "logsum") {
    y = reduce(n, "sum", x, *spec, spec->keepDims);
    if (y) y = n.create<dnn::LogOp>(ValueRange{y});
  } else { // logsumexp, stabilized: m + log(sum(exp(x - m))), m = max(x)
    Value m = reduce(n, "max", x, *spec, /*keepDims=*/true);
    Value d = m ? n.create<dnn::SubOp>(ValueRange{x, m}) : Value();
    Value e = d ? n.create<dnn::ExpOp>(ValueRange{d}) : Value();
    Value s = e ? reduce(n, "sum", e, *spec, spec->keepDims) : Value();
    Value l = s ? n.create<dnn::LogOp>(ValueRange{s}) : Value();
    Value mr = l ? reshapeTo(n, m, cast<RankedTensorType>(l.getType()).getShape()) : Value();
    y = mr ? n.create<dnn::AddOp>(ValueRange{l, mr}) : Value();
  }
  return n.setOutput(0, y);
}

#define DNN_REDUCE_HANDLER(NAME, KIND, EVAL)                                                       \
  LogicalResult import##NAME(NodeImporter &n) { return importReduce(n, KIND, EVAL); }
DNN_REDUCE_HANDLER(ReduceSum, "sum", ReduceKind::Sum)
DNN_REDUCE_HANDLER(ReduceMean, "mean", ReduceKind::Mean)
DNN_REDUCE_HANDLER(ReduceMax, "max", ReduceKind::Max)
DNN_REDUCE_HANDLER(ReduceMin, "min", ReduceKind::Min)
DNN_REDUCE_HANDLER(ReduceProd, "prod", ReduceKind::Prod)
DNN_REDUCE_HANDLER(ReduceL1, "l1", std::nullopt)
DNN_REDUCE_HANDLER(ReduceL2, "l2", std::nullopt)
DNN_REDUCE_HANDLER(ReduceSumSquare, "sumsquare", std::nullopt)
DNN_REDUCE_HANDLER(ReduceLogSum, "logsum", std::nullopt)
DNN_REDUCE_HANDLER(ReduceLogSumExp, "logsumexp", std::nullopt)
#undef DNN_REDUCE_HANDLER

} // namespace

void registerPoolingOps(HandlerTable &t) {
  t["MaxPool"] = {importMaxPool, 1, 1, 1, 2};
  t["AveragePool"] = {importAveragePool, 1, 1};
  t["GlobalAveragePool"] = {importGlobalPool<dnn::GlobalAvgPoolOp>, 1, 1};
  t["GlobalMaxPool"] = {importGlobalPool<dnn::GlobalMaxPoolOp>, 1, 1};
  t["ReduceSum"] = {importReduceSum, 1, 2};
  t["ReduceMean"] = {importReduceMean, 1, 2};
  t["ReduceMax"] = {importReduceMax, 1, 2};
  t["ReduceMin"] = {importReduceMin, 1, 2};
  t["ReduceProd"] = {importReduceProd, 1, 2};
  t["ReduceL1"] = {importReduceL1, 1, 2};
  t["ReduceL2"] = {importReduceL2, 1, 2};
  t["ReduceSumSquare"] = {importReduceSumSquare, 1, 2};
  t["ReduceLogSum"] = {importReduceLogSum, 1, 2};
  t["ReduceLogSumExp"] = {importReduceLogSumExp, 1, 2};
}

} // namespace dnnopt::onnximport
