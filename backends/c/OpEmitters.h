//===- OpEmitters.h - per-op lowering of dnn ops to runtime calls -*- C++ -*-===//
//
// Each family of dnn ops has one emitter file. An emitter returns
//   success() with `handled` set   when it wrote the op's C (parameters, weights,
//                                  one or more runtime calls);
//   success() with `handled` unset when the op is not of its family;
//   failure()                      after reporting, at the op, why the C backend
//                                  cannot lower it ("C backend: unsupported ...").
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_C_OPEMITTERS_H
#define DNNOPT_BACKENDS_C_OPEMITTERS_H

#include "backends/c/CEmitContext.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace dnnopt::cemit {

mlir::LogicalResult emitConvOp(CEmitContext &ctx, mlir::Operation *op, bool &handled);
mlir::LogicalResult emitLinearOp(CEmitContext &ctx, mlir::Operation *op, bool &handled);
mlir::LogicalResult emitElementwiseOp(CEmitContext &ctx, mlir::Operation *op, bool &handled);
mlir::LogicalResult emitPoolReduceOp(CEmitContext &ctx, mlir::Operation *op, bool &handled);
mlir::LogicalResult emitLayoutOp(CEmitContext &ctx, mlir::Operation *op, bool &handled);
/// Integer ops (DnnIntOps.td) and quantize / dequantize, on the int8 kernels.
mlir::LogicalResult emitQuantOp(CEmitContext &ctx, mlir::Operation *op, bool &handled);
/// Bytes of arena scratch the int8 kernel of `op` needs (0 for other ops).
int64_t quantScratchBytes(mlir::Operation *op);
/// True for a transpose that the quantize_linear before it already did
/// (dnn_s8_quantize_f32_nhwc); emitTranspose then writes no code.
bool transposeFusedIntoQuantize(const CEmitContext &ctx, mlir::Operation *transpose);
/// Ops on packed sub-byte (i4 / i2) activations, on the dnn_pk kernels (EmitPacked.cpp):
/// runs before the other emitters and handles or reports every op touching such a
/// tensor.
mlir::LogicalResult emitPackedOp(CEmitContext &ctx, mlir::Operation *op, bool &handled);
/// Bytes of arena scratch the dnn_pk kernel of `op` needs (0 for ops on no sub-byte
/// tensor).
int64_t packedScratchBytes(mlir::Operation *op);

/// Rewrites ops the kernels take only in a restricted form into forms they take
/// (e.g. a Gemm with a transposed or non-constant left operand into
/// transpose + matmul + add), before storage planning. Reports and fails on ops
/// the C backend cannot lower at all.
mlir::LogicalResult legalizeForC(mlir::func::FuncOp func);

/// "lo, hi" C literals of the fused clamp of `op` (clip_min / clip_max attributes),
/// -INFINITY / INFINITY where absent.
std::string fusedClamp(mlir::Operation *op);
/// The runtime's dnn_dtype enumerator of an element type, or "" if none.
std::string dnnDType(mlir::Type elementType);
/// Fails with "C backend: unsupported element type" unless every operand and result
/// of `op` is float32.
mlir::LogicalResult requireF32(mlir::Operation *op);
/// Fails unless `v` is defined by a dnn.constant (weights the compiler packs).
mlir::LogicalResult requireConstant(mlir::Operation *op, mlir::Value v, const char *what);
/// The float contents of a dnn.constant value.
std::vector<float> constantFloats(mlir::Value v);

} // namespace dnnopt::cemit

#endif
