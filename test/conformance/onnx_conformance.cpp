//===- onnx_conformance.cpp - ONNX conformance: import + numerical check ---===//
//
// Usage: dnnopt-onnx-conformance [--verbose] [--log FILE] [--jobs N]
//                                [--through-c [--sanitize] [--keep-failed DIR]]
//                                TEST_DIR_OR_ROOT...
//
// For every ONNX backend test folder (model.onnx + test_data_set_*/input_*.pb,
// output_*.pb), in a forked child process (so a crash is counted, not fatal):
//   1. imports the model and verifies the IR; a rejection must be a clean
//      "unsupported ..." error naming the op or type, any other error counts;
//      A model rejected only because a static parameter (slice starts, split
//      sizes, ...) is a graph input is re-imported with those integer inputs
//      frozen to each data set's values;
//   2. evaluates the imported function with dnnopt's reference engine on every
//      data set and compares with the expected outputs: floats within
//      |got - want| <= 1e-5 + 1e-4 * |want| (NaN matches NaN), integers exactly.
//   3. with --through-c, for every model the engine matches: runs the cleanup
//      pipeline, compiles with the C backend (emitC), builds with
//      `cc -std=c99 -O1 -Wall -Werror` (--sanitize: + ASan/UBSan) and a harness
//      (backends/c/HostRun.h), runs every data set and compares with the expected
//      outputs: floats within 1e-5 * max|want| + 1e-4 * |want|, integers exactly.
//      A model the backend rejects with an "unsupported ..." diagnostic is counted
//      as C-unsupported (the reasons are tallied); any other emitC error, build or
//      run failure, or mismatch fails.
// Prints the counts (imported / cleanly rejected / other errors / crashed, and
// matched / mismatched / not evaluated, and through C) and fails on any crash,
// other error or mismatch. --jobs N checks N models at a time.
//
//===----------------------------------------------------------------------===//
#include "backends/c/CEmitter.h"
#include "backends/c/HostRun.h"
#include "engine/Interpreter.h"
#include "frontend/OnnxImporter.h"
#include "frontend/OnnxTensors.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
namespace fs = llvm::sys::fs;
using dnnopt::engine::Tensor;

