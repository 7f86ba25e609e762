//===- CompileCommand.cpp - `dnnopt compile` -------------------------------===//
//
// Imports an ONNX model, cleans it up and writes a folder of C99 sources:
//   dnnopt compile MODEL.onnx -o DIR --name NAME [--target host|cortex-m4|cortex-m7]
//                 [--with-example [--example-inputs X.npz]]
// The folder is replaced atomically: on any error DIR is left as it was.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "LoadModel.h"
#include "QuantizeOptions.h"

#include "backends/c/CEmitter.h"
#include "engine/Npy.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

namespace cl = llvm::cl;
using namespace mlir;
using namespace dnnopt;

namespace {
cl::SubCommand compileCmd("compile", "Compile an ONNX model to a folder of C99 sources");
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"), cl::Required, cl::sub(compileCmd));
cl::opt<std::string> outDir("o", cl::desc("Output folder (replaced as a whole)"), cl::value_desc("dir"),
                            cl::Required, cl::sub(compileCmd));
cl::opt<std::string> nameOpt("name",
                             cl::desc("C identifier used as prefix and file stem (default: the "
                                      "model file's name)"),
                             cl::value_desc("NAME"), cl::sub(compileCmd));
cl::opt<std::string> targetOpt("target", cl::desc("host | cortex-m4 | cortex-m7 (default host)"),
                               cl::value_desc("target"), cl::init("host"), cl::sub(compileCmd));
cl::opt<bool> withExample("with-example",
                          cl::desc("Also write example/: a firmware main.c and Makefile for the QEMU "
                                   "mps2-an386 board (Cortex-M targets)"),
                          cl::sub(compileCmd));
cl::opt<std::string> exampleInputs("example-inputs",
                                   cl::desc("Inputs of the example firmware, as .npz keyed by ONNX "
                                            "input name (default: a fixed pseudo-random pattern)"),
                                   cl::value_desc("file.npz"), cl::sub(compileCmd));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Static shape of a graph input: NAME:1x3x32x32, or 1x3x32x32 for the first "
             "input (repeatable)"),
    cl::value_desc("[name:]shape"), cl::sub(compileCmd));
cl::opt<std::string> optimizeOpt(
    "optimize",
    cl::desc("speed (default): int8 pointwise and small first convolutions get int16 weights "
             "expanded at compile time (twice their flash, fewer instructions); size: int8 "
             "weights everywhere"),
    cl::value_desc("speed|size"), cl::init("speed"), cl::sub(compileCmd));
driver::QuantizeOptions quantizeOpts(compileCmd);

bool isCIdentifier(const std::string &s) {
  static const std::set<std::string> keywords = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
      "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
      "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
      "volatile", "while", "main"};
  if (s.empty() || llvm::isDigit(s[0]) || keywords.count(s)) return false;
  for (char c : s)
    if (!llvm::isAlnum(c) && c != '_') return false;
  return true;
}

/// NAME from the model's file name: non-identifier characters become '_'.
std::string defaultName(const std::string &path) {
  std::string s = llvm::sys::path::stem(path).str();
  for (char &c : s)
    if (!llvm::isAlnum(c) && c != '_') c = '_';
  if (s.empty() || llvm::isDigit(s[0])) s = "model_" + s;
  return s;
}

/// The engine's name ("f32", "ui8", ...) of a C API dtype name ("float32", "uint8", ...).
std::string engineDTypeName(llvm::StringRef dtype) {
  if (dtype.consume_front("float")) return ("f" + dtype).str();
  if (dtype.consume_front("uint")) return ("ui" + dtype).str();
  if (dtype.consume_front("int")) return ("i" + dtype).str();
  return dtype == "bool" ? "i1" : dtype.str();
}

