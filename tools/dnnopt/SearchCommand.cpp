//===- SearchCommand.cpp - `dnnopt search pit` ------------------------------===//
//
//   dnnopt search pit MODEL.onnx --data TRAIN.npz [--val VAL.npz] --cost params|macs
//                 --lambda L --epochs W,S,F [--lr LR] [--arch-lr LR2] [--batch B]
//                 [--seed S] [--loss mae|mse|huber] -o OUT.onnx|OUT.mlir
//
// Imports the model WITHOUT the BatchNorm-folding cleanup (BatchNorm trains), adds
// the PIT masks (passes/search/Pit.h), then
//   warm-up  W epochs: weights only;
//   search   S epochs: weights + masks against task loss + lambda * cost;
//   export   the IR is rewritten into the smaller network;
//   fine-tune F epochs: weights of the smaller network (best validation epoch kept).
// One progress line per epoch, a seed-vs-found table at the end. The found model
// is written as ONNX (-o OUT.onnx, frontend/OnnxExporter) or dnn IR (.mlir, accepted by
// every dnnopt subcommand).
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "LoadModel.h"

#include "frontend/OnnxExporter.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

#include "dialects/dnn/DnnOps.h"
#include "dialects/dnn/DnnStats.h"
#include "passes/Passes.h"
#include "passes/search/Dataset.h"
#include "passes/search/FromIR.h"
#include "passes/search/Pit.h"
#include "passes/search/Trainer.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace cl = llvm::cl;
using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::search;

namespace {
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
cl::opt<std::string> epochsOpt("epochs", cl::desc("Warm-up, search and fine-tune epochs"), cl::init("5,20,10"),
                               cl::value_desc("W,S,F"), cl::sub(searchCmd));
cl::opt<double> lrOpt("lr", cl::desc("Adam learning rate of the weights"), cl::init(1e-3), cl::sub(searchCmd));
cl::opt<double> archLrOpt("arch-lr", cl::desc("Adam learning rate of the PIT masks"), cl::init(1e-2),
                          cl::sub(searchCmd));
cl::opt<int> batchOpt("batch", cl::desc("Mini-batch size"), cl::init(32), cl::sub(searchCmd));
cl::opt<unsigned> seedOpt("seed", cl::desc("Shuffling seed"), cl::init(0), cl::sub(searchCmd));
cl::opt<std::string> lossOpt("loss", cl::desc("Task loss: mae, mse, huber, ce"), cl::init("mae"),
                             cl::sub(searchCmd));
cl::opt<std::string> outPath("o", cl::desc("Output model: ONNX (.onnx) or dnn IR (.mlir)"), cl::value_desc("OUT.onnx"), cl::Required,
                             cl::sub(searchCmd));
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

struct LayerRow {
  std::string name;
  int64_t cout, kernel, dilation;
};

} // namespace

llvm::cl::SubCommand &dnnopt::driver::searchSubCommand() { return searchCmd; }

