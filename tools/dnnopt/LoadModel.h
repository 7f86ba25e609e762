//===- LoadModel.h - the driver's shared model loading ---------*- C++ -*-===//
#ifndef DNNOPT_TOOLS_DNNOPT_LOADMODEL_H
#define DNNOPT_TOOLS_DNNOPT_LOADMODEL_H

#include "dialects/dnn/DnnStats.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace dnnopt::driver {

/// What every subcommand does first: parse the `--input-shape` values, import
/// the ONNX model, run the cleanup pipeline (unless `cleanup` is false) and verify.
/// Errors go to stderr prefixed with `command` or the model path; returns null
/// after reporting. `importedStats`, if given, receives the stats before cleanup.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &ctx, const std::string &command,
                                            const std::string &path,
                                            const std::vector<std::string> &inputShapes,
                                            bool cleanup = true,
                                            dnn::ModelStats *importedStats = nullptr);

/// Post-training quantization requested on the command line (--quantize int8
/// --calibration FILE [--calibration-percentile P]).
struct QuantizeRequest {
  std::string mode;        ///< "" (none) or "int8"
  std::string calibration; ///< .npz of calibration inputs
  double percentile = 100.0;
  unsigned maxSamples = 0;
  unsigned weightBits = 8;
  unsigned actBits = 8; ///< hidden activations (the graph's inputs / outputs stay int8)
};

/// Checks the request's options; prints the problem after `command` and returns
/// false when they do not make sense together.
bool checkQuantizeRequest(const std::string &command, const QuantizeRequest &q);

/// Runs -dnn-quantize-ptq on `module` when `q.mode` is set (progress on stderr);
/// false after reporting a failure.
bool quantizeModel(mlir::ModuleOp module, const std::string &command, const QuantizeRequest &q);

/// Prints diagnostics of `ctx` the way the importer does: `FILE: node 'NAME': message`
/// for ops that carry their ONNX node name, `FILE: message` otherwise (notes are
/// indented below). Call once per context, before the work that may fail.
void installModelDiagnostics(mlir::MLIRContext &ctx);

} // namespace dnnopt::driver

#endif
