//===- onnx_conformance.cpp - ONNX conformance: import + numerical check ---===//
//
// Usage: dnnopt-onnx-conformance [--verbose] [--log FILE] TEST_DIR_OR_ROOT...
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
// Prints the counts (imported / cleanly rejected / other errors / crashed, and
// matched / mismatched / not evaluated) and fails on any crash, other error or
// mismatch.
//
//===----------------------------------------------------------------------===//
#include "engine/Interpreter.h"
#include "frontend/OnnxImporter.h"
#include "frontend/OnnxTensors.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
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
  FrozenMatched = 6, Crashed = 7
};
const char *kOutcomeNames[] = {"matched", "rejected", "error", "imported (no data)", "not evaluated",
                               "MISMATCH", "matched with frozen inputs", "CRASHED"};

/// Evaluates `func` on one data set and compares; NotEvaluated / Mismatch / Matched.
Outcome evaluateSet(func::FuncOp func, MLIRContext &ctx, const std::string &set,
                    const std::vector<bool> &skipInput, std::string &message) {
  std::vector<Tensor> inputs, expected;
  std::string err;
  size_t k = 0;
  for (const std::string &f : sortedEntries(set, "input_")) {
    bool skip = k < skipInput.size() && skipInput[k];
    ++k;
    if (skip) continue;
    auto t = loadPb(f, ctx, err);
    if (failed(t)) break;
    inputs.push_back(std::move(*t));
  }
  for (const std::string &f : sortedEntries(set, "output_")) {
    auto t = loadPb(f, ctx, err);
    if (failed(t)) break;
    expected.push_back(std::move(*t));
  }
  if (!err.empty()) {
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
      bool freeze = (elt == onnx::TensorProto::INT64 || elt == onnx::TensorProto::INT32) && k < files.size();
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
  }
  return anySet ? FrozenMatched : Rejected;
}

/// Imports and checks one test folder; `message` explains anything but a match.
Outcome checkModel(const std::string &dir, std::string &message) {
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
    if (llvm::StringRef(diagnostics).contains("non-constant")) return checkFrozen(dir, message);
    return llvm::StringRef(diagnostics).contains("unsupported") ? Rejected : Error;
  }
  if (failed(verify(*module))) {
    message = "imported IR does not verify: " + diagnostics;
    return Error;
  }
  func::FuncOp func;
  module->walk([&](func::FuncOp f) { func = f; });
  bool anySet = false;
  for (const std::string &set : sortedEntries(dir, "test_data_set_")) {
    anySet = true;
    Outcome o = evaluateSet(func, ctx, set, {}, message);
    if (o != Matched) return o;
  }
  return anySet ? Matched : NoData;
}

/// Runs checkModel in a child process; a signal or unexpected exit is a crash.
Outcome checkIsolated(const std::string &dir, std::string &message) {
  int fds[2];
  if (pipe(fds) != 0) return checkModel(dir, message);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string msg;
    Outcome o = checkModel(dir, msg);
    msg = msg.substr(0, 400);
    ssize_t ignored = write(fds[1], msg.data(), msg.size());
    (void)ignored;
    close(fds[1]);
    _exit((int)o);
  }
  close(fds[1]);
  char buf[512];
  ssize_t n;
  message.clear();
  while ((n = read(fds[0], buf, sizeof buf)) > 0) message.append(buf, (size_t)n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    message = "killed by signal " + std::to_string(WTERMSIG(status)) + " " + message;
    return Crashed;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code < Matched || code > FrozenMatched) {
    message = "exit code " + std::to_string(code) + " " + message;
    return Crashed;
  }
  return (Outcome)code;
}
} // namespace

int main(int argc, char **argv) {
  bool verbose = false;
  std::string logPath;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--verbose] [--log FILE] TEST_DIR_OR_ROOT...\n", argv[0]);
      return 0;
    }
    if (a == "--verbose") { verbose = true; continue; }
    if (a == "--log" && i + 1 < argc) { logPath = argv[++i]; continue; }
    if (fs::exists(a + "/model.onnx")) dirs.push_back(a);
    else
      for (const std::string &d : sortedEntries(a, ""))
        if (fs::exists(d + "/model.onnx")) dirs.push_back(d);
  }
  std::sort(dirs.begin(), dirs.end());
  std::map<Outcome, int> counts;
  std::map<std::string, int> rejectedOps;
  std::ofstream log;
  if (!logPath.empty()) log.open(logPath);
  for (const std::string &dir : dirs) {
    std::string message;
    Outcome o = checkIsolated(dir, message);
    ++counts[o];
    std::string name = llvm::sys::path::filename(llvm::sys::path::parent_path(dir)).str() + "/" +
                       llvm::sys::path::filename(dir).str();
    std::string line = std::string(kOutcomeNames[o]) + " " + name + (message.empty() ? "" : " :: " + message);
    if (log.is_open()) log << line << "\n";
    if (o == Error || o == Crashed || o == Mismatch || verbose) std::printf("%s\n", line.c_str());
    size_t at = message.find("unsupported operator ");
    if (o == Rejected && at != std::string::npos)
      ++rejectedOps[message.substr(at + 21, message.find(' ', at + 21) - at - 21)];
  }
  int imported = counts[Matched] + counts[NoData] + counts[NotEvaluated] + counts[Mismatch] +
                 counts[FrozenMatched];
  std::printf("conformance: %zu models: %d imported, %d cleanly rejected (unsupported), %d other errors, %d crashed\n",
              dirs.size(), imported, counts[Rejected], counts[Error], counts[Crashed]);
  std::printf("reference engine on the imported models: %d match the ONNX outputs (%d of them with "
              "static inputs frozen from the test data), %d mismatch, %d not evaluated, %d without data\n",
              counts[Matched] + counts[FrozenMatched], counts[FrozenMatched], counts[Mismatch],
              counts[NotEvaluated], counts[NoData]);
  std::vector<std::pair<int, std::string>> top;
  for (auto &[op, n] : rejectedOps) top.push_back({-n, op});
  std::sort(top.begin(), top.end());
  std::printf("most rejected operators:");
  for (size_t i = 0; i < top.size() && i < 12; ++i) std::printf(" %s(%d)", top[i].second.c_str(), -top[i].first);
  std::printf("\n");
  int failedCount = counts[Error] + counts[Crashed] + counts[Mismatch];
  std::printf("%d passed, %d failed\n", (int)dirs.size() - failedCount, failedCount);
  return failedCount ? 1 : 0;
}
