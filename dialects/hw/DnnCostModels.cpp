//===- DnnCostModels.cpp - CostModelOpInterface for the dnn ops ------------===//
//
// External models: the dnn dialect knows nothing about hw. Each model only
// extracts a LayerGeometry; the formulas are in CostFormulas.h.
//
//===----------------------------------------------------------------------===//
#include "dialects/hw/DnnCostModels.h"
#include "dialects/dnn/DnnOps.h"
#include "dialects/hw/HwDialect.h"
#include "dialects/hw/HwInterfaces.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::hw;

namespace {
ArrayRef<int64_t> shapeOf(Value v) { return cast<ShapedType>(v.getType()).getShape(); }
int64_t elementsOf(Value v) { return cast<ShapedType>(v.getType()).getNumElements(); }
bool isConstant(Value v) { return v && v.getDefiningOp<dnn::ConstantOp>(); }

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) p *= d;
  return p;
}

/// x = last spatial axis, y = the others folded.
void spatial(ArrayRef<int64_t> shape, int64_t &x, int64_t &y) {
  if (shape.size() <= 2) {
    x = y = 1;
    return;
  }
  x = shape.back();
  y = product(shape.drop_front(2).drop_back());
}

LayerGeometry convGeometry(Value input, Value weight, Value bias, Value output, int64_t group,
                           bool transposed) {
  LayerGeometry g;
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight), out = shapeOf(output);
  g.batch = in[0];
  g.cin = in[1];
  g.cout = out[1];
  g.groups = group;
  spatial(in, g.ix, g.iy);
  spatial(out, g.ox, g.oy);
  spatial(w, g.kx, g.ky);
  g.bias = bool(bias);
  if (transposed) g.kind = LayerKind::ConvTranspose;
  else if (group > 1 && group == g.cin && w[1] == 1) g.kind = LayerKind::DepthwiseConv;
  else g.kind = LayerKind::Conv;
  return g;
}

/// A (.., M, K) x B (.., K, N): rows = output elements / N.
LayerGeometry matmulGeometry(Value a, Value b, Value output) {
  LayerGeometry g;
  g.kind = LayerKind::Linear;
  ArrayRef<int64_t> bs = shapeOf(b);
  g.cin = shapeOf(a).back();
  g.cout = bs.size() >= 2 ? bs.back() : 1;
  g.batch = g.cout ? elementsOf(output) / g.cout : 0;
  g.constWeights = isConstant(b);
  if (!g.constWeights) g.inElems = elementsOf(b);
  return g;
}

/// Layers without weights: element counts of operands and results.
LayerGeometry elementGeometry(Operation *op, LayerKind kind) {
  LayerGeometry g;
  g.kind = kind;
  for (Value v : op->getOperands()) {
    if (!isa<ShapedType>(v.getType())) continue;
    (isConstant(v) ? g.constElems : g.inElems) += elementsOf(v);
  }
  for (Value r : op->getResults()) g.outElems += elementsOf(r);
  if (op->getNumResults() == 1) {
    ArrayRef<int64_t> out = shapeOf(op->getResult(0));
    g.batch = out.empty() ? 1 : out[0];
    g.cin = g.cout = out.size() >= 2 ? out[1] : 1;
    spatial(out, g.ox, g.oy);
  } else {
    g.cin = g.cout = 0; // no channel scaling for multi-result ops (split)
  }
  if (!op->getOperands().empty() && isa<ShapedType>(op->getOperand(0).getType()))
    spatial(shapeOf(op->getOperand(0)), g.ix, g.iy);
  g.work = kind == LayerKind::Reduce ? g.inElems : g.outElems;
  return g;
}

template <LayerKind Kind> LayerGeometry elementwise(Operation *op) {
  return elementGeometry(op, Kind);
}

