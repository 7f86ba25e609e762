//===- LoadModel.cpp - the driver's shared model loading -------------------===//
#include "LoadModel.h"

#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {
/// (file, node) named by a location, as far as it tells.
void describeLocation(Location loc, std::string &file, std::string &node) {
  if (auto nl = dyn_cast<NameLoc>(loc)) {
    node = nl.getName().str();
    describeLocation(nl.getChildLoc(), file, node);
  } else if (auto fl = dyn_cast<FileLineColLoc>(loc)) {
    file = fl.getFilename().str();
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location l : fused.getLocations()) {
      describeLocation(l, file, node);
      if (!file.empty()) break;
    }
  }
}
} // namespace

void dnnopt::driver::installModelDiagnostics(MLIRContext &ctx) {
  ctx.printOpOnDiagnostic(false);
  ctx.getDiagEngine().registerHandler([](Diagnostic &diag) {
    auto print = [](Diagnostic &d, const char *indent) {
      std::string file, node, msg = d.str();
      describeLocation(d.getLocation(), file, node);
      if (!file.empty() && llvm::StringRef(msg).starts_with(file)) { // the importer's own form
        llvm::errs() << indent << msg << "\n";
        return;
      }
      llvm::errs() << indent << (file.empty() ? "dnnopt" : file);
      if (!node.empty()) llvm::errs() << ": node '" << node << "'";
      const char *kind = d.getSeverity() == DiagnosticSeverity::Error     ? ""
                         : d.getSeverity() == DiagnosticSeverity::Warning ? "warning: "
                                                                          : "note: ";
      llvm::errs() << ": " << kind << msg << "\n";
    };
    print(diag, "");
    for (Diagnostic &note : diag.getNotes()) print(note, "  ");
    return success();
  });
}

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
  OwningOpRef<ModuleOp> module;
  if (llvm::StringRef(path).ends_with(".mlir")) {
    // dnn IR written by dnnopt itself (e.g. `dnnopt search pit -o OUT.mlir`).
    module = parseSourceFile<ModuleOp>(path, &ctx);
    if (!module) {
      llvm::errs() << path << ": cannot parse the MLIR file\n";
      return nullptr;
    }
  } else {
    module = importOnnxFile(path, ctx, options);
  }
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

bool dnnopt::driver::checkQuantizeRequest(const std::string &command, const QuantizeRequest &q) {
  if (!q.mode.empty() && q.mode != "int8") {
    llvm::errs() << command << ": --quantize " << q.mode << ": unknown (int8)\n";
    return false;
  }
  if (!q.mode.empty() && q.calibration.empty()) {
    llvm::errs() << command << ": --quantize int8 needs --calibration DATA.npz (inputs to measure "
                 << "activation ranges on)\n";
    return false;
  }
  if (q.mode.empty() && !q.calibration.empty()) {
    llvm::errs() << command << ": --calibration needs --quantize int8\n";
    return false;
  }
  if (q.weightBits != 8 && q.weightBits != 4 && q.weightBits != 2) {
    llvm::errs() << command << ": --weight-bits must be 8, 4 or 2\n";
    return false;
  }
  if (q.weightBits != 8 && q.mode.empty()) {
    llvm::errs() << command << ": --weight-bits needs --quantize int8\n";
    return false;
  }
  if (q.actBits != 8 && q.actBits != 4 && q.actBits != 2) {
    llvm::errs() << command << ": --act-bits must be 8, 4 or 2\n";
    return false;
  }
  if (q.actBits != 8 && q.mode.empty()) {
    llvm::errs() << command << ": --act-bits needs --quantize int8\n";
    return false;
  }
  if (!(q.percentile > 0.0 && q.percentile <= 100.0)) {
    llvm::errs() << command << ": --calibration-percentile must be in (0, 100]\n";
    return false;
  }
  return true;
}

bool dnnopt::driver::quantizeModel(ModuleOp module, const std::string &command,
                                   const QuantizeRequest &q) {
  if (q.mode.empty()) return true;
  llvm::errs() << command << ": post-training int8 quantization, calibrating on " << q.calibration
               << "\n";
  PassManager pm(module.getContext());
  DnnQuantizePtqOptions o;
  o.calibration = q.calibration;
  o.percentile = q.percentile;
  o.maxSamples = q.maxSamples;
  o.weightBits = q.weightBits;
  o.actBits = q.actBits;
  pm.addPass(createDnnQuantizePtq(o));
  if (failed(pm.run(module))) return false;
  return succeeded(verify(module));
}
