//===- dnnopt-translate.cpp - ONNX to dnn IR, as imported ------------------===//
//
// `dnnopt-translate --import-onnx MODEL.onnx [-o OUT.mlir] [--input-shape ...]`
// prints the module exactly as the importer builds it (verified, no cleanup).
// Exit status 0 on success, 1 on any error; errors go to stderr as
// `error: FILE: node 'NAME' (OpType): message`.
//
//===----------------------------------------------------------------------===//
#include "frontend/OnnxExporter.h"
#include "frontend/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;
using namespace mlir;

namespace {
cl::opt<std::string> importPath("import-onnx", cl::desc("Import this ONNX model"),
                                cl::value_desc("model.onnx"));
cl::opt<std::string> exportPath("export-onnx",
                                cl::desc("Export this dnn IR file (.mlir, a float network) as ONNX"),
                                cl::value_desc("model.mlir"));
cl::opt<std::string> outputPath("o", cl::desc("Write the IR to this file instead of stdout"),
                                cl::value_desc("file"), cl::init("-"));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Static shape of a graph input: NAME:1x3x32x32, or 1x3x32x32 for the first "
             "input (repeatable)"),
    cl::value_desc("[name:]shape"));
cl::opt<std::string> funcName("func-name", cl::desc("Name of the generated function"),
                              cl::value_desc("name"), cl::init("main"));

const char *severityText(DiagnosticSeverity s) {
  switch (s) {
  case DiagnosticSeverity::Error: return "error";
  case DiagnosticSeverity::Warning: return "warning";
  case DiagnosticSeverity::Remark: return "remark";
  case DiagnosticSeverity::Note: return "note";
  }
  return "error";
}

/// Importer messages already name the file and node; a verifier message does not,
/// so it gets them from its NameLoc(node, file) location.
void printDiagnostic(Diagnostic &d) {
  std::string msg = d.str();
  llvm::errs() << severityText(d.getSeverity()) << ": ";
  if (!llvm::StringRef(msg).starts_with(importPath + ":")) {
    if (auto name = dyn_cast<NameLoc>(d.getLocation()))
      llvm::errs() << importPath << ": node '" << name.getName().getValue() << "': ";
    else
      llvm::errs() << importPath << ": ";
  }
  llvm::errs() << msg << "\n";
  for (Diagnostic &note : d.getNotes()) printDiagnostic(note);
}
/// libLLVM registers hundreds of backend options; --help shows only this tool's
/// own options and the --mlir-* printing/context options (--help-hidden shows all).
void hideUnrelatedOptions() {
  for (auto &entry : cl::getRegisteredOptions()) {
    llvm::StringRef name = entry.first;
    bool ours = name == "import-onnx" || name == "export-onnx" || name == "o" || name == "input-shape" ||
                name == "func-name" || name.starts_with("mlir-") || name.starts_with("help") ||
                name == "version";
    if (!ours) entry.second->setHiddenFlag(cl::Hidden);
  }
}
/// --export-onnx FILE.mlir [-o OUT.onnx]: parse, verify, export (written only when
/// the whole model exported).
int exportMain() {
  MLIRContext ctx;
  dnnopt::loadImporterDialects(ctx);
  ctx.loadDialect<func::FuncDialect>();
  ScopedDiagnosticHandler handler(&ctx, [](Diagnostic &d) {
    llvm::errs() << severityText(d.getSeverity()) << ": " << exportPath << ": " << d.str() << "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(exportPath, &ctx);
  if (!module || failed(verify(*module))) return 1;
  std::string bytes, err;
  if (failed(dnnopt::exportOnnx(*module, bytes, err))) {
    llvm::errs() << "error: " << exportPath << ": " << err << "\n";
    return 1;
  }
  auto out = openOutputFile(outputPath, &err);
  if (!out) {
    llvm::errs() << "error: " << err << "\n";
    return 1;
  }
  out->os() << bytes;
  out->keep();
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  hideUnrelatedOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "dnnopt-translate: imports an ONNX model and prints its dnn IR "
                              "exactly as imported, or exports dnn IR as ONNX\n");
  if (!exportPath.empty()) return exportMain();
  if (importPath.empty()) {
    llvm::errs() << "dnnopt-translate: nothing to do; pass --import-onnx MODEL.onnx or "
                    "--export-onnx MODEL.mlir -o OUT.onnx (see --help)\n";
    return 1;
  }
  dnnopt::OnnxImportOptions options;
  options.funcName = funcName;
  for (const std::string &s : inputShapes) {
    std::string err = dnnopt::parseInputShapeOption(s, options);
    if (!err.empty()) {
      llvm::errs() << "error: --input-shape " << s << ": " << err << "\n";
      return 1;
    }
  }

  MLIRContext ctx;
  ctx.printOpOnDiagnostic(false);
  dnnopt::loadImporterDialects(ctx);
  ScopedDiagnosticHandler handler(&ctx, [](Diagnostic &d) {
    printDiagnostic(d);
    return success();
  });

  OwningOpRef<ModuleOp> module = dnnopt::importOnnxFile(importPath, ctx, options);
  if (!module) return 1;
  if (failed(verify(*module))) {
    llvm::errs() << "error: " << importPath << ": the imported IR does not verify\n";
    return 1;
  }
  std::string err;
  auto out = openOutputFile(outputPath, &err);
  if (!out) {
    llvm::errs() << "error: " << err << "\n";
    return 1;
  }
  module->print(out->os(), OpPrintingFlags());
  out->os() << "\n";
  out->keep();
  return 0;
}
