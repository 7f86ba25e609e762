//===- EmitElementwise.cpp - elementwise dnn ops to runtime calls ----------===//
//
// Binary ops (numpy broadcasting described by strides, computed at compile time
// by the runtime's own dnn_binary_broadcast), unary ops and activations, an
// unfolded batch_norm (per-channel scale and shift computed at compile time) and
// cast. Each op calls its own runtime entry point (dnn_add_f32, dnn_relu_f32, ...)
// so a model links only the code of the ops it uses.
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "dialects/dnn/DnnOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

extern "C" {
#include "dnn_eltwise.h"
#include "dnn_layout.h"
}

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

/// Runtime name of a binary op ("add" -> dnn_add_f32), or "".
std::string binaryName(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::string>(op)
      .Case<AddOp>([](auto) { return "add"; })
      .Case<SubOp>([](auto) { return "sub"; })
      .Case<MulOp>([](auto) { return "mul"; })
      .Case<DivOp>([](auto) { return "div"; })
      .Case<MaxOp>([](auto) { return "max"; })
      .Case<MinOp>([](auto) { return "min"; })
      .Case<PowOp>([](auto) { return "pow"; })
      .Case<PReluOp>([](auto) { return "prelu"; })
      .Default([](Operation *) { return ""; });
}

/// Runtime name of a unary op and its (alpha, beta), or "".
std::string unaryName(Operation *op, float &alpha, float &beta) {
  alpha = 0.0f;
  beta = 0.0f;
  return llvm::TypeSwitch<Operation *, std::string>(op)
      .Case<ReluOp>([](auto) { return "relu"; })
      .Case<SigmoidOp>([](auto) { return "sigmoid"; })
      .Case<TanhOp>([](auto) { return "tanh"; })
      .Case<HardSwishOp>([](auto) { return "hard_swish"; })
      .Case<ExpOp>([](auto) { return "exp"; })
      .Case<LogOp>([](auto) { return "log"; })
      .Case<SqrtOp>([](auto) { return "sqrt"; })
      .Case<AbsOp>([](auto) { return "abs"; })
      .Case<NegOp>([](auto) { return "neg"; })
      .Case<ReciprocalOp>([](auto) { return "reciprocal"; })
      .Case<FloorOp>([](auto) { return "floor"; })
      .Case<CeilOp>([](auto) { return "ceil"; })
      .Case<ErfOp>([](auto) { return "erf"; })
      .Case<LeakyReluOp>([&](LeakyReluOp o) {
        alpha = o.getAlpha().convertToFloat();
        return "leaky_relu";
      })
      .Case<ClipOp>([&](ClipOp o) {
        alpha = o.getMin().convertToFloat();
        beta = o.getMax().convertToFloat();
        return "clip";
      })
      .Case<HardSigmoidOp>([&](HardSigmoidOp o) {
        alpha = o.getAlpha().convertToFloat();
        beta = o.getBeta().convertToFloat();
        return "hard_sigmoid";
      })
      .Default([](Operation *) { return ""; });
}

std::vector<int32_t> shape32(Value v) {
  ArrayRef<int64_t> s = shapeOf(v);
  return std::vector<int32_t>(s.begin(), s.end());
}

LogicalResult emitBinary(CEmitContext &ctx, Operation *op, const std::string &fn) {
  if (failed(requireF32(op))) return failure();
  Value a = op->getOperand(0), b = op->getOperand(1), y = op->getResult(0);
  if (numElements(y) == 0) return success();
  dnn_binary_params p{};
  std::vector<int32_t> as = shape32(a), bs = shape32(b);
  if (dnn_binary_broadcast(&p, (int32_t)as.size(), as.data(), (int32_t)bs.size(), bs.data()) != 0)
    return op->emitError() << "C backend: unsupported broadcast (rank above " << DNN_MAX_RANK << ")";
  auto arr = [](const int32_t *v) {
    return cIntArray(std::vector<int64_t>(v, v + DNN_MAX_RANK), DNN_MAX_RANK);
  };
  std::string init = "DNN_BIN_" + llvm::StringRef(fn).upper() + ", " + std::to_string(p.rank) + ", " +
                     arr(p.shape) + ", " + arr(p.a_stride) + ", " + arr(p.b_stride) + ", " +
                     fusedClamp(op);
  std::string params = ctx.params("dnn_binary_params", init);
  ctx.useRuntime("dnn_eltwise");
  ctx.stmt("dnn_" + fn + "_f32(" + params + ", " + ctx.ptr(a) + ", " + ctx.ptr(b) + ", " + ctx.ptr(y) +
           ");");
  return success();
}