LayerGeometry conv(Operation *op) {
  auto c = cast<dnn::ConvOp>(op);
  return convGeometry(c.getInput(), c.getWeight(), c.getBias(), c.getOutput(), c.getGroup(), false);
}
LayerGeometry qlinearConv(Operation *op) {
  auto c = cast<dnn::QLinearConvOp>(op);
  return convGeometry(c.getX(), c.getW(), c.getBias(), c.getOutput(), c.getGroup(), false);
}
/// Integer convolution: channels-last (N x spatial... x C).
LayerGeometry qconv(Operation *op) {
  auto c = cast<dnn::QConvOp>(op);
  LayerGeometry g;
  ArrayRef<int64_t> in = shapeOf(c.getInput()), w = shapeOf(c.getWeight()),
                    out = shapeOf(c.getOutput());
  g.batch = in[0];
  g.cin = in.back();
  g.cout = out.back();
  g.groups = c.getGroup();
  g.ix = in[in.size() - 2];
  g.iy = product(in.drop_front(1).drop_back(2));
  g.ox = out[out.size() - 2];
  g.oy = product(out.drop_front(1).drop_back(2));
  spatial(w, g.kx, g.ky);
  g.bias = bool(c.getBias());
  g.kind = g.groups > 1 && g.groups == g.cin && w[1] == 1 ? LayerKind::DepthwiseConv
                                                           : LayerKind::Conv;
  return g;
}
LayerGeometry qfullyConnected(Operation *op) {
  auto f = cast<dnn::QFullyConnectedOp>(op);
  LayerGeometry g;
  g.kind = LayerKind::Linear;
  g.batch = shapeOf(f.getInput())[0];
  g.cin = shapeOf(f.getInput())[1];
  g.cout = shapeOf(f.getWeight())[0];
  g.bias = bool(f.getBias());
  return g;
}
LayerGeometry convTranspose(Operation *op) {
  auto c = cast<dnn::ConvTransposeOp>(op);
  return convGeometry(c.getInput(), c.getWeight(), c.getBias(), c.getOutput(), c.getGroup(), true);
}
LayerGeometry gemm(Operation *op) {
  auto g = cast<dnn::GemmOp>(op);
  LayerGeometry geo;
  geo.kind = LayerKind::Linear;
  ArrayRef<int64_t> a = shapeOf(g.getA()), out = shapeOf(g.getOutput());
  geo.batch = out[0];
  geo.cin = g.getTransA() ? a[0] : a[1];
  geo.cout = out[1];
  geo.bias = bool(g.getC());
  geo.constWeights = isConstant(g.getB());
  if (!geo.constWeights) geo.inElems = elementsOf(g.getB());
  return geo;
}
LayerGeometry matmul(Operation *op) {
  auto m = cast<dnn::MatMulOp>(op);
  return matmulGeometry(m.getA(), m.getB(), m.getOutput());
}
LayerGeometry qlinearMatmul(Operation *op) {
  auto m = cast<dnn::QLinearMatMulOp>(op);
  return matmulGeometry(m.getA(), m.getB(), m.getOutput());
}

/// Sliding-window pooling: work = output elements x window.
template <typename PoolOp> LayerGeometry pool(Operation *op) {
  LayerGeometry g = elementGeometry(op, LayerKind::Pool);
  ArrayRef<int64_t> kernel = cast<PoolOp>(op).getKernelShape();
  g.kx = kernel.empty() ? 1 : kernel.back();
  g.ky = kernel.size() > 1 ? product(kernel.drop_back()) : 1;
  g.work = g.outElems * product(kernel);
  return g;
}
/// Global pooling reads every input element once.
LayerGeometry globalPool(Operation *op) {
  LayerGeometry g = elementGeometry(op, LayerKind::Pool);
  g.kx = g.ix, g.ky = g.iy;
  g.work = g.inElems;
  return g;
}

template <typename OpT, LayerGeometry (*Fn)(Operation *)>
struct Model : CostModelOpInterface::ExternalModel<Model<OpT, Fn>, OpT> {
  LayerGeometry getLayerGeometry(Operation *op) const { return Fn(op); }
};

template <LayerGeometry (*Fn)(Operation *), typename... Ops> void attach(MLIRContext *ctx) {
  (Ops::template attachInterface<Model<Ops, Fn>>(*ctx), ...);
}
} // namespace

void dnnopt::hw::registerCostModelInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, dnn::DnnDialect *) {
    using namespace dnn;
    attach<conv, ConvOp>(ctx);
    attach<qlinearConv, QLinearConvOp>(ctx);
    attach<convTranspose, ConvTransposeOp>(ctx);
    attach<gemm, GemmOp>(ctx);
    attach<matmul, MatMulOp>(ctx);
    attach<qlinearMatmul, QLinearMatMulOp>(ctx);
    attach<pool<MaxPoolOp>, MaxPoolOp>(ctx);
    attach<pool<AvgPoolOp>, AvgPoolOp>(ctx);
    attach<globalPool, GlobalAvgPoolOp, GlobalMaxPoolOp, QGlobalAvgPoolOp>(ctx);
    attach<qconv, QConvOp>(ctx);
    attach<qfullyConnected, QFullyConnectedOp>(ctx);
    attach<pool<QMaxPoolOp>, QMaxPoolOp>(ctx);
    attach<pool<QAvgPoolOp>, QAvgPoolOp>(ctx);
    attach<elementwise<LayerKind::Elementwise>, AddOp, SubOp, MulOp, MaxOp, MinOp, PReluOp, ReluOp,
           AbsOp, NegOp, FloorOp, CeilOp, LeakyReluOp, ClipOp, HardSigmoidOp, HardSwishOp,
           BatchNormOp, CastOp, QuantizeLinearOp, DequantizeLinearOp, QAddOp, RequantizeOp>(ctx);
    attach<elementwise<LayerKind::Nonlinear>, DivOp, PowOp, SigmoidOp, TanhOp, ExpOp, LogOp,
           SqrtOp, ReciprocalOp, ErfOp, SoftmaxOp, LogSoftmaxOp>(ctx);
    attach<elementwise<LayerKind::Reduce>, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceSumOp,
           ReduceProdOp>(ctx);
    attach<elementwise<LayerKind::Copy>, TransposeOp, ConcatOp, SplitOp, SliceOp, PadOp, GatherOp,
           ResizeOp>(ctx);
    attach<elementwise<LayerKind::View>, ReshapeOp, IdentityOp, DropoutOp>(ctx);
  });
}

void dnnopt::hw::loadCostModels(MLIRContext &ctx) {
  DialectRegistry registry;
  registerCostModelInterfaces(registry);
  ctx.appendDialectRegistry(registry);
  ctx.getOrLoadDialect<HwDialect>();
}
