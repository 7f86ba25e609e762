//===- ValidateCommand.cpp - `dnnopt validate` -----------------------------===//
//
// Checks the generated C against the reference engine:
//   dnnopt validate MODEL.onnx [--inputs X.npz] [--input-shape ...] [--cc-flags "..."]
//                   [--sanitize] [--keep DIR] [--rtol R] [--atol A]
// 1. loads the model exactly as `dnnopt compile` does (import + cleanup) and emits
//    the C sources for the host (backends/c/CEmitter.h);
// 2. builds them with a harness and the host C compiler and runs one inference
//    (backends/c/HostRun.h);
// 3. evaluates the model *as imported* (before the cleanup pipeline) with the
//    reference engine on the same inputs, and compares every output.
//
// Why the un-cleaned model: the question is whether the C code computes what the
// ONNX model computes. The cleanup passes (batch-norm folding, activation fusion,
// pad folding, constant folding) are part of the compilation, so they are under
// test too; the imported IR is the closest thing to ONNX semantics we have (the
// conformance test checks the engine on it against the ONNX test data). When an
// output fails, the cleaned IR is evaluated as well, which tells whether the
// cleanup pipeline or the C backend changed the result.
//
// Exit code 0 only if every output is within tolerance.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "LoadModel.h"
#include "QuantizeOptions.h"

#include "backends/c/CEmitter.h"
#include "backends/c/HostRun.h"
#include "engine/Interpreter.h"
#include "engine/Npy.h"
#include "dialects/dnn/DnnOps.h"

#include "mlir/IR/Matchers.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>
#include <set>

namespace cl = llvm::cl;
using namespace mlir;
using namespace dnnopt;
using engine::Tensor;

namespace {
cl::SubCommand validateCmd("validate",
                           "Build the generated C on the host, run it and compare with the reference engine");
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"), cl::Required, cl::sub(validateCmd));
cl::opt<std::string> inputsPath(
    "inputs",
    cl::desc("Input values, as .npz keyed by ONNX input name (dtype and shape must match the model). "
             "Default: a fixed pseudo-random pattern: floats uniform in [-1, 1), signed integers in "
             "[-8, 8), unsigned in [0, 16), bool 0/1 (xorshift32, seeded per input; see "
             "backends/c/HostRun.h)"),
    cl::value_desc("file.npz"), cl::sub(validateCmd));
cl::opt<std::string> expectedPath(
    "expected",
    cl::desc("Compare with these outputs (.npz keyed by ONNX output name, e.g. a framework's own "
             "results) instead of the reference engine"),
    cl::value_desc("file.npz"), cl::sub(validateCmd));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Static shape of a graph input: NAME:1x3x32x32, or 1x3x32x32 for the first "
             "input (repeatable)"),
    cl::value_desc("[name:]shape"), cl::sub(validateCmd));
cl::opt<std::string> ccFlags("cc-flags",
                             cl::desc("Extra flags for the C compiler, appended to "
                                      "`$CC -std=c99 -O2 -Wall -Werror` (CC defaults to cc)"),
                             cl::value_desc("\"flags\""), cl::sub(validateCmd));
cl::opt<bool> sanitize("sanitize",
                       cl::desc("Build with -fsanitize=address,undefined -fno-sanitize-recover=all -g (at -O1)"),
                       cl::sub(validateCmd));
cl::opt<std::string> keepDir("keep",
                             cl::desc("Build in DIR and keep it: model/, harness.c, inputs, outputs, logs and "
                                      "rerun.sh (an earlier such DIR is replaced)"),
                             cl::value_desc("DIR"), cl::sub(validateCmd));
cl::opt<double> rtolOpt("rtol", cl::desc("Relative tolerance per element (default 1e-4)"), cl::init(1e-4),
                     cl::sub(validateCmd));
