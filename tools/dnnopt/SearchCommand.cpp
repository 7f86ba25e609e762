//===- SearchCommand.cpp - `dnnopt search pit` ------------------------------===//
//
//   dnnopt search pit MODEL.onnx --data TRAIN.npz [--val VAL.npz] --cost params|macs
//                 (--lambda L | --target-size N | --lambda-sweep a,b,c) --epochs W,S,F
//                 [--lr LR] [--arch-lr LR2] [--batch B] [--seed S] [--loss mae|mse|huber|ce]
//                 -o OUT.onnx|OUT.mlir
//
// Imports the model WITHOUT the BatchNorm-folding cleanup (BatchNorm trains) and
// runs the PIT search (passes/search/PitSearch.h: warm-up, search, export,
// fine-tune) with one progress line per epoch and a seed-vs-found table. The
// found model is written as ONNX (frontend/OnnxExporter) or dnn IR (.mlir, read
// by every dnnopt subcommand), whole or not at all.
//
// --lambda-sweep runs the warm-up once, then one search per lambda from the
// warmed-up weights; each found model goes to OUT-lambda<L>.<ext>, and the Pareto
// front of (cost, validation metric) to OUT-pareto.csv / .svg (--pareto PREFIX).
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "LoadModel.h"
#include "Pareto.h"
#include "TextOutput.h"

#include "dialects/dnn/DnnStats.h"
#include "frontend/OnnxExporter.h"
#include "passes/Passes.h"
#include "passes/search/PitSearch.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>

namespace cl = llvm::cl;
using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::search;

namespace {
const char *const kCmd = "dnnopt search";

cl::SubCommand searchCmd("search", "Architecture search: `dnnopt search pit MODEL.onnx --data TRAIN.npz ...`");
cl::opt<std::string> methodOpt(cl::Positional, cl::desc("<method: pit>"), cl::Required, cl::sub(searchCmd));
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"), cl::Required, cl::sub(searchCmd));
cl::opt<std::string> dataPath("data", cl::desc("Training data (.npz with x, y [, x_val, y_val], or .csv)"),
                              cl::value_desc("TRAIN.npz"), cl::Required, cl::sub(searchCmd));
cl::opt<std::string> valPath("val", cl::desc("Validation data (.npz: x, y); default: x_val / y_val of --data, "
                                             "else a seeded 10% of the training data"),
                             cl::value_desc("VAL.npz"), cl::sub(searchCmd));
cl::opt<std::string> costOpt("cost", cl::desc("Hardware cost: params or macs"), cl::init("params"),
                             cl::sub(searchCmd));
cl::opt<double> lambdaOpt("lambda", cl::desc("Weight of the cost in task loss + lambda * cost"), cl::init(1e-5),
                          cl::sub(searchCmd));
cl::opt<double> targetOpt("target-size",
                          cl::desc("Search for a network of at most N params (or MACs with --cost macs): "
                                   "task loss + lambda_eff * max(0, cost - N), lambda derived from the "
                                   "warm-up loss and ramped (instead of --lambda)"),
                          cl::value_desc("N"), cl::init(0), cl::sub(searchCmd));
cl::opt<std::string> sweepOpt("lambda-sweep",
                              cl::desc("Run one search per lambda (shared warm-up), write each model as "
                                       "OUT-lambda<L>.<ext> and the Pareto front as CSV + SVG"),
                              cl::value_desc("a,b,c"), cl::sub(searchCmd));
cl::opt<std::string> paretoOpt("pareto", cl::desc("With --lambda-sweep: write PREFIX.csv and PREFIX.svg "
                                                  "(default: OUT without extension + '-pareto')"),
                               cl::value_desc("PREFIX"), cl::sub(searchCmd));
cl::opt<std::string> epochsOpt("epochs", cl::desc("Warm-up, search and fine-tune epochs"), cl::init("5,20,10"),
                               cl::value_desc("W,S,F"), cl::sub(searchCmd));
cl::opt<double> lrOpt("lr", cl::desc("Adam learning rate of the weights"), cl::init(1e-3), cl::sub(searchCmd));
cl::opt<double> archLrOpt("arch-lr", cl::desc("Adam learning rate of the PIT masks"), cl::init(1e-2),
                          cl::sub(searchCmd));
cl::opt<int> batchOpt("batch", cl::desc("Mini-batch size"), cl::init(32), cl::sub(searchCmd));
cl::opt<unsigned> seedOpt("seed", cl::desc("Shuffling seed"), cl::init(0), cl::sub(searchCmd));
cl::opt<std::string> lossOpt("loss", cl::desc("Task loss: mae, mse, huber, ce"), cl::init("mae"),
                             cl::sub(searchCmd));
cl::opt<std::string> outPath("o", cl::desc("Output model: ONNX (.onnx) or dnn IR (.mlir)"),
                             cl::value_desc("OUT.onnx"), cl::Required, cl::sub(searchCmd));
cl::list<std::string> inputShapes("input-shape", cl::desc("Static shape of a graph input (as for import)"),
                                  cl::value_desc("[name:]shape"), cl::sub(searchCmd));

struct Sizes {
  int64_t params = 0, macs = 0;
};

/// Parameters and MACs of the model as deployed (after the cleanup pipeline, BN folded).
Sizes deployedSizes(ModuleOp module) {
  OwningOpRef<ModuleOp> c = module.clone();
  PassManager pm(module.getContext());
  buildCleanupPipeline(pm);
  if (failed(pm.run(*c))) return {};
  dnn::ModelStats s = dnn::computeModelStats(*c);
  return {s.parameters, s.macs};
}

func::FuncOp mainFunction(ModuleOp module) {
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isDeclaration()) return f;
  return {};
}

