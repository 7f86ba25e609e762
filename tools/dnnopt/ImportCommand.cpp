//===- ImportCommand.cpp - `dnnopt import` ---------------------------------===//
//
// Imports an ONNX model, runs the cleanup pipeline, prints the dnn IR (large
// constants elided) and a one-line summary.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "LoadModel.h"

#include "dialects/dnn/DnnStats.h"
#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

namespace cl = llvm::cl;
using namespace mlir;

namespace {
cl::SubCommand importCmd("import", "Import an ONNX model and print its dnn IR and a summary");
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"), cl::Required,
                               cl::sub(importCmd));
cl::opt<std::string> outputPath("o", cl::desc("Write the IR to this file instead of stdout"),
                                cl::value_desc("file"), cl::init("-"), cl::sub(importCmd));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Static shape of a graph input: NAME:1x3x32x32, or 1x3x32x32 for the first "
             "input (repeatable)"),
    cl::value_desc("[name:]shape"), cl::sub(importCmd));
cl::opt<bool> noCleanup("no-cleanup", cl::desc("Print the IR as imported, before cleanup"),
                        cl::sub(importCmd));
cl::opt<bool> fullConstants("full-constants",
                            cl::desc("Print every constant (default: elide those > 16 elements)"),
                            cl::sub(importCmd));

std::string humanCount(int64_t n) {
  char buf[32];
  if (n >= 10'000'000) snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else if (n >= 10'000) snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  else snprintf(buf, sizeof buf, "%lld", (long long)n);
  return buf;
}
} // namespace

llvm::cl::SubCommand &dnnopt::driver::importSubCommand() { return importCmd; }

int dnnopt::driver::runImport() {
  MLIRContext ctx;
  driver::installModelDiagnostics(ctx);
  dnn::ModelStats before;
  OwningOpRef<ModuleOp> module = driver::loadModel(
      ctx, "dnnopt import", modelPath, std::vector<std::string>(inputShapes.begin(), inputShapes.end()),
      !noCleanup, &before);
  if (!module) return 1;

  std::string err;
  auto out = openOutputFile(outputPath, &err);
  if (!out) {
    llvm::errs() << "dnnopt import: " << err << "\n";
    return 1;
  }
  OpPrintingFlags flags;
  if (!fullConstants) flags.elideLargeElementsAttrs(16);
  module->print(out->os(), flags);
  out->os() << "\n";
  out->keep();

  dnn::ModelStats after = dnn::computeModelStats(*module);
  llvm::errs() << llvm::sys::path::filename(modelPath) << ": " << before.ops
               << " ops imported, " << after.ops << " after cleanup; "
               << humanCount(after.parameters) << " parameters ("
               << humanCount(after.parameterBytes) << " bytes), " << humanCount(after.macs)
               << " MACs\n";
  return 0;
}