cl::opt<double> atolOpt("atol",
                     cl::desc("Absolute tolerance, in units of the output's largest magnitude (default "
                              "1e-5): an element passes if |c - ref| <= atol * max|ref| + rtol * |ref|"),
                     cl::init(1e-5), cl::sub(validateCmd));

driver::QuantizeOptions quantizeOpts(validateCmd);
cl::opt<std::string> referenceOpt(
    "reference",
    cl::desc("What the C code is compared with: 'imported' (default: the model as imported, or as "
             "quantized by --quantize) or 'lowered' (the IR the C code was generated from, after "
             "cleanup and the integer lowering of quantized models: checks the code generator and "
             "kernels exactly)"),
    cl::value_desc("imported|lowered"), cl::init("imported"), cl::sub(validateCmd));
cl::opt<unsigned> stepsOpt(
    "steps",
    cl::desc("Tolerance of quantized outputs (int8 / uint8, or float from a per-tensor "
             "DequantizeLinear), in quantization steps (default 1); their error is also "
             "reported as a histogram of steps"),
    cl::init(1), cl::sub(validateCmd));

void progress(const std::string &what) { llvm::errs() << "dnnopt validate: " << what << "\n"; }

/// The C name `dnnopt compile` uses by default: the file's stem, non-identifier
/// characters replaced by '_' (prefixed where that is not an identifier).
std::string cName(const std::string &path) {
  static const std::set<std::string> keywords = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
      "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
      "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
      "volatile", "while", "main"};
  std::string s = llvm::sys::path::stem(path).str();
  for (char &c : s)
    if (!llvm::isAlnum(c) && c != '_') c = '_';
  if (s.empty() || llvm::isDigit(s[0]) || keywords.count(s)) s = "model_" + s;
  return s;
}

/// The inputs from --inputs (checked against the model) or the documented pattern.
FailureOr<std::vector<Tensor>> makeInputs(const std::vector<CTensorInfo> &infos) {
  std::vector<Tensor> inputs;
  if (inputsPath.empty()) {
    for (size_t i = 0; i < infos.size(); ++i) {
      FailureOr<Tensor> t = patternInput(infos[i], i);
      if (failed(t)) {
        llvm::errs() << "dnnopt validate: no input pattern for element type " << infos[i].dtype << " of input '"
                     << infos[i].name << "'; give --inputs\n";
        return failure();
      }
      inputs.push_back(std::move(*t));
    }
    return inputs;
  }
  std::string err;
  auto arrays = engine::readNpz(inputsPath, err);
  if (failed(arrays)) {
    llvm::errs() << "dnnopt validate: " << err << "\n";
    return failure();
  }
  std::set<std::string> used;
  for (const CTensorInfo &info : infos) {
    auto it = arrays->find(info.name);
    if (it == arrays->end()) {
      std::string have;
      for (auto &[k, v] : *arrays) have += (have.empty() ? "" : ", ") + ("'" + k + "'");
      llvm::errs() << "dnnopt validate: " << inputsPath << ": no array named '" << info.name
                   << "' (model input); it holds " << (have.empty() ? "nothing" : have) << "\n";
      return failure();
    }
    if (std::string e = checkInput(it->second, info); !e.empty()) {
      llvm::errs() << "dnnopt validate: " << inputsPath << ": " << e << "\n";
      return failure();
    }
    used.insert(info.name);
    inputs.push_back(it->second);
  }
  for (auto &[k, v] : *arrays)
    if (!used.count(k))
      llvm::errs() << "dnnopt validate: warning: " << inputsPath << ": array '" << k
                   << "' is not a model input; ignored\n";
  return inputs;
}

func::FuncOp theFunction(ModuleOp module) {
  func::FuncOp func;
  module.walk([&](func::FuncOp f) { func = f; });
  return func;
}

std::string sci(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}
} // namespace

llvm::cl::SubCommand &dnnopt::driver::validateSubCommand() { return validateCmd; }

