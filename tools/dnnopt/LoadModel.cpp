//===- LoadModel.cpp - the driver's shared model loading -------------------===//
#include "LoadModel.h"

#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

OwningOpRef<ModuleOp> dnnopt::driver::loadModel(MLIRContext &ctx, const std::string &command,
                                                const std::string &path,
                                                const std::vector<std::string> &inputShapes,
                                                bool cleanup, dnn::ModelStats *importedStats) {
  OnnxImportOptions options;
  for (const std::string &s : inputShapes) {
    std::string err = parseInputShapeOption(s, options);
    if (!err.empty()) {
      llvm::errs() << command << ": --input-shape " << s << ": " << err << "\n";
      return nullptr;
    }
  }
  loadImporterDialects(ctx);
  OwningOpRef<ModuleOp> module = importOnnxFile(path, ctx, options);
  if (!module) return nullptr;
  if (importedStats) *importedStats = dnn::computeModelStats(*module);
  if (cleanup) {
    PassManager pm(&ctx);
    buildCleanupPipeline(pm);
    if (failed(pm.run(*module))) {
      llvm::errs() << path << ": graph cleanup failed\n";
      return nullptr;
    }
  }
  if (failed(verify(*module))) {
    llvm::errs() << path << ": the imported IR does not verify\n";
    return nullptr;
  }
  return module;
}