namespace {
/// --through-c and its options (set once in main, read by the children).
struct CStage {
  bool enabled = false;
  dnnopt::HostRunOptions host;
  std::string keepFailed; ///< keep the build folders of failing models here
} cStage;

std::vector<std::string> sortedEntries(const std::string &dir, const std::string &prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    std::string name = llvm::sys::path::filename(it->path()).str();
    if (llvm::StringRef(name).starts_with(prefix)) out.push_back(it->path());
  }
  // Numeric order: input_2 before input_10.
  std::sort(out.begin(), out.end(), [](const std::string &a, const std::string &b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return out;
}

FailureOr<Tensor> loadPb(const std::string &path, MLIRContext &ctx, std::string &err) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  onnx::TensorProto proto;
  if (!buf || !proto.ParseFromArray((*buf)->getBufferStart(), (int)(*buf)->getBufferSize())) {
    err = path + ": cannot read TensorProto";
    return failure();
  }
  dnnopt::onnximport::ExternalDataContext ext;
  DenseElementsAttr attr = dnnopt::onnximport::decodeTensor(proto, ext, &ctx, err);
  if (!attr) return failure();
  auto t = Tensor::fromAttr(attr);
  if (failed(t)) err = path + ": unsupported element type";
  return t;
}

/// Empty when equal, else a description of the first mismatch.
std::string compare(const Tensor &got, const Tensor &want) {
  if (got.shape != want.shape)
    return "shape " + dnnopt::engine::shapeString(got.shape) + " vs expected " +
           dnnopt::engine::shapeString(want.shape);
  for (int64_t k = 0; k < got.numel(); ++k) {
    double g = got.at(k), w = want.at(k);
    bool ok = dnnopt::engine::isFloat(want.dtype)
                  ? (std::isnan(w) ? std::isnan(g) : (g == w || std::fabs(g - w) <= 1e-5 + 1e-4 * std::fabs(w)))
                  : g == w;
    if (!ok) {
      char buf[160];
      snprintf(buf, sizeof buf, "element %lld: got %.8g, expected %.8g", (long long)k, g, w);
      return buf;
    }
  }
  return "";
}

enum Outcome {
  Matched = 0, Rejected = 1, Error = 2, NoData = 3, NotEvaluated = 4, Mismatch = 5,
  FrozenMatched = 6, Crashed = 7,
  // --through-c, for models the engine matches:
  CMatched = 8, CUnsupported = 9, CError = 10, CBuildOrRunFailed = 11, CMismatch = 12,
  NumOutcomes
};
const char *kOutcomeNames[] = {"matched", "rejected", "error", "imported (no data)", "not evaluated",
                               "MISMATCH", "matched with frozen inputs", "CRASHED",
                               "matched through C", "C-unsupported", "C ERROR", "C BUILD/RUN FAILED",
                               "C MISMATCH"};
/// Added to a child's exit code when the model needed frozen inputs (checkFrozen).
constexpr int kFrozenBit = 32;

bool isCOutcome(Outcome o) { return o >= CMatched && o < NumOutcomes; }

/// The inputs (but those flagged in `skipInput`) and expected outputs of a data set.
bool loadSet(MLIRContext &ctx, const std::string &set, const std::vector<bool> &skipInput,
             std::vector<Tensor> &inputs, std::vector<Tensor> &expected, std::string &err) {
  size_t k = 0;
  for (const std::string &f : sortedEntries(set, "input_")) {
    bool skip = k < skipInput.size() && skipInput[k];
    ++k;
    if (skip) continue;
    auto t = loadPb(f, ctx, err);
    if (failed(t)) return false;
    inputs.push_back(std::move(*t));
  }
  for (const std::string &f : sortedEntries(set, "output_")) {
    auto t = loadPb(f, ctx, err);
    if (failed(t)) return false;
    expected.push_back(std::move(*t));
  }
  return true;
}

/// Evaluates `func` on one data set and compares; NotEvaluated / Mismatch / Matched.
Outcome evaluateSet(func::FuncOp func, MLIRContext &ctx, const std::string &set,
                    const std::vector<bool> &skipInput, std::string &message) {
  std::vector<Tensor> inputs, expected;
  std::string err;
  if (!loadSet(ctx, set, skipInput, inputs, expected, err)) {
    message = err;
    return NotEvaluated;
  }
  auto outputs = dnnopt::engine::runFunction(func, inputs, err);
  if (failed(outputs)) {
    message = err;
    return NotEvaluated;
  }
  if (outputs->size() != expected.size()) {
    message = "produced " + std::to_string(outputs->size()) + " outputs, expected " +
              std::to_string(expected.size());
    return Mismatch;
  }
  for (size_t o = 0; o < expected.size(); ++o) {
    std::string diff = compare((*outputs)[o], expected[o]);
    if (!diff.empty()) {
      message = llvm::sys::path::filename(set).str() + " output " + std::to_string(o) + ": " + diff;
      return Mismatch;
    }
  }
  return Matched;
}

/// The C stage: cleans up and compiles `module` (as imported) like `dnnopt compile`,
/// builds and runs it on each data set in `sets` (the inputs flagged in `skip`
/// are frozen into the model) and compares with the expected outputs.
Outcome checkThroughC(ModuleOp module, const std::string &dir, const std::vector<std::string> &sets,
                      const std::vector<bool> &skip, std::string &message) {
  MLIRContext &ctx = *module.getContext();
  std::string diagnostics;
  ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
    if (diagnostics.empty() && d.getSeverity() == DiagnosticSeverity::Error) diagnostics = d.str();
    return success();
  });
  PassManager pm(&ctx);
  dnnopt::buildCleanupPipeline(pm);
  if (failed(pm.run(module))) {
    message = "cleanup pipeline failed: " + diagnostics;
    return CError;
  }
  // Integer outputs of quantized ops may differ from ONNX's by one step (the int8
  // kernels' fixed-point requantization, docs/quantization.md).
  bool quantized = false;
  module.walk([&](Operation *op) {
    quantized |= isa<dnnopt::dnn::QuantizeLinearOp, dnnopt::dnn::QLinearConvOp,
                     dnnopt::dnn::QLinearMatMulOp>(op);
  });
  dnnopt::CCompileOptions options;
  options.name = "model";
  FailureOr<dnnopt::CCompileResult> c = dnnopt::emitC(module, options);
  if (failed(c)) {
    message = diagnostics;
    return llvm::StringRef(diagnostics).contains("unsupported") ? CUnsupported : CError;
  }
  dnnopt::HostRunOptions host = cStage.host;
  std::string name = llvm::sys::path::filename(llvm::sys::path::parent_path(dir)).str() + "-" +
                     llvm::sys::path::filename(dir).str();
  for (const std::string &set : sets) {
    std::vector<Tensor> inputs, expected;
    std::string err;
    if (!loadSet(ctx, set, skip, inputs, expected, err)) {
      message = err;
      return CError;
    }
    std::string setName = llvm::sys::path::filename(set).str();
    if (!cStage.keepFailed.empty()) host.keepDir = cStage.keepFailed + "/" + name + "-" + setName;
    auto outputs = dnnopt::runOnHost(*c, options.name, inputs, host, err);
    if (failed(outputs)) {
      message = setName + ": " + err;
      return CBuildOrRunFailed;
    }
    if (outputs->size() != expected.size()) {
      message = setName + ": C code gives " + std::to_string(outputs->size()) + " outputs, expected " +
                std::to_string(expected.size());
      return CMismatch;
    }
    for (size_t o = 0; o < expected.size(); ++o) {
      dnnopt::OutputDiff d = dnnopt::compareOutput((*outputs)[o], expected[o], 1e-4, 1e-5,
                                                     quantized ? 1 : 0);
      if (!d.pass) {
        message = setName + " output " + std::to_string(o) + ": " + d.problem;
        return CMismatch;
      }
    }
    if (!host.keepDir.empty()) llvm::sys::fs::remove_directories(host.keepDir);
  }
  return CMatched;
}

