//===- DnnStats.cpp - op and model statistics ------------------------------===//
#include "dialects/dnn/DnnStats.h"
#include "dialects/dnn/DnnOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dnnopt::dnn;

namespace {
int64_t elements(Value v) { return cast<ShapedType>(v.getType()).getNumElements(); }

int64_t kernelVolume(Value weight) {
  int64_t k = 1;
  for (int64_t d : cast<ShapedType>(weight.getType()).getShape().drop_front(2)) k *= d;
  return k;
}

int64_t convMacs(Value weight, Value output) {
  // Each output element sums (C / group) * kernel products.
  auto w = cast<ShapedType>(weight.getType());
  return elements(output) * w.getDimSize(1) * kernelVolume(weight);
}

int64_t matmulMacs(Value a, Value output) {
  auto at = cast<ShapedType>(a.getType());
  return elements(output) * at.getShape().back();
}
} // namespace

int64_t dnnopt::dnn::countMacs(Operation *op) {
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case<ConvOp>([](ConvOp c) { return convMacs(c.getWeight(), c.getOutput()); })
      .Case<QLinearConvOp>([](QLinearConvOp c) { return convMacs(c.getW(), c.getOutput()); })
      .Case<ConvTransposeOp>([](ConvTransposeOp c) {
        // Each input element scatters into (M / group) * kernel outputs.
        auto w = cast<ShapedType>(c.getWeight().getType());
        return elements(c.getInput()) * w.getDimSize(1) * kernelVolume(c.getWeight());
      })
      .Case<GemmOp>([](GemmOp g) {
        auto a = cast<ShapedType>(g.getA().getType());
        return elements(g.getOutput()) * a.getDimSize(g.getTransA() ? 0 : 1);
      })
      .Case<MatMulOp>([](MatMulOp m) { return matmulMacs(m.getA(), m.getOutput()); })
      .Case<QLinearMatMulOp>([](QLinearMatMulOp m) { return matmulMacs(m.getA(), m.getOutput()); })
      .Default([](Operation *) { return int64_t(0); });
}

ModelStats dnnopt::dnn::computeModelStats(Operation *root) {
  ModelStats s;
  root->walk([&](Operation *op) {
    if (!isa<DnnDialect>(op->getDialect())) return;
    if (auto c = dyn_cast<ConstantOp>(op)) {
      auto t = cast<ShapedType>(c.getType());
      ++s.constants;
      s.parameters += t.getNumElements();
      s.parameterBytes += t.getNumElements() * ((t.getElementTypeBitWidth() + 7) / 8);
      return;
    }
    ++s.ops;
    s.macs += countMacs(op);
  });
  return s;
}