int dnnopt::driver::runSearch() {
  const char *cmd = "dnnopt search";
  if (methodOpt != "pit") {
    llvm::errs() << cmd << ": unknown search method '" << methodOpt << "' (available: pit)\n";
    return 1;
  }
  if (!llvm::StringRef(outPath).ends_with(".mlir") && !llvm::StringRef(outPath).ends_with(".onnx")) {
    llvm::errs() << cmd << ": -o " << outPath
                 << ": the output is an ONNX model (.onnx) or dnn IR (.mlir, read by every dnnopt "
                    "subcommand)\n";
    return 1;
  }
  PitCost costKind;
  if (costOpt == "params") costKind = PitCost::Params;
  else if (costOpt == "macs") costKind = PitCost::Macs;
  else {
    llvm::errs() << cmd << ": --cost " << costOpt << ": expected params or macs\n";
    return 1;
  }
  SmallVector<StringRef> parts;
  StringRef(epochsOpt).split(parts, ',');
  int epochs[3];
  if (parts.size() != 3 || !llvm::all_of(parts, [](StringRef p) {
        int v;
        return !p.trim().getAsInteger(10, v) && v >= 0;
      })) {
    llvm::errs() << cmd << ": --epochs " << epochsOpt << ": expected W,S,F (three non-negative integers)\n";
    return 1;
  }
  for (int i = 0; i < 3; ++i) parts[i].trim().getAsInteger(10, epochs[i]);
  auto lossKind = parseLossKind(lossOpt);
  if (failed(lossKind)) {
    llvm::errs() << cmd << ": --loss " << lossOpt << ": unknown\n";
    return 1;
  }

  MLIRContext ctx;
  driver::installModelDiagnostics(ctx);
  std::vector<std::string> shapes(inputShapes.begin(), inputShapes.end());
  OwningOpRef<ModuleOp> module = driver::loadModel(ctx, cmd, modelPath, shapes, /*cleanup=*/false);
  if (!module) return 1;
  func::FuncOp func;
  for (auto f : module->getOps<func::FuncOp>())
    if (!f.isDeclaration()) {
      func = f;
      break;
    }
  if (!func) {
    llvm::errs() << modelPath << ": no function\n";
    return 1;
  }
  std::string err;
  auto irg = buildGraph(func, {}, err);
  if (failed(irg)) {
    llvm::errs() << modelPath << ": " << err << "\n";
    return 1;
  }
  std::unique_ptr<IRGraph> ir = std::move(*irg);
  if (ir->inputSamples.size() != 1 || ir->outputSamples.size() != 1) {
    llvm::errs() << modelPath << ": the search needs a model with one input and one output\n";
    return 1;
  }

  // -- Data --
  auto files = loadData(dataPath, ir->inputSamples[0], err);
  if (failed(files)) {
    llvm::errs() << cmd << ": " << err << "\n";
    return 1;
  }
  Dataset train = files->train, val;
  if (!valPath.empty()) {
    auto v = loadData(valPath, ir->inputSamples[0], err);
    if (failed(v)) {
      llvm::errs() << cmd << ": " << err << "\n";
      return 1;
    }
    val = v->train;
  } else if (files->val) {
    val = *files->val;
  } else {
    auto split = splitTrainVal(files->train, 0.1, seedOpt);
    train = split.first;
    val = split.second;
  }
  if (failed(checkFits(train, "train", ir->inputSamples[0], ir->inputNames[0], ir->outputSamples[0], *lossKind,
                       err)) ||
      failed(checkFits(val, "validation", ir->inputSamples[0], ir->inputNames[0], ir->outputSamples[0],
                       *lossKind, err))) {
    llvm::errs() << cmd << ": " << err << "\n";
    return 1;
  }
  llvm::outs() << "data: " << train.size() << " training, " << val.size() << " validation samples\n";

  Sizes seed = deployedSizes(*module);
  auto pitOr = Pit::attach(*ir, err);
  if (failed(pitOr)) {
    llvm::errs() << modelPath << ": " << err << "\n";
    return 1;
  }
  std::unique_ptr<Pit> pit = std::move(*pitOr);
  std::vector<LayerRow> seedRows;
  for (const PitLayer &l : pit->layers)
    if (!l.isGemm) seedRows.push_back({l.name, l.cout, l.kernel, l.dilation});
  const char *costName = costKind == PitCost::Params ? "params" : "MACs";
  llvm::outs() << "PIT: " << seedRows.size() << " searchable convs; seed cost (" << costName
               << ", searched layers) " << llvm::format("%.0f", pit->cost(costKind)) << ", lambda " << lambdaOpt
               << "\n";

  TrainConfig tc;
  tc.batchSize = batchOpt;
  tc.seed = seedOpt;
  tc.loss.kind = *lossKind;
  const char *metric = metricName(*lossKind);
  auto progress = [&](const char *phase, int total, bool withPit) {
    return [&, phase, total, withPit](const EpochStats &s) {
      llvm::outs() << llvm::format("[%-9s %3d/%-3d] loss %.4f  val %s %.4f", phase, s.epoch, total, s.trainLoss,
                                   metric, s.valMetric);
      if (withPit)
        llvm::outs() << llvm::format("  cost %.0f (binarized %.0f)", pit->cost(costKind),
                                     pit->exportedCost(costKind))
                     << "  kept " << pit->keptSummary();
      llvm::outs() << llvm::format("  %.1fs", s.seconds) << (s.best ? " *" : "") << "\n";
      llvm::outs().flush();
      return true;
    };
  };

  // -- Warm-up: weights only --
  double seedMetric = NAN;
  {
    OptimizerConfig oc;
    oc.groups = {{"weights", lrOpt, 0.0}};
    Optimizer opt(ir->graph, oc);
    tc.epochs = epochs[0];
    tc.restoreBest = true;
    Trainer tr(ir->graph, opt, tc);
    tr.onEpoch = progress("warm-up", epochs[0], false);
    if (epochs[0] > 0 && failed(tr.fit(train, &val, err))) {
      llvm::errs() << cmd << ": warm-up: " << err << "\n";
      return 1;
    }
    auto ev = tr.evaluate(val, err);
    if (succeeded(ev)) seedMetric = ev->metric;
  }
  // -- Search: weights + masks --
  {
    OptimizerConfig oc;
    oc.groups = {{"weights", lrOpt, 0.0}, {"arch", archLrOpt, 0.0}};
    Optimizer opt(ir->graph, oc);
    tc.epochs = epochs[1];
    tc.restoreBest = false;
    Trainer tr(ir->graph, opt, tc);
    double lambda = lambdaOpt;
    tr.regularizer = [&, lambda](Graph &, bool training) { return lambda * pit->cost(costKind, training, lambda); };
    tr.onEpoch = progress("search", epochs[1], true);
    if (epochs[1] > 0 && failed(tr.fit(train, &val, err))) {
      llvm::errs() << cmd << ": search: " << err << "\n";
      return 1;
    }
  }
  // -- Export --
  std::vector<LayerRow> foundRows;
  {
    size_t r = 0;
    for (size_t i = 0; i < pit->layers.size(); ++i)
      if (!pit->layers[i].isGemm) {
        PitDecision d = pit->decide((int)i);
        foundRows.push_back({seedRows[r++].name, (int64_t)d.keepOut.size(), d.kernel, d.dilation});
      }
  }
  // The exported network must compute what the masked one computes: keep the
  // masked outputs on a few validation samples and compare after the rewrite.
  Tensor checkX, checkMasked;
  {
    Tensor yb;
    std::vector<int64_t> order(std::min<int64_t>(val.size(), 16));
    for (size_t i = 0; i < order.size(); ++i) order[i] = (int64_t)i;
    val.batch(order, 0, (int64_t)order.size(), checkX, yb);
    const Tensor *ins[] = {&checkX};
    if (failed(ir->graph.forward(ins, false, err))) {
      llvm::errs() << cmd << ": " << err << "\n";
      return 1;
    }
    checkMasked = ir->graph.data(ir->graph.outputs()[0]);
  }
  if (failed(pit->exportIR(err))) {
    llvm::errs() << cmd << ": export: " << err << "\n";
    return 1;
  }
  pit.reset();
  ir.reset();
  Sizes found = deployedSizes(*module);
  llvm::outs() << "exported: " << found.params << " params, " << found.macs << " MACs (seed " << seed.params
               << ", " << seed.macs << ")\n";
  // -- Fine-tune the smaller network --
  double foundMetric = NAN;
  {
    auto g2 = buildGraph(func, {}, err);
    if (failed(g2)) {
      llvm::errs() << cmd << ": fine-tune: " << err << "\n";
      return 1;
    }
    ir = std::move(*g2);
    const Tensor *ins[] = {&checkX};
    if (failed(ir->graph.forward(ins, false, err))) {
      llvm::errs() << cmd << ": exported model: " << err << "\n";
      return 1;
    }
    double diff = 0, scale = 0;
    const Tensor &y = ir->graph.data(ir->graph.outputs()[0]);
    for (int64_t k = 0; k < y.numel(); ++k) {
      diff = std::max(diff, (double)std::fabs(y[k] - checkMasked[k]));
      scale = std::max(scale, (double)std::fabs(checkMasked[k]));
    }
    llvm::outs() << llvm::format("export check: max |exported - masked| = %.3g on %lld samples (max |out| %.3g)\n",
                                 diff, (long long)checkX.shape[0], scale);
    if (diff > 1e-3 * std::max(1.0, scale)) {
      llvm::errs() << cmd << ": the exported network differs from the masked one (internal error)\n";
      return 1;
    }
    OptimizerConfig oc;
    oc.groups = {{"weights", lrOpt, 0.0}};
    Optimizer opt(ir->graph, oc);
    tc.epochs = epochs[2];
    tc.restoreBest = true;
    Trainer tr(ir->graph, opt, tc);
    tr.onEpoch = progress("fine-tune", epochs[2], false);
    if (epochs[2] > 0 && failed(tr.fit(train, &val, err))) {
      llvm::errs() << cmd << ": fine-tune: " << err << "\n";
      return 1;
    }
    auto ev = tr.evaluate(val, err);
    if (succeeded(ev)) foundMetric = ev->metric;
    if (failed(writeBack(*ir, err))) {
      llvm::errs() << cmd << ": " << err << "\n";
      return 1;
    }
  }
  // -- Output --
  {
    // ONNX (any ONNX tool runs it) or dnn IR; written whole or not at all.
    std::string contents;
    if (llvm::StringRef(outPath).ends_with(".onnx")) {
      if (failed(exportOnnx(*module, contents, err))) {
        llvm::errs() << cmd << ": ONNX export: " << err << "\n";
        return 1;
      }
    } else {
      llvm::raw_string_ostream text(contents);
      module->print(text, OpPrintingFlags().enableDebugInfo(/*enable=*/true, /*pretty=*/false));
    }
    std::string errMsg;
    auto out = openOutputFile(outPath, &errMsg);
    if (!out) {
      llvm::errs() << cmd << ": cannot write " << outPath << ": " << errMsg << "\n";
      return 1;
    }
    out->os() << contents;
    out->keep();
  }

  // -- Summary --
  llvm::outs() << "\n" << llvm::format("%-28s %14s %14s\n", "", "seed", "found");
  llvm::outs() << llvm::format("%-28s %14lld %14lld   (%.2fx)\n", "params (deployed)", (long long)seed.params,
                               (long long)found.params, (double)seed.params / std::max<int64_t>(1, found.params));
  llvm::outs() << llvm::format("%-28s %14lld %14lld   (%.2fx)\n", "MACs", (long long)seed.macs,
                               (long long)found.macs, (double)seed.macs / std::max<int64_t>(1, found.macs));
  std::string m = std::string("val ") + metric;
  llvm::outs() << llvm::format("%-28s %14.4f %14.4f\n", m.c_str(), seedMetric, foundMetric);
  llvm::outs() << llvm::format("%-28s %14s %14s\n", "layer", "Cout/k/d", "Cout/k/d");
  for (size_t i = 0; i < seedRows.size(); ++i) {
    std::string a = std::to_string(seedRows[i].cout) + "/" + std::to_string(seedRows[i].kernel) + "/" +
                    std::to_string(seedRows[i].dilation);
    std::string b = std::to_string(foundRows[i].cout) + "/" + std::to_string(foundRows[i].kernel) + "/" +
                    std::to_string(foundRows[i].dilation);
    llvm::outs() << llvm::format("%-28s %14s %14s\n", seedRows[i].name.c_str(), a.c_str(), b.c_str());
  }
  llvm::outs() << "(seed val metric: after warm-up)\nwrote " << outPath << "\n";
  return 0;
}