/// ONNX or dnn IR by extension, written whole or not at all.
bool writeModel(ModuleOp module, llvm::StringRef path) {
  std::string contents, err;
  if (path.ends_with(".onnx")) {
    if (failed(exportOnnx(module, contents, err))) {
      llvm::errs() << kCmd << ": ONNX export: " << err << "\n";
      return false;
    }
  } else {
    llvm::raw_string_ostream text(contents);
    module->print(text, OpPrintingFlags().enableDebugInfo(/*enable=*/true, /*pretty=*/false));
  }
  return driver::writeFile(path, kCmd, [&](llvm::raw_ostream &os) { os << contents; });
}

std::string shapeText(const PitLayerShape &l) {
  return std::to_string(l.cout) + "/" + std::to_string(l.kernel) + "/" + std::to_string(l.dilation);
}

void printSummary(const Sizes &seed, const Sizes &found, const PitSearchResult &r, const char *metric) {
  auto &os = llvm::outs();
  os << "\n" << llvm::format("%-28s %14s %14s\n", "", "seed", "found");
  os << llvm::format("%-28s %14lld %14lld   (%.2fx)\n", "params (deployed)", (long long)seed.params,
                     (long long)found.params, (double)seed.params / std::max<int64_t>(1, found.params));
  os << llvm::format("%-28s %14lld %14lld   (%.2fx)\n", "MACs", (long long)seed.macs, (long long)found.macs,
                     (double)seed.macs / std::max<int64_t>(1, found.macs));
  std::string m = std::string("val ") + metric;
  os << llvm::format("%-28s %14.4f %14.4f\n", m.c_str(), r.seedMetric, r.foundMetric);
  os << llvm::format("%-28s %14s %14s\n", "layer", "Cout/k/d", "Cout/k/d");
  for (size_t i = 0; i < r.seedLayers.size(); ++i)
    os << llvm::format("%-28s %14s %14s\n", r.seedLayers[i].name.c_str(), shapeText(r.seedLayers[i]).c_str(),
                       shapeText(r.foundLayers[i]).c_str());
  os << "(seed val metric: after warm-up)\n";
}

/// "a,b,c" -> positive doubles.
FailureOr<std::vector<double>> parseSweep(llvm::StringRef text) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  std::vector<double> v;
  for (StringRef p : parts) {
    double x;
    if (p.trim().getAsDouble(x) || !(x >= 0)) return failure();
    v.push_back(x);
  }
  if (v.empty()) return failure();
  return v;
}

