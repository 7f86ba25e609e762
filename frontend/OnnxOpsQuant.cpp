//===- OnnxOpsQuant.cpp - QuantizeLinear, DequantizeLinear, QLinear* -------===//
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxOpsUtil.h"

using namespace mlir;
namespace dnn = dnnopt::dnn;

namespace dnnopt::onnximport {
namespace {

/// The quantization axis of input `x`: `axis` (default 1, opset >= 13) resolved
/// against x's rank. It only matters for per-axis (1-D) scales, so an axis that
/// does not fit a per-tensor quantization is tolerated.
std::optional<int64_t> quantAxis(NodeImporter &n, RankedTensorType x, RankedTensorType scale) {
  int64_t axis = n.attrInt("axis", 1), rank = x.getRank();
  if (axis >= -rank && axis < rank) return axis < 0 ? axis + rank : axis;
  if (scale.getNumElements() == 1 && scale.getRank() <= 1) return 0;
  return normalizeAxis(n, axis, rank);
}

LogicalResult checkNoBlocks(NodeImporter &n) {
  if (n.attrInt("block_size", 0) != 0) return n.unsupported("blocked quantization (block_size)");
  return success();
}

LogicalResult importQuantizeLinear(NodeImporter &n) {
  if (failed(checkNoBlocks(n))) return failure();
  RankedTensorType x = n.inputType(0), scale = n.inputType(1);
  if (!x || !scale) return failure();
  auto axis = quantAxis(n, x, scale);
  if (!axis) return failure();
  SmallVector<Value> operands{n.input(0), n.input(1)};
  if (n.hasInput(2)) {
    RankedTensorType zp = n.inputType(2);
    if (!zp) return failure();
    if (!zp.getElementType().isInteger(8))
      return n.unsupported("quantization to " + std::string(zp.getElementType().isInteger()
                                                                ? "non-8-bit integers"
                                                                : "non-integer types"));
    operands.push_back(n.input(2));
  } else if (n.hasAttr("output_dtype")) {
    // Opset 21: the output type without a zero point.
    Type elt = elementTypeFor((int32_t)n.attrInt("output_dtype", 2), n.ctx());
    if (!elt || !elt.isInteger(8)) return n.unsupported("QuantizeLinear output_dtype");
    operands.push_back(n.constant(scalarAttr(elt, 0)));
  }
  if (llvm::is_contained(operands, Value())) return failure();
  return n.setOutput(
      0, n.create<dnn::QuantizeLinearOp>(operands, {n.i64("axis", *axis), n.i64("bits", 8)}));
}

LogicalResult importDequantizeLinear(NodeImporter &n) {
  if (failed(checkNoBlocks(n))) return failure();
  RankedTensorType x = n.inputType(0), scale = n.inputType(1);
  if (!x || !scale) return failure();
  Type elt = x.getElementType();
  if (!elt.isInteger(8) && !elt.isInteger(32))
    return n.unsupported("dequantization of non-8/32-bit tensors");
  auto axis = quantAxis(n, x, scale);
  if (!axis) return failure();
  SmallVector<Value> operands{n.input(0), n.input(1)};
  if (n.hasInput(2)) operands.push_back(n.input(2));
  if (llvm::is_contained(operands, Value())) return failure();
  return n.setOutput(
      0, n.create<dnn::DequantizeLinearOp>(
             operands, {n.i64("axis", *axis), n.i64("bits", elt.getIntOrFloatBitWidth())}));
}

LogicalResult importQLinearConv(NodeImporter &n) {
  RankedTensorType x = n.inputType(0), w = n.inputType(3);
  if (!x || !w) return failure();
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return n.error("x " + shapeStr(x.getShape()) + " and w " + shapeStr(w.getShape()) +
                   " must both be N x C x spatial... of the same rank (>= 3)");
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  if (n.hasAttr("kernel_shape") && n.attrInts("kernel_shape") != kernel)
    return n.error("kernel_shape does not match the weight " + shapeStr(w.getShape()));
  auto p = windowParams(n, x, kernel);
  if (!p) return failure();
  SmallVector<Value> operands;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    if (i == 8 && !n.hasInput(8)) break;
    operands.push_back(n.input(i));
    if (!operands.back()) return failure();
  }
  return n.setOutput(
      0, n.create<dnn::QLinearConvOp>(
             operands, {n.i64s("strides", p->strides), n.i64s("dilations", p->dilations),
                        n.i64s("pads", p->pads), n.i64("group", n.attrInt("group", 1))}));
}

LogicalResult importQLinearMatMul(NodeImporter &n) {
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 8; ++i) {
    operands.push_back(n.input(i));
    if (!operands.back()) return failure();
  }
  return n.setOutput(0, n.create<dnn::QLinearMatMulOp>(operands));
}

} // namespace

void registerQuantOps(HandlerTable &t) {
  t["QuantizeLinear"] = {importQuantizeLinear, 2, 3};
  t["DequantizeLinear"] = {importDequantizeLinear, 2, 3};
  t["QLinearConv"] = {importQLinearConv, 8, 9};
  t["QLinearMatMul"] = {importQLinearMatMul, 8, 8};
}

} // namespace dnnopt::onnximport
