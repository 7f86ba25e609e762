//===- EmitPoolReduce.cpp - pooling, softmax and reductions to runtime calls ===//
#include "backends/c/OpEmitters.h"
#include "dialects/dnn/DnnOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

/// dnn_pool_params of a 1-D or 2-D max / average pool.
template <typename OpT>
FailureOr<std::string> poolParams(OpT op, ArrayRef<int64_t> dilations, bool countIncludePad) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput()), ys = shapeOf(op.getOutput());
  ArrayRef<int64_t> k = op.getKernelShape(), st = op.getStrides(), pd = op.getPads();
  if (k.size() != 1 && k.size() != 2)
    return op.emitError() << "C backend: unsupported " << k.size() << "-D pooling (1-D and 2-D are supported)";
  bool two = k.size() == 2;
  auto hw = [&](ArrayRef<int64_t> v, int64_t one) { return two ? v[0] : one; };
  std::vector<int64_t> v = {xs[0],
                            xs[1],
                            hw(xs.drop_front(2), 1),
                            xs.back(),
                            hw(ys.drop_front(2), 1),
                            ys.back(),
                            hw(k, 1),
                            k.back(),
                            hw(st, 1),
                            st.back(),
                            dilations.empty() ? 1 : hw(dilations, 1),
                            dilations.empty() ? 1 : dilations.back(),
                            two ? pd[0] : 0,
                            pd[two ? 1 : 0],
                            two ? pd[2] : 0,
                            pd[two ? 3 : 1],
                            countIncludePad ? 1 : 0};
  return cInts(v) + ", " + fusedClamp(op);
}

/// Splits `shape` around the axes [first, last] into outer x axis x inner.
std::string outerAxisInner(ArrayRef<int64_t> shape, int64_t first, int64_t last) {
  int64_t outer = 1, axis = 1, inner = 1;
  for (int64_t d = 0; d < (int64_t)shape.size(); ++d)
    (d < first ? outer : d <= last ? axis : inner) *= shape[d];
  return cInts({outer, axis, inner});
}

LogicalResult emitReduce(CEmitContext &ctx, Operation *op, ArrayRef<int64_t> axes, const char *kind) {
  Value x = op->getOperand(0), y = op->getResult(0);
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1)
      return op->emitError("C backend: unsupported reduction over non-adjacent axes");
  std::string params = ctx.params("dnn_reduce_params", std::string("DNN_RED_") + kind + ", " +
                                                           outerAxisInner(shapeOf(x), axes.front(), axes.back()));
  ctx.useRuntime("dnn_reduce");
  ctx.stmt("dnn_reduce_f32(" + params + ", " + ctx.ptr(x) + ", " + ctx.ptr(y) + ");");
  return success();
}

} // namespace

LogicalResult emitPoolReduceOp(CEmitContext &ctx, Operation *op, bool &handled) {
  handled = isa<MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, GlobalMaxPoolOp, SoftmaxOp, LogSoftmaxOp,
                ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceSumOp, ReduceProdOp>(op);
  if (!handled) return success();
  if (failed(requireF32(op))) return failure();
  Value x = op->getOperand(0), y = op->getResult(0);
  if (numElements(y) == 0) return success();
  if (numElements(x) == 0)
    return op->emitError("C backend: unsupported reduction of an empty tensor");
  std::string in = ctx.ptr(x), out = ctx.ptr(y);
  auto call = [&](const std::string &fn, const std::string &params) {
    ctx.stmt(fn + "(" + params + ", " + in + ", " + out + ");");
    return success();
  };
  if (auto mp = dyn_cast<MaxPoolOp>(op)) {
    FailureOr<std::string> init = poolParams(mp, mp.getDilations(), false);
    if (failed(init)) return failure();
    ctx.useRuntime("dnn_pool");
    return call("dnn_maxpool_f32", ctx.params("dnn_pool_params", *init));
  }
  if (auto ap = dyn_cast<AvgPoolOp>(op)) {
    FailureOr<std::string> init = poolParams(ap, {}, ap.getCountIncludePad());
    if (failed(init)) return failure();
    ctx.useRuntime("dnn_pool");
    return call("dnn_avgpool_f32", ctx.params("dnn_pool_params", *init));
  }
  if (isa<GlobalAvgPoolOp, GlobalMaxPoolOp>(op)) {
    ArrayRef<int64_t> xs = shapeOf(x);
    int64_t size = 1;
    for (int64_t d : xs.drop_front(2)) size *= d;
    std::string params = ctx.params("dnn_global_pool_params", cInts({xs[0] * xs[1], size}) + ", " +
                                                                  fusedClamp(op));
    ctx.useRuntime("dnn_pool");
    return call(isa<GlobalAvgPoolOp>(op) ? "dnn_global_avgpool_f32" : "dnn_global_maxpool_f32", params);
  }
  if (isa<SoftmaxOp, LogSoftmaxOp>(op)) {
    int64_t axis = op->getAttrOfType<IntegerAttr>("axis").getInt();
    if (axis < 0) axis += (int64_t)shapeOf(x).size();
    std::string params = ctx.params("dnn_softmax_params", outerAxisInner(shapeOf(x), axis, axis) + ", " +
                                                              (isa<LogSoftmaxOp>(op) ? "1" : "0"));
    ctx.useRuntime("dnn_softmax");
    return call("dnn_softmax_f32", params);
  }
  ArrayRef<int64_t> axes = op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  const char *kind = llvm::TypeSwitch<Operation *, const char *>(op)
                         .Case<ReduceMeanOp>([](auto) { return "MEAN"; })
                         .Case<ReduceMaxOp>([](auto) { return "MAX"; })
                         .Case<ReduceMinOp>([](auto) { return "MIN"; })
                         .Case<ReduceSumOp>([](auto) { return "SUM"; })
                         .Default([](Operation *) { return "PROD"; });
  return emitReduce(ctx, op, axes, kind);
}

} // namespace dnnopt::cemit
