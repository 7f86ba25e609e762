//===- Passes.h - dnnopt graph passes --------------------------*- C++ -*-===//
#ifndef DNNOPT_PASSES_PASSES_H
#define DNNOPT_PASSES_PASSES_H

#include "dialects/dnn/DnnOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace dnnopt {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Registers every dnnopt pass and the `dnn-cleanup` pipeline.
void registerDnnoptPasses();

/// The graph cleanup pipeline run before code generation: drop identities, fold
/// constants, fold batch norm and pads, fuse activations, simplify shapes.
void buildCleanupPipeline(mlir::OpPassManager &pm);

/// Whether `root` holds quantized ONNX forms (quantize_linear, dequantize_linear,
/// qlinear_conv, qlinear_matmul) that the integer lowering applies to.
bool hasQuantizationOps(mlir::Operation *root);

/// The integer lowering of a quantized model: -dnn-lower-quant, then the shape
/// cleanup that turns the transposes left at unit axes into views, then
/// -dnn-group-precision (contiguous precision groups, 0-bit channels removed).
void buildQuantLoweringPipeline(mlir::OpPassManager &pm);

} // namespace dnnopt

#endif
