//===- OnnxOpsLinear.cpp - Conv, ConvTranspose, Gemm, MatMul, BatchNorm ----===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxOpsUtil.h"

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace dnnopt::onnximport {
namespace {

/// Spatial kernel size from the weight (dims 2..), checked against the optional
/// `kernel_shape` attribute.
std::optional<SmallVector<int64_t>> kernelFromWeight(NodeImporter &n, RankedTensorType x,
                                                     RankedTensorType w) {
  if (x.getRank() < 3 || w.getRank() != x.getRank()) {
    (void)n.error("input " + shapeStr(x.getShape()) + " and weight " + shapeStr(w.getShape()) +
                  " must both be N x C x spatial... of the same rank (>= 3)");
    return std::nullopt;
  }
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  if (n.hasAttr("kernel_shape") && n.attrInts("kernel_shape") != kernel) {
    (void)n.error("kernel_shape " + shapeStr(n.attrInts("kernel_shape")) +
                  " does not match the weight " + shapeStr(w.getShape()));
    return std::nullopt;
  }
  return kernel;
}

LogicalResult importConv(NodeImporter &n) {
  RankedTensorType x = n.inputType(0), w = n.inputType(1);
  if (!x || !w) return failure();
  auto kernel = kernelFromWeight(n, x, w);
  if (!kernel) return failure();
  auto p = windowParams(n, x, *kernel);
  if (!p) return failure();
  SmallVector<Value> operands{n.input(0), n.input(1)};
  if (n.hasInput(2)) operands.push_back(n.input(2));
  if (llvm::is_contained(operands, Value())) return failure();
  return n.setOutput(
      0, n.create<dnn::ConvOp>(operands,
                               {n.i64s("strides", p->strides), n.i64s("dilations", p->dilations),
                                n.i64s("pads", p->pads), n.i64("group", n.attrInt("group", 1))}));
}

/// ConvTranspose pads from a requested output size (ONNX `output_shape`, or
/// in*stride for SAME auto_pad): the surplus of the full output over the request
/// is cropped, split as the ONNX reference does (the odd element at the end for
/// SAME_UPPER, at the beginning otherwise). A request larger than the full output
/// becomes extra output_padding.
void padsForOutputSize(int64_t full, int64_t requested, bool sameUpper, int64_t &padBegin,
                       int64_t &padEnd, int64_t &outputPadding) {
  int64_t total = full - requested;
  if (total < 0) {
    padBegin = padEnd = 0;
    outputPadding += -total;
    return;
  }
  padBegin = sameUpper ? total / 2 : total - total / 2;
  padEnd = total - padBegin;
}

LogicalResult importConvTranspose(NodeImporter &n) {
  RankedTensorType x = n.inputType(0), w = n.inputType(1);
  if (!x || !w) return failure();
  auto kernel = kernelFromWeight(n, x, w);
  if (!kernel) return failure();
  auto p = windowParams(n, x, *kernel); // auto_pad is re-resolved below
  if (!p) return failure();
  size_t s = x.getRank() - 2;
  SmallVector<int64_t> outPad =
      n.hasAttr("output_padding") ? n.attrInts("output_padding") : SmallVector<int64_t>(s, 0);
  if (outPad.size() != s)
    return n.error("output_padding needs " + Twine(s) + " values, got " + Twine(outPad.size()));
  if (!checkAttrRange(n, "output_padding", outPad, 0)) return failure();

  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> requested;
  if (n.hasAttr("output_shape")) {
    requested = n.attrInts("output_shape");
    if (requested.size() == s + 2) requested.erase(requested.begin(), requested.begin() + 2);
    if (requested.size() != s)
      return n.error("output_shape needs " + Twine(s) + " spatial sizes, got " +
                     Twine(requested.size()));
    if (!checkAttrRange(n, "output_shape", requested, 1)) return failure();
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < s; ++i) requested.push_back(x.getDimSize(2 + i) * p->strides[i]);
  } else if (autoPad == "VALID") {
    p->pads.assign(2 * s, 0);
  }
  if (!requested.empty()) {
    for (size_t i = 0; i < s; ++i) {
      int64_t full = p->strides[i] * (x.getDimSize(2 + i) - 1) + outPad[i] +
                     (p->kernel[i] - 1) * p->dilations[i] + 1;
      padsForOutputSize(full, requested[i], autoPad == "SAME_UPPER", p->pads[i], p->pads[s + i],
                        outPad[i]);
    }
  }
  SmallVector<Value> operands{n.input(0), n.input(1)};
  if (n.hasInput(2)) operands.push_back(n.input(2));
  if (llvm::is_contained(operands, Value())) return failure();
  return n.setOutput(
      0, n.create<dnn::ConvTransposeOp>(
             operands, {n.i64s("strides", p->strides), n.i64s("dilations", p->dilations),
                        n.i64s("pads", p->pads), n.i64s("output_padding", outPad),
                        n.i64("group", n.attrInt("group", 1))}));
}

LogicalResult importGemm(NodeImporter &n) {
  SmallVector<Value> operands{n.input(0), n.input(1)};
  if (n.hasInput(2)) operands.push_back(n.input(2));
  if (llvm::is_contained(operands, Value())) return failure();
  return n.setOutput(
      0, n.create<dnn::GemmOp>(operands, {n.boolean("trans_a", n.attrInt("transA", 0) != 0),
                                          n.boolean("trans_b", n.attrInt("transB", 0) != 0),
                                          n.f32("alpha", n.attrFloat("alpha", 1.0f)),
                                          n.f32("beta", n.attrFloat("beta", 1.0f))}));
}

LogicalResult importMatMul(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b) return failure();
  return n.setOutput(0, n.create<dnn::MatMulOp>(ValueRange{a, b}));
}

LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.attrInt("training_mode", 0) != 0) return n.unsupported("training-mode BatchNormalization");
  if (n.opset() < 9 && n.attrInt("spatial", 1) == 0)
    return n.unsupported("BatchNormalization with spatial=0");
  for (unsigned i = 1; i < n.numOutputs(); ++i)
    if (n.outputUsed(i))
      return n.unsupported("BatchNormalization statistics output #" + Twine(i) +
                           " (only inference is supported)");
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) operands.push_back(n.input(i));
  if (llvm::is_contained(operands, Value())) return failure();
  return n.setOutput(
      0, n.create<dnn::BatchNormOp>(operands, {n.f32("epsilon", n.attrFloat("epsilon", 1e-5f))}));
}

} // namespace

void registerLinearOps(HandlerTable &t) {
  t["Conv"] = {importConv, 2, 3};
  t["ConvTranspose"] = {importConvTranspose, 2, 3};
  t["Gemm"] = {importGemm, 2, 3};
  t["MatMul"] = {importMatMul, 2, 2};
  t["BatchNormalization"] = {importBatchNorm, 5, 5, 1, 5};
}

} // namespace dnnopt::onnximport