LogicalResult emitUnary(CEmitContext &ctx, Operation *op, const std::string &fn, float alpha,
                        float beta) {
  if (failed(requireF32(op))) return failure();
  Value x = op->getOperand(0), y = op->getResult(0);
  if (numElements(y) == 0) return success();
  std::string init = "DNN_UN_" + llvm::StringRef(fn).upper() + ", " + std::to_string(numElements(y)) +
                     ", " + cFloat(alpha) + ", " + cFloat(beta) + ", " + fusedClamp(op);
  std::string params = ctx.params("dnn_unary_params", init);
  ctx.useRuntime("dnn_eltwise");
  ctx.stmt("dnn_" + fn + "_f32(" + params + ", " + ctx.ptr(x) + ", " + ctx.ptr(y) + ");");
  return success();
}

LogicalResult emitBatchNorm(CEmitContext &ctx, BatchNormOp op) {
  if (failed(requireF32(op))) return failure();
  for (Value v : {op.getScale(), op.getBias(), op.getMean(), op.getVar()})
    if (failed(requireConstant(op, v, "batch-norm statistics"))) return failure();
  ArrayRef<int64_t> s = shapeOf(op.getInput());
  int64_t c = s.size() > 1 ? s[1] : 1, inner = 1;
  for (size_t d = 2; d < s.size(); ++d) inner *= s[d];
  std::vector<float> gamma = constantFloats(op.getScale()), beta = constantFloats(op.getBias()),
                     mean = constantFloats(op.getMean()), var = constantFloats(op.getVar());
  float eps = op.getEpsilon().convertToFloat();
  std::vector<float> scale(c), shift(c);
  for (int64_t i = 0; i < c; ++i) {
    auto at = [&](const std::vector<float> &v) { return v[v.size() == 1 ? 0 : i]; };
    scale[i] = at(gamma) / std::sqrt(at(var) + eps);
    shift[i] = at(beta) - at(mean) * scale[i];
  }
  std::string params = ctx.params("dnn_batchnorm_params",
                                  cInts({s.empty() ? 1 : s[0], c, inner}) + ", " + fusedClamp(op));
  std::string sc = ctx.floatArray("bn_scale", scale), sh = ctx.floatArray("bn_shift", shift);
  ctx.useRuntime("dnn_layout");
  ctx.stmt("dnn_batchnorm_f32(" + params + ", " + ctx.ptr(op.getInput()) + ", " + sc + ", " + sh + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

LogicalResult emitCast(CEmitContext &ctx, CastOp op) {
  Type from = cast<RankedTensorType>(op.getInput().getType()).getElementType();
  Type to = cast<RankedTensorType>(op.getOutput().getType()).getElementType();
  std::string f = dnnDType(from), t = dnnDType(to);
  if (f.empty() || t.empty())
    return op.emitError() << "C backend: unsupported cast from " << from << " to " << to;
  if (numElements(op.getOutput()) == 0) return success();
  std::string params =
      ctx.params("dnn_cast_params", std::to_string(numElements(op.getOutput())) + ", " + f + ", " + t);
  ctx.useRuntime("dnn_layout");
  ctx.stmt("dnn_cast(" + params + ", " + ctx.ptr(op.getInput()) + ", " + ctx.ptr(op.getOutput()) + ");");
  return success();
}

} // namespace

LogicalResult emitElementwiseOp(CEmitContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (std::string fn = binaryName(op); !fn.empty()) return emitBinary(ctx, op, fn);
  float alpha, beta;
  if (std::string fn = unaryName(op, alpha, beta); !fn.empty())
    return emitUnary(ctx, op, fn, alpha, beta);
  if (auto bn = dyn_cast<BatchNormOp>(op)) return emitBatchNorm(ctx, bn);
  if (auto c = dyn_cast<CastOp>(op)) return emitCast(ctx, c);
  handled = false;
  return success();
}

} // namespace dnnopt::cemit
