//===- onnx_eval.cpp - numerical conformance of importer + reference engine ===//
//
// Usage: dnnopt-onnx-eval [--verbose] TEST_DIR_OR_ROOT...
//
// For every ONNX backend test folder (model.onnx + test_data_set_*/input_*.pb,
// output_*.pb), imports the model, evaluates it with dnnopt's reference engine on
// each data set, and compares with the expected outputs: floats within
// |got - want| <= 1e-5 + 1e-4 * |want| (NaN matches NaN), integers exactly.
// Models the importer rejects are skipped (the import conformance run accounts
// for them). Any mismatch fails the run: it is a bug in the importer's
// normalization or in the engine.
//
//===----------------------------------------------------------------------===//
#include "engine/Interpreter.h"
#include "frontend/OnnxImporter.h"
#include "frontend/OnnxTensors.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

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
} // namespace

int main(int argc, char **argv) {
  bool verbose = false;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--verbose] TEST_DIR_OR_ROOT...\n", argv[0]);
      return 0;
    }
    if (a == "--verbose") { verbose = true; continue; }
    if (fs::exists(a + "/model.onnx")) dirs.push_back(a);
    else
      for (const std::string &d : sortedEntries(a, "")) if (fs::exists(d + "/model.onnx")) dirs.push_back(d);
  }
  std::sort(dirs.begin(), dirs.end());
  int matched = 0, mismatched = 0, skippedImport = 0, skippedEval = 0;
  for (const std::string &dir : dirs) {
    std::string name = llvm::sys::path::filename(dir).str();
    MLIRContext ctx;
    dnnopt::loadImporterDialects(ctx);
    ctx.printOpOnDiagnostic(false);
    ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
    OwningOpRef<ModuleOp> module = dnnopt::importOnnxFile(dir + "/model.onnx", ctx);
    if (!module) { ++skippedImport; continue; }
    func::FuncOp func;
    module->walk([&](func::FuncOp f) { func = f; });
    std::string problem;
    bool anySet = false, evalFailed = false;
    for (const std::string &set : sortedEntries(dir, "test_data_set_")) {
      anySet = true;
      std::vector<Tensor> inputs, expected;
      std::string err;
      for (const std::string &f : sortedEntries(set, "input_")) {
        auto t = loadPb(f, ctx, err);
        if (failed(t)) break;
        inputs.push_back(std::move(*t));
      }
      for (const std::string &f : sortedEntries(set, "output_")) {
        auto t = loadPb(f, ctx, err);
        if (failed(t)) break;
        expected.push_back(std::move(*t));
      }
      if (!err.empty()) { problem = err; evalFailed = true; break; }
      auto outputs = dnnopt::engine::runFunction(func, inputs, err);
      if (failed(outputs)) { problem = err; evalFailed = true; break; }
      if (outputs->size() != expected.size()) {
        problem = "produced " + std::to_string(outputs->size()) + " outputs, expected " + std::to_string(expected.size());
        break;
      }
      for (size_t o = 0; o < expected.size() && problem.empty(); ++o) {
        std::string diff = compare((*outputs)[o], expected[o]);
        if (!diff.empty()) problem = "output " + std::to_string(o) + ": " + diff;
      }
      if (!problem.empty()) break;
    }
    if (!anySet) continue;
    if (evalFailed) {
      ++skippedEval;
      if (verbose) std::printf("not evaluated %s: %s\n", name.c_str(), problem.c_str());
    } else if (!problem.empty()) {
      ++mismatched;
      std::printf("MISMATCH %s: %s\n", name.c_str(), problem.c_str());
    } else {
      ++matched;
      if (verbose) std::printf("ok %s\n", name.c_str());
    }
  }
  std::printf("onnx-eval: %d matched, %d mismatched, %d not evaluated by the engine, %d not imported\n",
              matched, mismatched, skippedEval, skippedImport);
  std::printf("%d passed, %d failed\n", matched, mismatched);
  return mismatched ? 1 : 0;
}
