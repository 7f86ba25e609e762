//===- OnnxExporter.h - dnn IR back to ONNX --------------------*- C++ -*-===//
//
// The way back from dnnopt's IR to ONNX, for models the searches changed (a PIT
// result, a retrained network) so any ONNX tool can run them. Float networks:
// conv, gemm, matmul, batch norm, elementwise and activation ops, pooling, reshape,
// transpose, concat, constant pad; fused clamps become Relu / Clip nodes.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_FRONTEND_ONNXEXPORTER_H
#define DNNOPT_FRONTEND_ONNXEXPORTER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace dnnopt {

/// Serializes the module's one function as an ONNX model (opset 13) into `bytes`;
/// on failure sets `error` (naming the op that has no export).
mlir::LogicalResult exportOnnx(mlir::ModuleOp module, std::string &bytes, std::string &error);

} // namespace dnnopt

#endif