/// Raw bytes of each graph input, from the .npz, checked against the model.
bool loadExampleInputs(const std::string &path, const std::vector<CTensorInfo> &inputs,
                       std::vector<std::string> &out) {
  std::string err;
  auto arrays = engine::readNpz(path, err);
  if (failed(arrays)) {
    llvm::errs() << "dnnopt compile: " << err << "\n";
    return false;
  }
  for (const CTensorInfo &in : inputs) {
    auto it = arrays->find(in.name);
    if (it == arrays->end()) {
      llvm::errs() << "dnnopt compile: " << path << ": no array named '" << in.name << "' (model input)\n";
      return false;
    }
    const engine::Tensor &t = it->second;
    if (t.shape != in.shape || engine::dtypeName(t.dtype) != engineDTypeName(in.dtype)) {
      llvm::errs() << "dnnopt compile: " << path << ": array '" << in.name << "' is "
                   << engine::dtypeName(t.dtype) << " " << engine::shapeString(t.shape) << ", the model needs "
                   << engineDTypeName(in.dtype) << " " << engine::shapeString(in.shape) << "\n";
      return false;
    }
    out.push_back(engine::toRawBytes(t));
  }
  return true;
}
} // namespace

llvm::cl::SubCommand &dnnopt::driver::compileSubCommand() { return compileCmd; }

int dnnopt::driver::runCompile() {
  CCompileOptions options;
  options.name = nameOpt.empty() ? defaultName(modelPath) : nameOpt;
  options.target = targetOpt;
  options.withExample = withExample;
  if (optimizeOpt != "speed" && optimizeOpt != "size") {
    llvm::errs() << "dnnopt compile: --optimize must be speed or size, got '" << optimizeOpt << "'\n";
    return 1;
  }
  options.compactWeights = optimizeOpt == "size";
  if (!isCIdentifier(options.name)) {
    llvm::errs() << "dnnopt compile: --name '" << options.name
                 << "' is not a usable C identifier (letters, digits, '_', not starting with a digit, "
                    "not a keyword)\n";
    return 1;
  }
  if (!llvm::is_contained(knownCTargets(), options.target)) {
    llvm::errs() << "dnnopt compile: unknown --target '" << options.target
                 << "' (host, cortex-m4, cortex-m7)\n";
    return 1;
  }
  if (withExample && options.target == "host") {
    llvm::errs() << "dnnopt compile: --with-example builds a Cortex-M firmware; use --target cortex-m4 "
                    "or cortex-m7\n";
    return 1;
  }
  if (!exampleInputs.empty() && !withExample) {
    llvm::errs() << "dnnopt compile: --example-inputs needs --with-example\n";
    return 1;
  }

  driver::QuantizeRequest quantize = quantizeOpts.request();
  if (!driver::checkQuantizeRequest("dnnopt compile", quantize)) return 1;

  MLIRContext ctx;
  driver::installModelDiagnostics(ctx);
  auto load = [&]() -> OwningOpRef<ModuleOp> {
    OwningOpRef<ModuleOp> m = driver::loadModel(
        ctx, "dnnopt compile", modelPath, std::vector<std::string>(inputShapes.begin(), inputShapes.end()));
    if (m && !driver::quantizeModel(*m, "dnnopt compile", quantize)) return nullptr;
    return m;
  };
  OwningOpRef<ModuleOp> module = load();
  if (!module) return 1;
  if (!exampleInputs.empty()) {
    // The inputs' names and shapes are known only after import: a first pass
    // without the example gives them (emission is cheap next to import).
    CCompileOptions probe = options;
    probe.withExample = false;
    FailureOr<CCompileResult> first = emitC(*module, probe);
    if (failed(first)) return 1;
    if (!loadExampleInputs(exampleInputs, first->inputs, options.exampleInputs)) return 1;
    module = load();
    if (!module) return 1;
  }
  FailureOr<CCompileResult> result = emitC(*module, options);
  if (failed(result)) return 1;
  if (std::string err = writeFolderAtomically(outDir, result->files); !err.empty()) {
    llvm::errs() << "dnnopt compile: " << err << "\n";
    return 1;
  }
  double ratio = result->arenaLowerBound ? (double)result->arenaBytes / result->arenaLowerBound : 1.0;
  llvm::errs() << llvm::sys::path::filename(modelPath) << ": wrote " << result->files.size() << " files to "
               << outDir << " (" << options.name << "_run, target " << options.target << ")\n"
               << "  kernel calls: " << result->kernelCalls << "\n"
               << "  weights: " << result->weightBytes << " bytes (flash)\n"
               << "  arena: " << result->arenaBytes << " bytes (lower bound " << result->arenaLowerBound
               << ", ratio " << llvm::format("%.3f", ratio) << ")\n";
  return 0;
}