/// Graph inputs that feed a quantization parameter (scale, zero point) or the
/// weights / bias of a QLinear op: a deployed quantized model has them as
/// initializers, and the integer lowering needs them at compile time.
std::set<std::string> quantParameterInputs(const onnx::GraphProto &g) {
  static const std::map<std::string, std::vector<int>> positions = {
      {"QuantizeLinear", {1, 2}},
      {"DequantizeLinear", {1, 2}},
      {"QLinearConv", {1, 2, 3, 4, 5, 6, 7, 8}},
      {"QLinearMatMul", {1, 2, 3, 4, 5, 6, 7}}};
  std::set<std::string> inputs, out;
  for (const auto &in : g.input()) inputs.insert(in.name());
  for (const auto &init : g.initializer()) inputs.erase(init.name());
  for (const auto &node : g.node()) {
    auto it = positions.find(node.op_type());
    if (it == positions.end()) continue;
    for (int k : it->second)
      if (k < node.input_size() && inputs.count(node.input(k))) out.insert(node.input(k));
  }
  return out;
}

/// Node tests often pass static parameters (slice starts, split sizes, shapes) as
/// graph inputs. A compiler needs them at compile time, so this re-imports the
/// model once per data set with every integer graph input turned into an
/// initializer holding that set's value, and checks the result on the rest.
Outcome checkFrozen(const std::string &dir, std::string &message) {
  auto buf = llvm::MemoryBuffer::getFile(dir + "/model.onnx");
  onnx::ModelProto original;
  if (!buf || !original.ParseFromArray((*buf)->getBufferStart(), (int)(*buf)->getBufferSize()))
    return Rejected;
  std::string firstMessage = message;
  bool anySet = false;
  for (const std::string &set : sortedEntries(dir, "test_data_set_")) {
    anySet = true;
    onnx::ModelProto model = original;
    onnx::GraphProto *g = model.mutable_graph();
    std::set<std::string> initialized;
    for (const auto &init : g->initializer()) initialized.insert(init.name());
    std::set<std::string> quantParams = quantParameterInputs(*g);
    std::vector<std::string> files = sortedEntries(set, "input_");
    std::vector<bool> frozen;
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> kept;
    size_t k = 0;
    for (const auto &in : g->input()) {
      if (initialized.count(in.name())) {
        kept.Add()->CopyFrom(in);
        continue;
      }
      int elt = in.type().tensor_type().elem_type();
      bool freeze = (elt == onnx::TensorProto::INT64 || elt == onnx::TensorProto::INT32 ||
                     quantParams.count(in.name())) &&
                    k < files.size();
      if (freeze) {
        auto data = llvm::MemoryBuffer::getFile(files[k]);
        onnx::TensorProto t;
        if (!data || !t.ParseFromArray((*data)->getBufferStart(), (int)(*data)->getBufferSize()))
          return Rejected;
        t.set_name(in.name());
        *g->add_initializer() = t;
      } else {
        kept.Add()->CopyFrom(in);
      }
      frozen.push_back(freeze);
      ++k;
    }
    *g->mutable_input() = kept;
    MLIRContext ctx;
    dnnopt::loadImporterDialects(ctx);
    ctx.printOpOnDiagnostic(false);
    std::string diagnostics;
    ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
      if (diagnostics.empty()) diagnostics = d.str();
      return success();
    });
    OwningOpRef<ModuleOp> module = dnnopt::importOnnxBytes(model.SerializeAsString(), dir, dir, ctx);
    if (!module) {
      message = firstMessage + " (frozen: " + diagnostics + ")";
      return llvm::StringRef(diagnostics).contains("unsupported") ? Rejected : Error;
    }
    if (failed(verify(*module))) {
      message = "imported IR does not verify: " + diagnostics;
      return Error;
    }
    func::FuncOp func;
    module->walk([&](func::FuncOp f) { func = f; });
    Outcome o = evaluateSet(func, ctx, set, frozen, message);
    if (o != Matched) return o;
    if (cStage.enabled) {
      o = checkThroughC(*module, dir, {set}, frozen, message);
      if (o != CMatched) return o;
    }
  }
  if (!anySet) return Rejected;
  return cStage.enabled ? CMatched : FrozenMatched;
}

