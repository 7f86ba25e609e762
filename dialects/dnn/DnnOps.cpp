//===- DnnOps.cpp - verifiers of dnn ops -----------------------------------===//
//
// Shape checks live in DnnShapes.cpp (result type inference); this file holds the
// verifiers of ops whose result type is not inferred, and extra invariants.
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnOps.h"

using namespace mlir;
using namespace dnnopt::dnn;

LogicalResult ConstantOp::verify() {
  auto t = cast<ShapedType>(getValue().getType());
  if (!t.hasStaticShape())
    return emitOpError("value must have a static shape, got ") << t;
  return success();
}

LogicalResult CastOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (in.getShape() != out.getShape())
    return emitOpError("changes the shape: ") << in << " to " << out;
  return success();
}

LogicalResult ClipOp::verify() {
  if (getMin().convertToFloat() > getMax().convertToFloat())
    return emitOpError("min ") << getMin().convertToFloat() << " is greater than max "
                               << getMax().convertToFloat();
  return success();
}

template <typename OpT>
static LogicalResult verifySoftmaxAxis(OpT op) {
  int64_t rank = cast<RankedTensorType>(op.getInput().getType()).getRank();
  int64_t axis = op.getAxis(); // the I64Attr getter is unsigned
  if (axis < 0 || axis >= rank)
    return op.emitOpError("axis ") << axis << " out of range for rank " << rank;
  return success();
}
LogicalResult SoftmaxOp::verify() { return verifySoftmaxAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxAxis(*this); }

LogicalResult ResizeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (in.getRank() != out.getRank())
    return emitOpError("changes the rank: ") << in << " to " << out;
  if (in.getElementType() != out.getElementType())
    return emitOpError("changes the element type: ") << in << " to " << out;
  if ((int64_t)getScales().size() != in.getRank())
    return emitOpError("needs one scale per axis (") << in.getRank() << "), got "
                                                     << getScales().size();
  for (float s : getScales())
    if (!(s > 0.0f)) return emitOpError("scales must be positive, got ") << s;
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return emitOpError("needs static shapes");
  return success();
}
