//===- dnnopt-pass-equiv.cpp - numerical equivalence of a pass pipeline ---===//
//
// Test tool: `dnnopt-pass-equiv FILE.mlir --pipeline=PASSES` parses FILE, runs
// PASSES (a textual pipeline nested in builtin.module, e.g.
// `dnn-fold-batchnorm` or `dnn-cleanup`) on a copy, and evaluates every function
// of both versions with the reference engine on the same random inputs. For each
// function it prints
//   @name: changed|unchanged, equivalent (max abs diff D)
// or `@name: MISMATCH ...` and exits with 1. Lit tests FileCheck the lines, so a
// rewrite must both happen ("changed") and keep the numbers.
//
//===----------------------------------------------------------------------===//
#include "dialects/dnn/DnnDialect.h"
#include "engine/Interpreter.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <random>

using namespace mlir;
namespace cl = llvm::cl;
namespace engine = dnnopt::engine;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"), cl::Required);
static cl::opt<std::string> pipeline("pipeline", cl::desc("Pass pipeline to check"),
                                     cl::Required);
static cl::opt<unsigned> seed("seed", cl::desc("Random seed"), cl::init(1));
static cl::opt<unsigned> trials("trials", cl::desc("Random input sets per function"),
                                cl::init(3));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"), cl::init(1e-4));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"), cl::init(1e-5));

static std::string printed(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  op->print(os);
  return s;
}

static engine::Tensor randomInput(Type type, std::mt19937 &rng) {
  auto t = cast<RankedTensorType>(type);
  auto dt = engine::dtypeOf(t.getElementType());
  engine::Tensor x(succeeded(dt) ? *dt : engine::DType::F32,
                   std::vector<int64_t>(t.getShape().begin(), t.getShape().end()));
  std::uniform_real_distribution<float> real(-3.0f, 3.0f);
  std::uniform_int_distribution<int> integer(0, 3);
  for (int64_t k = 0, n = x.numel(); k < n; ++k)
    x.set(k, engine::isFloat(x.dtype) ? (double)real(rng) : (double)integer(rng));
  return x;
}

/// Largest |a - b| over the outputs; failure (with `why`) if shapes or types differ
/// or an element is out of tolerance.
static LogicalResult compare(const std::vector<engine::Tensor> &a,
                             const std::vector<engine::Tensor> &b, double &maxDiff,
                             std::string &why) {
  if (a.size() != b.size()) {
    why = "different number of results";
    return failure();
  }
  for (size_t r = 0; r < a.size(); ++r) {
    if (a[r].shape != b[r].shape || a[r].dtype != b[r].dtype) {
      why = "result " + std::to_string(r) + " has a different type";
      return failure();
    }
    for (int64_t k = 0, n = a[r].numel(); k < n; ++k) {
      double x = a[r].at(k), y = b[r].at(k);
      if (std::isnan(x) && std::isnan(y)) continue;
      if (x == y) continue;
      double d = std::fabs(x - y);
      if (!(d <= absTol + relTol * std::fabs(x))) {
        why = "result " + std::to_string(r) + " element " + std::to_string(k) + ": " +
              std::to_string(x) + " before, " + std::to_string(y) + " after";
        maxDiff = d;
        return failure();
      }
      maxDiff = std::max(maxDiff, d);
    }
  }
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  dnnopt::registerDnnoptPasses();
  cl::ParseCommandLineOptions(argc, argv, "dnnopt pass equivalence checker\n");

  DialectRegistry registry;
  registry.insert<dnnopt::dnn::DnnDialect, func::FuncDialect>();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
  OwningOpRef<ModuleOp> before = parseSourceFile<ModuleOp>(inputFile, sourceMgr, &ctx);
  if (!before) return 1;
  OwningOpRef<ModuleOp> after = before->clone();

  PassManager pm(&ctx);
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(pipeline, pm, errorStream))) {
    llvm::errs() << "bad pipeline: " << error << "\n";
    return 1;
  }
  if (failed(pm.run(*after))) {
    llvm::errs() << "pipeline failed\n";
    return 1;
  }

  std::mt19937 rng(seed);
  bool ok = true;
  for (auto f : before->getOps<func::FuncOp>()) {
    if (f.isExternal()) continue;
    auto g = after->lookupSymbol<func::FuncOp>(f.getSymName());
    if (!g) {
      llvm::outs() << "@" << f.getSymName() << ": MISSING after the pipeline\n";
      ok = false;
      continue;
    }
    bool changed = printed(f) != printed(g);
    double maxDiff = 0;
    std::string why;
    for (unsigned t = 0; t < trials && why.empty(); ++t) {
      std::vector<engine::Tensor> inputs;
      for (Type type : f.getArgumentTypes()) inputs.push_back(randomInput(type, rng));
      auto ra = engine::runFunction(f, inputs, error);
      if (failed(ra)) {
        why = "cannot evaluate the input: " + error;
        break;
      }
      auto rb = engine::runFunction(g, inputs, error);
      if (failed(rb)) {
        why = "cannot evaluate the result: " + error;
        break;
      }
      if (failed(compare(*ra, *rb, maxDiff, why))) break;
    }
    llvm::outs() << "@" << f.getSymName() << ": " << (changed ? "changed" : "unchanged") << ", ";
    if (why.empty()) {
      llvm::outs() << "equivalent (max abs diff " << maxDiff << ")\n";
    } else {
      llvm::outs() << "MISMATCH: " << why << "\n";
      ok = false;
    }
  }
  return ok ? 0 : 1;
}