/// Imports and checks one test folder; `message` explains anything but a match.
/// `frozen` tells whether the model was checked with frozen inputs (checkFrozen).
Outcome checkModel(const std::string &dir, std::string &message, bool &frozen) {
  MLIRContext ctx;
  dnnopt::loadImporterDialects(ctx);
  ctx.printOpOnDiagnostic(false);
  std::string diagnostics;
  ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
    if (diagnostics.empty()) diagnostics = d.str();
    return success();
  });
  OwningOpRef<ModuleOp> module = dnnopt::importOnnxFile(dir + "/model.onnx", ctx);
  if (!module) {
    message = diagnostics;
    if (llvm::StringRef(diagnostics).contains("non-constant")) {
      frozen = true;
      return checkFrozen(dir, message);
    }
    return llvm::StringRef(diagnostics).contains("unsupported") ? Rejected : Error;
  }
  if (failed(verify(*module))) {
    message = "imported IR does not verify: " + diagnostics;
    return Error;
  }
  func::FuncOp func;
  module->walk([&](func::FuncOp f) { func = f; });
  std::vector<std::string> sets = sortedEntries(dir, "test_data_set_");
  for (const std::string &set : sets) {
    Outcome o = evaluateSet(func, ctx, set, {}, message);
    if (o != Matched) return o;
  }
  if (sets.empty()) return NoData;
  if (!cStage.enabled) return Matched;
  // Quantization parameters given as graph inputs: the C stage compiles them frozen.
  auto buf = llvm::MemoryBuffer::getFile(dir + "/model.onnx");
  onnx::ModelProto proto;
  if (buf && proto.ParseFromArray((*buf)->getBufferStart(), (int)(*buf)->getBufferSize()) &&
      !quantParameterInputs(proto.graph()).empty()) {
    frozen = true;
    return checkFrozen(dir, message);
  }
  return checkThroughC(*module, dir, sets, {}, message);
}

/// A model being checked in a child process.
struct Child {
  size_t index;
  int fd; ///< read end of the pipe carrying the child's message
};

/// Starts checkModel(dir) in a child process, which reports through its exit code
/// (the Outcome, plus kFrozenBit) and a message on a pipe (short enough never to
/// block). Returns the pid, or -1 when it cannot fork (then `o`, `frozen` and
/// `message` are the result of checking in this process).
pid_t startChild(const std::string &dir, int &fd, Outcome &o, bool &frozen, std::string &message) {
  int fds[2];
  if (pipe(fds) != 0) {
    o = checkModel(dir, message, frozen);
    return -1;
  }
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string msg;
    Outcome result = checkModel(dir, msg, frozen);
    msg = msg.substr(0, 400);
    ssize_t ignored = write(fds[1], msg.data(), msg.size());
    (void)ignored;
    close(fds[1]);
    _exit((int)result + (frozen ? kFrozenBit : 0));
  }
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    o = checkModel(dir, message, frozen);
    return -1;
  }
  fd = fds[0];
  return pid;
}

/// The outcome of a finished child; a signal or unexpected exit is a crash.
Outcome finishChild(int fd, int status, bool &frozen, std::string &message) {
  char buf[512];
  ssize_t n;
  message.clear();
  while ((n = read(fd, buf, sizeof buf)) > 0) message.append(buf, (size_t)n);
  close(fd);
  frozen = false;
  if (WIFSIGNALED(status)) {
    message = "killed by signal " + std::to_string(WTERMSIG(status)) + " " + message;
    return Crashed;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code >= kFrozenBit) {
    frozen = true;
    code -= kFrozenBit;
  }
  if (code < Matched || code >= NumOutcomes || code == Crashed) {
    message = "exit code " + std::to_string(code) + " " + message;
    return Crashed;
  }
  return (Outcome)code;
}

