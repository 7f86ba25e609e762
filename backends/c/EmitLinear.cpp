//===- EmitLinear.cpp - dnn.gemm / dnn.matmul to runtime calls -------------===//
//
// A product with a constant right-hand matrix is a fully connected layer
// (dnn_fc_f32, weights packed at compile time with alpha folded in); a product
// of two activations is dnn_matmul_f32 with numpy batch broadcasting. legalizeForC
// has already rewritten every Gemm that is not `act(x * B' + bias)` with constant
// B and a row bias.
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "dialects/dnn/DnnOps.h"

extern "C" {
#include "dnn_linear.h"
#include "dnn_pack.h"
}

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

std::string fcCall(CEmitContext &ctx, Operation *op, Value x, const dnn_fc_params &p,
                   const std::string &weights, const std::string &bias, Value y) {
  std::string params = ctx.params(
      "dnn_fc_params", cInts({p.batch, p.in_features, p.out_features}) + ", " + fusedClamp(op));
  ctx.useRuntime("dnn_linear");
  return "dnn_fc_f32(" + params + ", " + ctx.ptr(x) + ", " + weights + ", " + bias + ", " +
         ctx.ptr(y) + ");";
}

LogicalResult emitGemm(CEmitContext &ctx, GemmOp op) {
  if (failed(requireF32(op)) || failed(requireConstant(op, op.getB(), "weights"))) return failure();
  if (op.getTransA()) return op.emitError("C backend: internal: transposed Gemm input not legalized");
  ArrayRef<int64_t> bs = shapeOf(op.getB());
  dnn_fc_params p{};
  p.out_features = (int32_t)(op.getTransB() ? bs[0] : bs[1]);
  p.in_features = (int32_t)(op.getTransB() ? bs[1] : bs[0]);
  p.batch = (int32_t)shapeOf(op.getA())[0];
  std::vector<float> b = constantFloats(op.getB());
  std::vector<float> packed(dnn_fc_packed_size(&p));
  dnn_fc_pack_weights(&p, b.data(), op.getTransB() ? 1 : 0, op.getAlpha().convertToFloat(), packed.data());
  std::string bias = "NULL";
  if (Value c = op.getC()) {
    if (failed(requireConstant(op, c, "bias"))) return failure();
    std::vector<float> cv = constantFloats(c);
    float beta = op.getBeta().convertToFloat();
    std::vector<float> row(p.out_features);
    for (int32_t n = 0; n < p.out_features; ++n) row[n] = beta * cv[cv.size() == 1 ? 0 : n];
    bias = ctx.floatArray("fc_b", row);
  }
  std::string weights = ctx.floatArray("fc_w", packed);
  ctx.stmt(fcCall(ctx, op, op.getA(), p, weights, bias, op.getOutput()));
  return success();
}

LogicalResult emitMatMul(CEmitContext &ctx, MatMulOp op) {
  if (failed(requireF32(op))) return failure();
  ArrayRef<int64_t> as = shapeOf(op.getA()), bs = shapeOf(op.getB());
  // 1-D operands: [K] is [1, K] on the left and [K, 1] on the right; the memory
  // layout is the same, only the result drops the unit axis.
  SmallVector<int64_t> a(as), b(bs);
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  if (b.size() == 2 && isa_and_nonnull<ConstantOp>(op.getB().getDefiningOp())) {
    dnn_fc_params p{};
    int64_t rows = 1;
    for (int64_t d : ArrayRef<int64_t>(a).drop_back()) rows *= d;
    p.batch = (int32_t)rows;
    p.in_features = (int32_t)k;
    p.out_features = (int32_t)n;
    std::vector<float> w = constantFloats(op.getB());
    std::vector<float> packed(dnn_fc_packed_size(&p));
    dnn_fc_pack_weights(&p, w.data(), 0, 1.0f, packed.data());
    std::string weights = ctx.floatArray("fc_w", packed);
    ctx.stmt(fcCall(ctx, op, op.getA(), p, weights, "NULL", op.getOutput()));
    return success();
  }
  // Batch dimensions: right-aligned numpy broadcasting of a[:-2] and b[:-2].
  size_t rank = std::max(a.size(), b.size()) - 2;
  if (rank > DNN_MATMUL_MAX_BATCH_RANK)
    return op.emitError() << "C backend: unsupported MatMul with " << rank
                          << " batch dimensions (at most " << DNN_MATMUL_MAX_BATCH_RANK << ")";
  std::vector<int64_t> shape(rank), aStride(rank), bStride(rank);
  int64_t aStep = m * k, bStep = k * n;
  for (size_t i = 0; i < rank; ++i) {
    size_t d = rank - 1 - i; // output batch axis, from the innermost
    int64_t ad = i + 2 < a.size() ? a[a.size() - 3 - i] : 1;
    int64_t bd = i + 2 < b.size() ? b[b.size() - 3 - i] : 1;
    shape[d] = std::max(ad, bd);
    aStride[d] = ad == 1 ? 0 : aStep;
    bStride[d] = bd == 1 ? 0 : bStep;
    aStep *= ad;
    bStep *= bd;
  }
  std::string init = std::to_string(rank) + ", " + cIntArray(shape, DNN_MATMUL_MAX_BATCH_RANK) + ", " +
                     cIntArray(aStride, DNN_MATMUL_MAX_BATCH_RANK) + ", " +
                     cIntArray(bStride, DNN_MATMUL_MAX_BATCH_RANK) + ", " + cInts({m, k, n}) + ", " +
                     fusedClamp(op);
  std::string params = ctx.params("dnn_matmul_params", init);
  ctx.useRuntime("dnn_linear");
  ctx.stmt("dnn_matmul_f32(" + params + ", " + ctx.ptr(op.getA()) + ", " + ctx.ptr(op.getB()) + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

} // namespace

LogicalResult emitLinearOp(CEmitContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto gemm = dyn_cast<GemmOp>(op)) return emitGemm(ctx, gemm);
  if (auto mm = dyn_cast<MatMulOp>(op)) return emitMatMul(ctx, mm);
  handled = false;
  return success();
}

} // namespace dnnopt::cemit
