//===- OnnxImporter.h - ONNX protobuf to dnn IR ----------------*- C++ -*-===//
//
// The ONNX frontend: reads a ModelProto (opsets 7-21) and builds a `func.func`
// of `dnn` ops. Static sub-graphs (shape computations) are folded into constants.
// Errors are reported through the MLIRContext's diagnostic engine at the location
// of the faulty node and formatted `FILE: node 'NAME' (OpType): what is wrong`;
// the import then returns nullptr. Never asserts or crashes on bad input.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_FRONTEND_ONNXIMPORTER_H
#define DNNOPT_FRONTEND_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace dnnopt {

struct OnnxImportOptions {
  /// Name of the generated function.
  std::string funcName = "main";
  /// Static shapes for graph inputs, by input name; overrides the model's shape.
  /// An input not listed gets its model shape, with a symbolic leading (batch)
  /// dimension set to 1; any other symbolic dimension is an error.
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

/// Parse `--input-shape` values: "name:1x3x32x32" or "1x3x32x32" (applies to the
/// first graph input, stored under the empty name). Returns an error message on failure.
std::string parseInputShapeOption(const std::string &text, OnnxImportOptions &options);

/// Imports the model in `path` (external data is resolved relative to its folder).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(const std::string &path, mlir::MLIRContext &ctx,
                                                 const OnnxImportOptions &options = {});

/// Imports a serialized ModelProto held in memory; `displayName` is used in
/// messages and `baseDir` to resolve external data ("" = no external data allowed).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxBytes(const std::string &bytes,
                                                  const std::string &displayName,
                                                  const std::string &baseDir,
                                                  mlir::MLIRContext &ctx,
                                                  const OnnxImportOptions &options = {});

/// Registers the dialects the importer produces (dnn, func) in `ctx`.
void loadImporterDialects(mlir::MLIRContext &ctx);

} // namespace dnnopt

#endif
