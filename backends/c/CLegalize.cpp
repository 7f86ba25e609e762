//===- CLegalize.cpp - shape the IR into forms the C kernels take ----------===//
//
// Runs on the cleaned-up function right before storage planning, so any tensor
// it introduces gets a place in the arena like every other.
//   - Gemm whose left operand is transposed, whose right operand is not a
//     constant, or whose C is not a row bias: transposes + matmul / a plain fully
//     connected Gemm, a multiplication by alpha and an addition of beta * C.
// Also the helpers shared by the per-op emitters.
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "dialects/dnn/DnnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {

std::string fusedClamp(Operation *op) {
  auto bound = [&](const char *name, float dflt) {
    auto a = op->getAttrOfType<FloatAttr>(name);
    return cFloat(a ? a.getValue().convertToFloat() : dflt);
  };
  return bound("clip_min", -INFINITY) + ", " + bound("clip_max", INFINITY);
}

std::string dnnDType(Type t) {
  if (t.isF32()) return "DNN_F32";
  if (t.isInteger(1)) return "DNN_BOOL";
  auto it = dyn_cast<IntegerType>(t);
  if (!it) return "";
  bool u = it.isUnsigned();
  switch (it.getWidth()) {
  case 8: return u ? "DNN_U8" : "DNN_I8";
  case 16: return u ? "DNN_U16" : "DNN_I16";
  case 32: return u ? "" : "DNN_I32";
  case 64: return u ? "" : "DNN_I64";
  }
  return "";
}

LogicalResult requireF32(Operation *op) {
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    Type e = cast<RankedTensorType>(t).getElementType();
    if (!e.isF32())
      return op->emitError() << "C backend: unsupported element type " << e << " for '"
                             << op->getName() << "' (float32 only)";
  }
  return success();
}

LogicalResult requireConstant(Operation *op, Value v, const char *what) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (c && isa<DenseElementsAttr>(c.getValue())) return success();
  return op->emitError() << "C backend: unsupported '" << op->getName() << "' with non-constant "
                         << what;
}

std::vector<float> constantFloats(Value v) {
  auto dense = cast<DenseElementsAttr>(v.getDefiningOp<ConstantOp>().getValue());
  return std::vector<float>(dense.getValues<float>().begin(), dense.getValues<float>().end());
}

namespace {

bool isConstant(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  return c && isa<DenseElementsAttr>(c.getValue());
}

Value scalar(OpBuilder &b, Location loc, float v) {
  auto t = RankedTensorType::get({}, b.getF32Type());
  return ConstantOp::create(b, loc, DenseElementsAttr::get(t, v));
}

/// Whether C of a Gemm with N outputs is a bias shared by every row.
bool isRowBias(Value c, int64_t n) {
  ArrayRef<int64_t> s = shapeOf(c);
  int64_t numel = numElements(c);
  return numel == 1 || (numel == n && !s.empty() && s.back() == n);
}

void legalizeGemm(GemmOp op) {
  int64_t n = shapeOf(op.getOutput())[1];
  Value c = op.getC();
  bool bConst = isConstant(op.getB());
  bool rowBias = !c || (isConstant(c) && isRowBias(c, n));
  if (!op.getTransA() && bConst && rowBias) return;
  OpBuilder b(op);
  Location loc = op.getLoc();
  FloatAttr lo = op.getClipMinAttr(), hi = op.getClipMaxAttr();
  float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
  Value a = op.getA();
  if (op.getTransA()) a = TransposeOp::create(b, loc, a, ArrayRef<int64_t>{1, 0});
  bool addC = c && !(bConst && rowBias);
  Value y;
  if (bConst) {
    // A fully connected layer; C either stays its bias or is added afterwards.
    NamedAttrList attrs(op->getAttrDictionary());
    attrs.set("trans_a", b.getBoolAttr(false));
    if (addC) {
      attrs.erase("clip_min");
      attrs.erase("clip_max");
    }
    SmallVector<Value> operands = {a, op.getB()};
    if (c && !addC) operands.push_back(c);
    y = GemmOp::create(b, loc, TypeRange{op.getType()}, operands, attrs.getAttrs()).getOutput();
  } else {
    Value bm = op.getB();
    if (op.getTransB()) bm = TransposeOp::create(b, loc, bm, ArrayRef<int64_t>{1, 0});
    bool last = alpha == 1.0f && !c;
    y = MatMulOp::create(b, loc, op.getType(), a, bm, last ? lo : FloatAttr(), last ? hi : FloatAttr());
    if (alpha != 1.0f)
      y = MulOp::create(b, loc, op.getType(), y, scalar(b, loc, alpha), c ? FloatAttr() : lo,
                        c ? FloatAttr() : hi);
  }
  if (addC) {
    Value cs = c;
    if (beta != 1.0f && isConstant(c)) {
      auto dense = cast<DenseElementsAttr>(c.getDefiningOp<ConstantOp>().getValue());
      SmallVector<float> v(dense.getValues<float>());
      for (float &x : v) x *= beta;
      cs = ConstantOp::create(b, loc, DenseElementsAttr::get(dense.getType(), ArrayRef<float>(v)));
    } else if (beta != 1.0f) {
      cs = MulOp::create(b, loc, c.getType(), c, scalar(b, loc, beta), FloatAttr(), FloatAttr());
    }
    y = AddOp::create(b, loc, op.getType(), y, cs, lo, hi);
  }
  op.getOutput().replaceAllUsesWith(y);
  op.erase();
}

} // namespace

LogicalResult legalizeForC(func::FuncOp func) {
  SmallVector<GemmOp> gemms;
  func.walk([&](GemmOp op) { gemms.push_back(op); });
  for (GemmOp op : gemms) {
    if (failed(requireF32(op))) return failure();
    legalizeGemm(op);
  }
  return success();
}

} // namespace dnnopt::cemit