int dnnopt::driver::runValidate() {
  if (!(rtolOpt >= 0) || !(atolOpt >= 0)) {
    llvm::errs() << "dnnopt validate: --rtol and --atol must be non-negative\n";
    return 1;
  }
  HostRunOptions hostOptions;
  hostOptions.keepDir = keepDir;
  hostOptions.progress = progress;
  if (sanitize) {
    hostOptions.optLevel = "-O1";
    hostOptions.extraFlags = hostSanitizerFlags();
  }
  {
    llvm::BumpPtrAllocator alloc;
    llvm::StringSaver saver(alloc);
    llvm::SmallVector<const char *> tokens;
    cl::TokenizeGNUCommandLine(ccFlags, saver, tokens);
    hostOptions.extraFlags.insert(hostOptions.extraFlags.end(), tokens.begin(), tokens.end());
  }

  MLIRContext ctx;
  driver::installModelDiagnostics(ctx);
  std::vector<std::string> shapes(inputShapes.begin(), inputShapes.end());
  std::string model = llvm::sys::path::filename(modelPath).str();

  // What `dnnopt compile` compiles, and the model as imported (the reference).
  driver::QuantizeRequest quantize = quantizeOpts.request();
  if (!driver::checkQuantizeRequest("dnnopt validate", quantize)) return 1;
  if (referenceOpt != "imported" && referenceOpt != "lowered") {
    llvm::errs() << "dnnopt validate: --reference " << referenceOpt << ": unknown (imported, lowered)\n";
    return 1;
  }
  if (referenceOpt == "lowered" && !expectedPath.empty()) {
    llvm::errs() << "dnnopt validate: --reference lowered and --expected exclude each other\n";
    return 1;
  }
  OwningOpRef<ModuleOp> module = driver::loadModel(ctx, "dnnopt validate", modelPath, shapes);
  if (!module) return 1;
  OwningOpRef<ModuleOp> imported;
  OwningOpRef<ModuleOp> floatModel; // with --quantize: the float model, for its error report
  if (!quantize.mode.empty()) {
    // The reference is the quantized (QDQ) model the compiler made: the C code must
    // follow its semantics; the float model's outputs are reported next to it.
    floatModel = module->clone();
    if (!driver::quantizeModel(*module, "dnnopt validate", quantize)) return 1;
    imported = module->clone();
  } else {
    imported = driver::loadModel(ctx, "dnnopt validate", modelPath, shapes, /*cleanup=*/false);
    if (!imported) return 1;
  }
  OwningOpRef<ModuleOp> cleaned = module->clone(); // emitC legalizes `module` in place

  progress("compiling " + model + " (C backend, target host)");
  CCompileOptions options;
  options.name = cName(modelPath);
  FailureOr<CCompileResult> result = emitC(*module, options);
  if (failed(result)) return 1;

  FailureOr<std::vector<Tensor>> inputs = makeInputs(result->inputs);
  if (failed(inputs)) return 1;

  std::string err;
  FailureOr<std::vector<Tensor>> reference;
  if (!expectedPath.empty()) {
    progress("reading the expected outputs from " + expectedPath);
    auto arrays = engine::readNpz(expectedPath, err);
    if (failed(arrays)) {
      llvm::errs() << "dnnopt validate: " << err << "\n";
      return 1;
    }
    std::vector<Tensor> expected;
    for (const CTensorInfo &o : result->outputs) {
      auto it = arrays->find(o.name);
      if (it == arrays->end() || it->second.shape != o.shape) {
        llvm::errs() << "dnnopt validate: " << expectedPath << ": "
                     << (it == arrays->end() ? "no array named '" + o.name + "'"
                                             : "array '" + o.name + "' has shape " +
                                                   engine::shapeString(it->second.shape))
                     << "; the model's output is " << o.dtype << " " << engine::shapeString(o.shape) << "\n";
        return 1;
      }
      expected.push_back(it->second);
    }
    reference = std::move(expected);
  } else if (referenceOpt == "lowered") {
    progress("evaluating the lowered IR (what the C code was generated from) with the reference engine");
    reference = engine::runFunction(theFunction(*module), *inputs, err);
    if (failed(reference)) {
      llvm::errs() << "dnnopt validate: reference engine: " << err << "\n";
      return 1;
    }
  } else {
    progress("evaluating the imported model with the reference engine");
    reference = engine::runFunction(theFunction(*imported), *inputs, err);
    if (failed(reference)) {
      llvm::errs() << "dnnopt validate: reference engine: " << err << "\n";
      return 1;
    }
  }
  if (reference->size() != result->outputs.size()) {
    llvm::errs() << "dnnopt validate: the engine gives " << reference->size() << " outputs, the C code "
                 << result->outputs.size() << "\n";
    return 1;
  }

  FailureOr<std::vector<Tensor>> c = runOnHost(*result, options.name, *inputs, hostOptions, err);
  if (failed(c)) {
    llvm::errs() << "dnnopt validate: " << model << ": " << err << "\n";
    if (keepDir.empty()) llvm::errs() << "dnnopt validate: rerun with --keep DIR to inspect the build\n";
    return 1;
  }

  // Quantized outputs are compared in quantization steps.
  std::vector<double> stepOf(result->outputs.size(), 0.0);
  if (auto ret = cast<func::ReturnOp>(theFunction(*imported).getBody().front().getTerminator())) {
    for (auto [j, v] : llvm::enumerate(ret.getOperands())) {
      if (j >= stepOf.size()) break;
      Type e = cast<RankedTensorType>(v.getType()).getElementType();
      if (e.isInteger(8)) stepOf[j] = 1.0;
      if (auto dq = v.getDefiningOp<dnn::DequantizeLinearOp>()) {
        DenseElementsAttr s;
        if (matchPattern(dq.getScale(), m_Constant(&s)) && s.getNumElements() == 1)
          stepOf[j] = (*s.getValues<APFloat>().begin()).convertToDouble();
      }
    }
  }

  // One row per output.
  llvm::raw_ostream &os = llvm::outs();
  os << model << ": C (host) vs " << (expectedPath.empty() ? std::string("reference engine") : expectedPath) << ", " << result->outputs.size() << " output"
     << (result->outputs.size() == 1 ? "" : "s") << ", inputs "
     << (inputsPath.empty() ? std::string("pseudo-random") : "from " + inputsPath) << "\n"
     << "tolerance per element: |c - ref| <= " << sci(atolOpt) << " * max|ref| + " << sci(rtolOpt)
     << " * |ref|; rel err = max|c - ref| / max|ref|\n";
  size_t nameWidth = 6, shapeWidth = 5;
  for (const CTensorInfo &o : result->outputs) {
    nameWidth = std::max(nameWidth, o.name.size());
    shapeWidth = std::max(shapeWidth, engine::shapeString(o.shape).size());
  }
  os << llvm::left_justify("output", nameWidth) << "  " << llvm::left_justify("shape", shapeWidth)
     << "  max abs err  max rel err   max|ref|  result\n";
  bool allPass = true;
  std::vector<OutputDiff> diffs;
  for (size_t j = 0; j < result->outputs.size(); ++j) {
    const CTensorInfo &o = result->outputs[j];
    OutputDiff d = compareOutput((*c)[j], (*reference)[j], rtolOpt, atolOpt);
    std::string quantLine;
    if (stepOf[j] > 0) {
      // |c - ref| in steps: a histogram, and the pass test against --steps.
      std::map<int64_t, int64_t> hist;
      int64_t worst = 0;
      for (int64_t k = 0, n = (*reference)[j].numel(); k < n; ++k) {
        int64_t st = (int64_t)std::llround(std::fabs((*c)[j].at(k) - (*reference)[j].at(k)) / stepOf[j]);
        ++hist[st];
        worst = std::max(worst, st);
      }
      d.pass = worst <= (int64_t)stepsOpt;
      d.problem = "differs by " + std::to_string(worst) + " quantization steps (tolerance --steps " +
                  std::to_string(stepsOpt) + ")";
      std::string h;
      for (auto [st, count] : hist) h += (h.empty() ? "" : ", ") + std::to_string(count) + " x " + std::to_string(st);
      char step[32];
      std::snprintf(step, sizeof step, "%.4g", stepOf[j]);
      quantLine = "    quantized output (step " + std::string(step) + "); elements off by N steps: " + h + "\n";
    }
    allPass &= d.pass;
    os << llvm::left_justify(o.name, nameWidth) << "  "
       << llvm::left_justify(engine::shapeString(o.shape), shapeWidth) << "  "
       << llvm::format("%11.3g  %11.3g  %9.3g", d.maxAbs, d.maxRel, d.scale) << "  "
       << (d.pass ? "PASS" : "FAIL") << "\n";
    os << quantLine;
    if (!d.pass) os << "    " << d.problem << "\n";
    diffs.push_back(d);
  }
  if (floatModel) {
    // What quantization costs: the C code against the float model it came from.
    FailureOr<std::vector<Tensor>> f = engine::runFunction(theFunction(*floatModel), *inputs, err);
    if (succeeded(f))
      for (size_t j = 0; j < f->size() && j < c->size(); ++j) {
        OutputDiff q = compareOutput((*c)[j], (*f)[j], 0, 0);
        os << "quantization error of " << result->outputs[j].name << " (C int8 vs the float model): max abs "
           << llvm::format("%.3g", q.maxAbs) << ", rel " << llvm::format("%.3g", q.maxRel) << "\n";
      }
  }
  if (allPass) {
    os << "PASS\n";
    return 0;
  }

  // Where the difference comes from: the cleanup pipeline or the C backend.
  if (!expectedPath.empty()) {
    os << "FAIL\n";
    return 1;
  }
  FailureOr<std::vector<Tensor>> afterCleanup = engine::runFunction(theFunction(*cleaned), *inputs, err);
  if (succeeded(afterCleanup)) {
    bool cleanupOk = true, cMatchesCleaned = true;
    for (size_t j = 0; j < diffs.size(); ++j) {
      if (diffs[j].pass) continue;
      cleanupOk &= compareOutput((*afterCleanup)[j], (*reference)[j], rtolOpt, atolOpt).pass;
      cMatchesCleaned &= compareOutput((*c)[j], (*afterCleanup)[j], rtolOpt, atolOpt).pass;
    }
    // Quantized models: is the C code the integer IR it was generated from?
    FailureOr<std::vector<Tensor>> lowered = engine::runFunction(theFunction(*module), *inputs, err);
    if (succeeded(lowered) && cleanupOk) {
      bool cMatchesLowered = true;
      for (size_t j = 0; j < diffs.size(); ++j)
        cMatchesLowered &= compareOutput((*c)[j], (*lowered)[j], rtolOpt, atolOpt).pass;
      bool quantized = false;
      theFunction(*module).walk([&](Operation *op) { quantized |= isa<dnn::QConvOp, dnn::QFullyConnectedOp, dnn::QAddOp>(op); });
      if (quantized && cMatchesLowered) {
        os << "note: the C code matches the engine on the integer IR it was generated from: the "
              "difference is the integer arithmetic's (one rounding per op, within a step of the "
              "reference per op; later layers can amplify a one-step difference)\n";
        os << "FAIL\n";
        return 1;
      }
    }
    if (!cleanupOk && cMatchesCleaned)
      os << "note: the engine on the cleaned-up IR agrees with the C code: the cleanup pipeline changed the "
            "result\n";
    else if (cleanupOk)
      os << "note: the engine on the cleaned-up IR agrees with the imported model: the C backend or runtime "
            "is at fault\n";
  }
  os << "FAIL\n";
  return 1;
}