/// The shortest decimal form of a lambda: 0.001 -> "0.001", 2.5e-05 -> "2.5e-05".
std::string lambdaText(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// OUT.onnx -> OUT-<suffix>.onnx
std::string withSuffix(llvm::StringRef path, llvm::StringRef suffix) {
  size_t dot = path.rfind('.');
  return (path.substr(0, dot) + "-" + suffix + path.substr(dot)).str();
}

} // namespace

llvm::cl::SubCommand &dnnopt::driver::searchSubCommand() { return searchCmd; }

int dnnopt::driver::runSearch() {
  if (methodOpt != "pit") {
    llvm::errs() << kCmd << ": unknown search method '" << methodOpt << "' (available: pit)\n";
    return 1;
  }
  StringRef out = outPath;
  if (!out.ends_with(".mlir") && !out.ends_with(".onnx")) {
    llvm::errs() << kCmd << ": -o " << outPath
                 << ": the output is an ONNX model (.onnx) or dnn IR (.mlir, read by every dnnopt subcommand)\n";
    return 1;
  }
  PitSearchOptions opts;
  auto cost = parsePitCost(costOpt);
  if (failed(cost)) {
    llvm::errs() << kCmd << ": --cost " << costOpt << ": expected params or macs\n";
    return 1;
  }
  opts.cost = *cost;
  if (failed(parseEpochs(epochsOpt, opts))) {
    llvm::errs() << kCmd << ": --epochs " << epochsOpt << ": expected W,S,F (three non-negative integers)\n";
    return 1;
  }
  auto lossKind = parseLossKind(lossOpt);
  if (failed(lossKind)) {
    llvm::errs() << kCmd << ": --loss " << lossOpt << ": unknown\n";
    return 1;
  }
  opts.loss = *lossKind;
  opts.lambda = lambdaOpt;
  opts.lr = lrOpt;
  opts.archLr = archLrOpt;
  opts.batch = batchOpt;
  opts.seed = seedOpt;
  int modes = (lambdaOpt.getNumOccurrences() > 0) + (targetOpt.getNumOccurrences() > 0) + !sweepOpt.empty();
  if (modes > 1) {
    llvm::errs() << kCmd << ": --lambda, --target-size and --lambda-sweep exclude each other\n";
    return 1;
  }
  if (targetOpt.getNumOccurrences()) {
    if (!(targetOpt > 0)) {
      llvm::errs() << kCmd << ": --target-size " << targetOpt << ": expected a positive number\n";
      return 1;
    }
    opts.target = targetOpt;
  }
  std::vector<double> sweep;
  if (!sweepOpt.empty()) {
    auto s = parseSweep(sweepOpt);
    if (failed(s)) {
      llvm::errs() << kCmd << ": --lambda-sweep " << sweepOpt << ": expected non-negative numbers a,b,c\n";
      return 1;
    }
    sweep = *s;
  } else if (!paretoOpt.empty()) {
    llvm::errs() << kCmd << ": --pareto needs --lambda-sweep\n";
    return 1;
  }

  MLIRContext ctx;
  driver::installModelDiagnostics(ctx);
  std::vector<std::string> shapes(inputShapes.begin(), inputShapes.end());
  OwningOpRef<ModuleOp> module = driver::loadModel(ctx, kCmd, modelPath, shapes, /*cleanup=*/false);
  if (!module) return 1;
  func::FuncOp func = mainFunction(*module);
  if (!func) {
    llvm::errs() << modelPath << ": no function\n";
    return 1;
  }
  std::string err;
  auto inputSample = searchInputSample(func, err);
  if (failed(inputSample)) {
    llvm::errs() << modelPath << ": " << err << "\n";
    return 1;
  }

  // -- Data --
  auto sets = loadSearchData(dataPath, valPath, *inputSample, seedOpt, err);
  if (failed(sets)) {
    llvm::errs() << kCmd << ": " << err << "\n";
    return 1;
  }
  const Dataset &train = sets->first, &val = sets->second;
  llvm::outs() << "data: " << train.size() << " training, " << val.size() << " validation samples\n";
  Sizes seed = deployedSizes(*module);
  const char *metric = metricName(opts.loss);

  if (sweep.empty()) {
    auto r = runPitSearch(func, train, val, opts, &llvm::outs(), err);
    if (failed(r)) {
      llvm::errs() << kCmd << ": " << modelPath << ": " << err << "\n";
      return 1;
    }
    Sizes found = deployedSizes(*module);
    llvm::outs() << "exported: " << found.params << " params, " << found.macs << " MACs (seed " << seed.params
                 << ", " << seed.macs << ")\n";
    if (!writeModel(*module, out)) return 1;
    printSummary(seed, found, *r, metric);
    if (!r->targetMet)
      llvm::errs() << kCmd << ": warning: the found network's " << pitCostName(opts.cost) << " ("
                   << llvm::format("%.0f", r->foundCost) << ", searched layers) exceed --target-size "
                   << llvm::format("%.0f", *opts.target) << "; train longer (--epochs) or start from a smaller seed\n";
    llvm::outs() << "wrote " << outPath << "\n";
    return 0;
  }

  // -- Lambda sweep: one warm-up, one search per lambda from the warmed-up weights --
  auto seedMetric = runWarmUp(func, train, val, opts, opts.warmupEpochs, &llvm::outs(), err);
  if (failed(seedMetric)) {
    llvm::errs() << kCmd << ": " << modelPath << ": " << err << "\n";
    return 1;
  }
  std::vector<driver::ParetoPoint> points;
  points.push_back({"seed", 0, seed.params, seed.macs, *seedMetric, "", /*seed=*/true});
  for (double lambda : sweep) {
    llvm::outs() << "\n== lambda " << lambdaText(lambda) << " ==\n";
    OwningOpRef<ModuleOp> copy = module->clone();
    PitSearchOptions o = opts;
    o.lambda = lambda;
    o.warmupEpochs = 0;
    auto r = runPitSearch(mainFunction(*copy), train, val, o, &llvm::outs(), err, *seedMetric);
    if (failed(r)) {
      llvm::errs() << kCmd << ": " << modelPath << ": lambda " << lambda << ": " << err << "\n";
      return 1;
    }
    Sizes found = deployedSizes(*copy);
    std::string path = withSuffix(out, "lambda" + lambdaText(lambda));
    if (!writeModel(*copy, path)) return 1;
    printSummary(seed, found, *r, metric);
    llvm::outs() << "wrote " << path << "\n";
    points.push_back({"lambda " + lambdaText(lambda), lambda, found.params, found.macs, r->foundMetric,
                      path});
  }
  bool byMacs = opts.cost == PitCost::Macs;
  driver::markPareto(points, byMacs);
  std::string prefix = paretoOpt.empty() ? withSuffix(out, "pareto") : paretoOpt + ".";
  prefix = prefix.substr(0, prefix.rfind('.'));
  std::string title = "PIT lambda sweep: " + llvm::sys::path::filename(modelPath).str();
  if (!driver::writeFile(prefix + ".csv", kCmd,
                         [&](llvm::raw_ostream &os) { driver::writeParetoCsv(os, points, metric); }) ||
      !driver::writeFile(prefix + ".svg", kCmd, [&](llvm::raw_ostream &os) {
        driver::writeParetoSvg(os, points, byMacs, metric, title);
      }))
    return 1;
  llvm::outs() << "\n"
               << llvm::format("%-16s %10s %12s %12s  %s\n", "", "params", "MACs",
                               (std::string("val ") + metric).c_str(), "Pareto");
  for (const driver::ParetoPoint &p : points)
    llvm::outs() << llvm::format("%-16s %10lld %12lld %12.4f  %s\n", p.label.c_str(), (long long)p.params,
                                 (long long)p.macs, p.metric, p.seed ? "(reference)" : p.pareto ? "yes" : "no");
  llvm::outs() << "wrote " << prefix << ".csv, " << prefix << ".svg\n";
  return 0;
}
