//===- EmitConv.cpp - dnn.conv / dnn.conv_transpose to runtime calls -------===//
//
// 1-D and 2-D convolutions. The weights are packed at compile time by the
// runtime's own dnn_conv_pack_weights (linked into the compiler), so the packed
// layout has one definition shared by compiler and kernels.
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "dialects/dnn/DnnOps.h"

extern "C" {
#include "dnn_conv.h"
#include "dnn_pack.h"
}

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

/// Fills the kernel geometry of a 1-D or 2-D (transposed) convolution; fails for
/// other ranks. `x` is the input, `y` the output, `k` the kernel's spatial shape.
template <typename OpT>
LogicalResult convGeometry(OpT op, Value x, Value y, ArrayRef<int64_t> k, dnn_conv_params &p) {
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t spatial = (int64_t)xs.size() - 2;
  if (spatial != 1 && spatial != 2)
    return op.emitError() << "C backend: unsupported " << spatial
                          << "-D convolution (1-D and 2-D are supported)";
  ArrayRef<int64_t> st = op.getStrides(), dl = op.getDilations(), pd = op.getPads();
  bool two = spatial == 2;
  p = dnn_conv_params{};
  p.n = (int32_t)xs[0];
  p.c = (int32_t)xs[1];
  p.h = two ? (int32_t)xs[2] : 1;
  p.w = (int32_t)xs.back();
  p.m = (int32_t)ys[1];
  p.oh = two ? (int32_t)ys[2] : 1;
  p.ow = (int32_t)ys.back();
  p.kh = two ? (int32_t)k[0] : 1;
  p.kw = (int32_t)k.back();
  p.stride_h = two ? (int32_t)st[0] : 1;
  p.stride_w = (int32_t)st.back();
  p.dil_h = two ? (int32_t)dl[0] : 1;
  p.dil_w = (int32_t)dl.back();
  p.pad_t = two ? (int32_t)pd[0] : 0;
  p.pad_l = (int32_t)pd[two ? 1 : 0];
  p.pad_b = two ? (int32_t)pd[2] : 0;
  p.pad_r = (int32_t)pd[two ? 3 : 1];
  p.group = (int32_t)op.getGroup();
  return success();
}

std::string paramsInit(const dnn_conv_params &p, Operation *op) {
  return cInts({p.n, p.c, p.h, p.w, p.m, p.oh, p.ow, p.kh, p.kw, p.stride_h, p.stride_w, p.dil_h,
                p.dil_w, p.pad_t, p.pad_l, p.pad_b, p.pad_r, p.group}) +
         ", " + fusedClamp(op);
}

/// The bias argument: a weight array, or NULL.
FailureOr<std::string> biasArg(CEmitContext &ctx, Operation *op, Value bias) {
  if (!bias) return std::string("NULL");
  if (failed(requireConstant(op, bias, "bias"))) return failure();
  return ctx.ptr(bias);
}

LogicalResult emitConv(CEmitContext &ctx, ConvOp op) {
  if (failed(requireF32(op)) || failed(requireConstant(op, op.getWeight(), "weights")))
    return failure();
  dnn_conv_params p;
  ArrayRef<int64_t> ws = shapeOf(op.getWeight());
  if (failed(convGeometry(op, op.getInput(), op.getOutput(), ws.drop_front(2), p))) return failure();
  if (dnn_conv_scratch_size(&p) != 0)
    return op.emitError("C backend: convolution kernel needs scratch memory (not planned)");
  std::vector<float> w = constantFloats(op.getWeight());
  std::vector<float> packed(dnn_conv_packed_size(&p));
  dnn_conv_pack_weights(&p, w.data(), packed.data());
  FailureOr<std::string> bias = biasArg(ctx, op, op.getBias());
  if (failed(bias)) return failure();
  std::string params = ctx.params("dnn_conv_params", paramsInit(p, op));
  std::string weights = ctx.floatArray("conv_w", packed);
  ctx.useRuntime("dnn_conv");
  ctx.stmt("dnn_conv_f32(" + params + ", " + ctx.ptr(op.getInput()) + ", " + weights + ", " + *bias +
           ", " + ctx.ptr(op.getOutput()) + ", NULL);");
  return success();
}

LogicalResult emitConvTranspose(CEmitContext &ctx, ConvTransposeOp op) {
  // The kernel reads ONNX-layout weights as they are, so they may be a run-time input.
  if (failed(requireF32(op))) return failure();
  dnn_conv_params p;
  ArrayRef<int64_t> ws = shapeOf(op.getWeight());
  if (failed(convGeometry(op, op.getInput(), op.getOutput(), ws.drop_front(2), p))) return failure();
  std::string bias = op.getBias() ? ctx.ptr(op.getBias()) : "NULL";
  std::string params = ctx.params("dnn_conv_params", paramsInit(p, op));
  ctx.useRuntime("dnn_conv");
  ctx.stmt("dnn_conv_transpose_f32(" + params + ", " + ctx.ptr(op.getInput()) + ", " +
           ctx.ptr(op.getWeight()) + ", " + bias + ", " + ctx.ptr(op.getOutput()) + ");");
  return success();
}

} // namespace

LogicalResult emitConvOp(CEmitContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto conv = dyn_cast<ConvOp>(op)) return emitConv(ctx, conv);
  if (auto convT = dyn_cast<ConvTransposeOp>(op)) return emitConvTranspose(ctx, convT);
  handled = false;
  return success();
}

} // namespace dnnopt::cemit
