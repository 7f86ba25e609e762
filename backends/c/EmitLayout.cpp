//===- EmitLayout.cpp - data movement dnn ops to runtime calls -------------===//
//
// Transpose, pad, gather, resize, and the slices / splits / concats that the
// storage plan could not turn into views (those cost no code at all). The layout
// kernels are type-generic: they move elements of any dnn_dtype.
//
//===----------------------------------------------------------------------===//
#include "backends/c/OpEmitters.h"
#include "dialects/dnn/DnnOps.h"

extern "C" {
#include "dnn_layout.h"
}

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {
namespace {

std::vector<int64_t> contiguousStrides(ArrayRef<int64_t> shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

FailureOr<std::string> dtypeOf(Operation *op, Value v) {
  Type t = cast<RankedTensorType>(v.getType()).getElementType();
  std::string d = dnnDType(t);
  if (d.empty()) return op->emitError() << "C backend: unsupported element type " << t;
  return d;
}

LogicalResult checkRank(Operation *op, Value v) {
  if (shapeOf(v).size() > DNN_MAX_RANK)
    return op->emitError() << "C backend: unsupported rank " << shapeOf(v).size() << " (at most "
                           << DNN_MAX_RANK << ")";
  return success();
}

/// dst[dstOffset + i . dstStride] = src[srcOffset + i . srcStride] over `shape`.
LogicalResult emitCopy(CEmitContext &ctx, Operation *op, Value src, Value dst, ArrayRef<int64_t> shape,
                       int64_t srcOffset, ArrayRef<int64_t> srcStride, int64_t dstOffset,
                       ArrayRef<int64_t> dstStride) {
  FailureOr<std::string> dt = dtypeOf(op, dst);
  if (failed(dt) || failed(checkRank(op, dst))) return failure();
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (n == 0) return success();
  std::string init = std::to_string(shape.size()) + ", " + *dt + ", " + cIntArray(shape, DNN_MAX_RANK) +
                     ", " + std::to_string(srcOffset) + ", " + cIntArray(srcStride, DNN_MAX_RANK) + ", " +
                     std::to_string(dstOffset) + ", " + cIntArray(dstStride, DNN_MAX_RANK);
  std::string params = ctx.params("dnn_copy_params", init);
  ctx.useRuntime("dnn_layout");
  ctx.stmt("dnn_copy_strided(" + params + ", " + ctx.ptr(src) + ", " + ctx.ptr(dst) + ");");
  return success();
}

/// Copies `piece` to / from the block of `whole` starting at `start` along `axis`.
LogicalResult emitAxisBlockCopy(CEmitContext &ctx, Operation *op, Value piece, Value whole, int64_t axis,
                                int64_t start, bool intoWhole) {
  std::vector<int64_t> ws = contiguousStrides(shapeOf(whole)), ps = contiguousStrides(shapeOf(piece));
  int64_t off = start * ws[axis];
  return intoWhole ? emitCopy(ctx, op, piece, whole, shapeOf(piece), 0, ps, off, ws)
                   : emitCopy(ctx, op, whole, piece, shapeOf(piece), off, ws, 0, ps);
}

LogicalResult emitTranspose(CEmitContext &ctx, TransposeOp op) {
  if (transposeFusedIntoQuantize(ctx, op)) return success(); // done by the quantize
  FailureOr<std::string> dt = dtypeOf(op, op.getOutput());
  if (failed(dt) || failed(checkRank(op, op.getInput()))) return failure();
  if (numElements(op.getOutput()) == 0) return success();
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  std::string init = std::to_string(xs.size()) + ", " + *dt + ", " + cIntArray(xs, DNN_MAX_RANK) + ", " +
                     cIntArray(op.getPerm(), DNN_MAX_RANK);
  std::string params = ctx.params("dnn_transpose_params", init);
  ctx.useRuntime("dnn_layout");
  ctx.stmt("dnn_transpose(" + params + ", " + ctx.ptr(op.getInput()) + ", " + ctx.ptr(op.getOutput()) +
           ");");
  return success();
}

LogicalResult emitPad(CEmitContext &ctx, PadOp op) {
  FailureOr<std::string> dt = dtypeOf(op, op.getOutput());
  if (failed(dt) || failed(checkRank(op, op.getInput()))) return failure();
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  if (numElements(op.getOutput()) == 0) return success();
  if (op.getMode() != PadMode::constant && numElements(op.getInput()) == 0)
    return op.emitError("C backend: unsupported edge/reflect padding of an empty tensor");
  for (int64_t p : op.getPads())
    if (p < 0) return op.emitError("C backend: unsupported negative padding (a crop)");
  int mode = op.getMode() == PadMode::constant ? 0 : op.getMode() == PadMode::reflect ? 1 : 2;
  std::string init = std::to_string(xs.size()) + ", " + *dt + ", " + cIntArray(xs, DNN_MAX_RANK) + ", " +
                     cIntArray(op.getPads(), 2 * DNN_MAX_RANK) + ", " + std::to_string(mode) + ", " +
                     cFloat(op.getValue().convertToFloat());
  std::string params = ctx.params("dnn_pad_params", init);
  ctx.useRuntime("dnn_layout");
  ctx.stmt("dnn_pad(" + params + ", " + ctx.ptr(op.getInput()) + ", " + ctx.ptr(op.getOutput()) + ");");
  return success();
}

LogicalResult emitGather(CEmitContext &ctx, GatherOp op) {
  FailureOr<std::string> dt = dtypeOf(op, op.getOutput());
  if (failed(dt)) return failure();
  Type it = cast<RankedTensorType>(op.getIndices().getType()).getElementType();
  if (!it.isInteger(32) && !it.isInteger(64))
    return op.emitError() << "C backend: unsupported gather index type " << it;
  if (numElements(op.getOutput()) == 0) return success();
  ArrayRef<int64_t> ds = shapeOf(op.getData());
  int64_t axis = op.getAxis(), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= ds[d];
  for (int64_t d = axis + 1; d < (int64_t)ds.size(); ++d) inner *= ds[d];
  std::string init = *dt + ", " + (it.isInteger(64) ? "DNN_I64" : "DNN_I32") + ", " +
                     cInts({outer, ds[axis], inner, numElements(op.getIndices())});
  std::string params = ctx.params("dnn_gather_params", init);
  ctx.useRuntime("dnn_layout");
  ctx.stmt("dnn_gather(" + params + ", " + ctx.ptr(op.getData()) + ", " + ctx.ptr(op.getIndices()) + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

LogicalResult emitResize(CEmitContext &ctx, ResizeOp op) {
  if (failed(requireF32(op)) || failed(checkRank(op, op.getInput()))) return failure();
  if (numElements(op.getOutput()) == 0) return success();
  if (numElements(op.getInput()) == 0) return op.emitError("C backend: unsupported resize of an empty tensor");
  ArrayRef<int64_t> xs = shapeOf(op.getInput()), ys = shapeOf(op.getOutput());
  dnn_resize_params p{};
  p.rank = (int32_t)xs.size();
  for (size_t d = 0; d < xs.size(); ++d) {
    p.in_shape[d] = (int32_t)xs[d];
    p.out_shape[d] = (int32_t)ys[d];
    p.scales[d] = op.getScales()[d];
  }
  p.mode = (int32_t)op.getMode();
  p.coord_mode = (int32_t)op.getCoordMode();
  p.nearest_mode = (int32_t)op.getNearestMode();
  std::vector<dnn_resize_axis> table(dnn_resize_table_size(&p));
  dnn_resize_make_table(&p, table.data());
  std::string entries;
  for (size_t i = 0; i < table.size(); ++i)
    entries += std::string(i % 4 ? " " : "\n  ") + "{" + std::to_string(table[i].i0) + ", " +
               std::to_string(table[i].i1) + ", " + cFloat(table[i].w1) + "},";
  std::string t = ctx.table("dnn_resize_axis", entries + "\n", (int64_t)(table.size() * sizeof(dnn_resize_axis)));
  std::vector<int64_t> in(p.in_shape, p.in_shape + DNN_MAX_RANK), out(p.out_shape, p.out_shape + DNN_MAX_RANK);
  std::string scales;
  for (int d = 0; d < DNN_MAX_RANK; ++d) scales += std::string(d ? ", " : "") + cFloat(p.scales[d]);
  std::string init = std::to_string(p.rank) + ", " + cIntArray(in, DNN_MAX_RANK) + ", " +
                     cIntArray(out, DNN_MAX_RANK) + ", {" + scales + "}, " +
                     cInts({p.mode, p.coord_mode, p.nearest_mode});
  std::string params = ctx.params("dnn_resize_params", init);
  ctx.useRuntime("dnn_layout");
  ctx.stmt("dnn_resize_f32(" + params + ", " + t + ", " + ctx.ptr(op.getInput()) + ", " +
           ctx.ptr(op.getOutput()) + ");");
  return success();
}

LogicalResult emitSlice(CEmitContext &ctx, SliceOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput());
  std::vector<int64_t> stride = contiguousStrides(xs), srcStride(xs.size());
  int64_t off = 0;
  for (size_t d = 0; d < xs.size(); ++d) {
    off += op.getStarts()[d] * stride[d];
    srcStride[d] = op.getSteps()[d] * stride[d];
  }
  return emitCopy(ctx, op, op.getInput(), op.getOutput(), shapeOf(op.getOutput()), off, srcStride, 0,
                  contiguousStrides(shapeOf(op.getOutput())));
}

} // namespace

LogicalResult emitLayoutOp(CEmitContext &ctx, Operation *op, bool &handled) {
  handled = true;
  if (auto t = dyn_cast<TransposeOp>(op)) return emitTranspose(ctx, t);
  if (auto p = dyn_cast<PadOp>(op)) return emitPad(ctx, p);
  if (auto g = dyn_cast<GatherOp>(op)) return emitGather(ctx, g);
  if (auto r = dyn_cast<ResizeOp>(op)) return emitResize(ctx, r);
  if (auto s = dyn_cast<SliceOp>(op)) return emitSlice(ctx, s);
  if (auto c = dyn_cast<ConcatOp>(op)) {
    int64_t start = 0;
    for (Value in : c.getInputs()) {
      if (failed(emitAxisBlockCopy(ctx, op, in, c.getOutput(), c.getAxis(), start, true))) return failure();
      start += shapeOf(in)[c.getAxis()];
    }
    return success();
  }
  if (auto s = dyn_cast<SplitOp>(op)) {
    int64_t start = 0;
    for (Value out : s.getOutputs()) {
      if (failed(emitAxisBlockCopy(ctx, op, out, s.getInput(), s.getAxis(), start, false))) return failure();
      start += shapeOf(out)[s.getAxis()];
    }
    return success();
  }
  if (isa<ReshapeOp, IdentityOp, DropoutOp>(op)) {
    // Views normally cost nothing; without views they are a plain copy.
    Value x = op->getOperand(0), y = op->getResult(0);
    std::vector<int64_t> flat = {numElements(y)};
    return emitCopy(ctx, op, x, y, flat, 0, {1}, 0, {1});
  }
  handled = false;
  return success();
}

} // namespace dnnopt::cemit