/// The histogram key of a C-unsupported diagnostic: the message without the
/// "C backend: " prefix, tensor names (" ('x')") and indices ("input 3"), with the
/// element type in "element type T" replaced by <T> and returned in `type` (so one
/// row per op lists every type it lacks).
std::string unsupportedReason(const std::string &message, std::string &type) {
  const size_t npos = std::string::npos;
  std::string r = message;
  if (size_t at = r.find("C backend: "); at != npos) r = r.substr(at + 11);
  for (size_t at; (at = r.find(" ('")) != npos;) {
    size_t end = r.find("')", at);
    if (end == npos) break;
    r.erase(at, end + 2 - at);
  }
  for (std::string word : {"input ", "output "})
    for (size_t at = 0; (at = r.find(word, at)) != npos;) {
      size_t digits = at + word.size(), end = digits;
      while (end < r.size() && std::isdigit((unsigned char)r[end])) ++end;
      if (end > digits) r.erase(digits - 1, end - digits + 1);
      at = digits - 1;
    }
  type.clear();
  if (size_t at = r.find("element type "); at != npos) {
    size_t begin = at + 13, end = std::min(r.find(' ', begin), r.size());
    type = r.substr(begin, end - begin);
    type.erase(std::remove(type.begin(), type.end(), '\''), type.end());
    r.replace(begin, end - begin, "<T>");
  }
  return r;
}
} // namespace

int main(int argc, char **argv) {
  auto started = std::chrono::steady_clock::now();
  bool verbose = false, sanitize = false;
  std::string logPath;
  size_t jobs = 1;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--verbose] [--log FILE] [--jobs N] [--through-c [--sanitize] "
                  "[--keep-failed DIR]] TEST_DIR_OR_ROOT...\n"
                  "  --through-c        also compile every model the engine matches to C, build it with\n"
                  "                     $CC (default cc) -std=c99 -O1 -Wall -Werror, run it on the test data\n"
                  "  --sanitize         build the C code with -fsanitize=address,undefined\n"
                  "  --keep-failed DIR  keep the build folder of every C failure in DIR\n"
                  "  --jobs N           check N models at a time\n",
                  argv[0]);
      return 0;
    }
    if (a == "--verbose") { verbose = true; continue; }
    if (a == "--log" && i + 1 < argc) { logPath = argv[++i]; continue; }
    if (a == "--through-c") { cStage.enabled = true; continue; }
    if (a == "--sanitize") { sanitize = true; continue; }
    if (a == "--keep-failed" && i + 1 < argc) { cStage.keepFailed = argv[++i]; continue; }
    if (a == "--jobs" && i + 1 < argc) { jobs = std::max(1, std::atoi(argv[++i])); continue; }
    if (fs::exists(a + "/model.onnx")) dirs.push_back(a);
    else
      for (const std::string &d : sortedEntries(a, ""))
        if (fs::exists(d + "/model.onnx")) dirs.push_back(d);
  }
  std::sort(dirs.begin(), dirs.end());

  // The C stage's build settings; the runtime kernels are compiled once into a
  // cache shared by all children.
  llvm::SmallString<128> objectCache;
  if (cStage.enabled) {
    cStage.host.optLevel = "-O1";
    if (sanitize) cStage.host.extraFlags = dnnopt::hostSanitizerFlags();
    if (fs::createUniqueDirectory("dnnopt-conformance-objects", objectCache)) {
      std::fprintf(stderr, "cannot create a temporary folder\n");
      return 1;
    }
    cStage.host.objectCacheDir = objectCache.str().str();
    if (!cStage.keepFailed.empty()) fs::create_directories(cStage.keepFailed);
  }

  // Up to `jobs` children at a time; results are reported in model order.
  std::vector<Outcome> outcomes(dirs.size());
  std::vector<char> frozen(dirs.size(), 0);
  std::vector<std::string> messages(dirs.size());
  std::map<pid_t, Child> running;
  for (size_t next = 0; next < dirs.size() || !running.empty();) {
    while (running.size() < jobs && next < dirs.size()) {
      int fd = -1;
      bool f = false;
      pid_t pid = startChild(dirs[next], fd, outcomes[next], f, messages[next]);
      frozen[next] = f;
      if (pid > 0) running[pid] = {next, fd};
      ++next;
    }
    if (running.empty()) continue;
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    auto it = running.find(pid);
    if (it == running.end()) continue;
    size_t k = it->second.index;
    bool f = false;
    outcomes[k] = finishChild(it->second.fd, status, f, messages[k]);
    frozen[k] = f;
    running.erase(it);
  }
  if (!objectCache.empty()) fs::remove_directories(objectCache);

  std::map<Outcome, int> counts;
  std::map<std::string, int> rejectedOps, cReasons;
  std::map<std::string, std::set<std::string>> cReasonTypes;
  int frozenCount = 0;
  std::ofstream log;
  if (!logPath.empty()) log.open(logPath);
  for (size_t k = 0; k < dirs.size(); ++k) {
    const std::string &dir = dirs[k], &message = messages[k];
    Outcome o = outcomes[k];
    ++counts[o];
    frozenCount += frozen[k] && (o == FrozenMatched || isCOutcome(o));
    std::string name = llvm::sys::path::filename(llvm::sys::path::parent_path(dir)).str() + "/" +
                       llvm::sys::path::filename(dir).str();
    std::string line = std::string(kOutcomeNames[o]) + " " + name + (message.empty() ? "" : " :: " + message);
    if (log.is_open()) log << line << "\n";
    bool failure = o == Error || o == Crashed || o == Mismatch || o == CError || o == CBuildOrRunFailed ||
                   o == CMismatch;
    if (failure || verbose) std::printf("%s\n", line.c_str());
    size_t at = message.find("unsupported operator ");
    if (o == Rejected && at != std::string::npos)
      ++rejectedOps[message.substr(at + 21, message.find(' ', at + 21) - at - 21)];
    if (o == CUnsupported) {
      std::string type, reason = unsupportedReason(message, type);
      ++cReasons[reason];
      if (!type.empty()) cReasonTypes[reason].insert(type);
    }
  }
  int throughC = counts[CMatched] + counts[CUnsupported] + counts[CError] + counts[CBuildOrRunFailed] +
                 counts[CMismatch];
  int imported = counts[Matched] + counts[NoData] + counts[NotEvaluated] + counts[Mismatch] +
                 counts[FrozenMatched] + throughC;
  std::printf("conformance: %zu models: %d imported, %d cleanly rejected (unsupported), %d other errors, %d crashed\n",
              dirs.size(), imported, counts[Rejected], counts[Error], counts[Crashed]);
  std::printf("reference engine on the imported models: %d match the ONNX outputs (%d of them with "
              "static inputs frozen from the test data), %d mismatch, %d not evaluated, %d without data\n",
              counts[Matched] + counts[FrozenMatched] + throughC, frozenCount, counts[Mismatch],
              counts[NotEvaluated], counts[NoData]);
  std::vector<std::pair<int, std::string>> top;
  for (auto &[op, n] : rejectedOps) top.push_back({-n, op});
  std::sort(top.begin(), top.end());
  std::printf("most rejected operators:");
  for (size_t i = 0; i < top.size() && i < 12; ++i) std::printf(" %s(%d)", top[i].second.c_str(), -top[i].first);
  std::printf("\n");
  if (cStage.enabled) {
    std::printf("through C (cc -std=c99 -O1 -Wall -Werror%s) on the %d models the engine matches: %d match the "
                "ONNX outputs, %d C-unsupported, %d C errors, %d build/run failures, %d mismatch\n",
                sanitize ? " -fsanitize=address,undefined" : "", throughC, counts[CMatched], counts[CUnsupported],
                counts[CError], counts[CBuildOrRunFailed], counts[CMismatch]);
    std::vector<std::pair<int, std::string>> reasons;
    for (auto &[r, n] : cReasons) reasons.push_back({-n, r});
    std::sort(reasons.begin(), reasons.end());
    std::printf("C-unsupported reasons:\n");
    for (auto &[n, r] : reasons) {
      std::string types;
      for (const std::string &t : cReasonTypes[r]) types += " " + t;
      std::printf("  %4d  %s%s%s\n", -n, r.c_str(), types.empty() ? "" : "; T:", types.c_str());
    }
  }
  int failedCount = counts[Error] + counts[Crashed] + counts[Mismatch] + counts[CError] +
                    counts[CBuildOrRunFailed] + counts[CMismatch];
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%d passed, %d failed (%.0f s, %zu job%s)\n", (int)dirs.size() - failedCount, failedCount, seconds,
              jobs, jobs == 1 ? "" : "s");
  return failedCount ? 1 : 0;
}
