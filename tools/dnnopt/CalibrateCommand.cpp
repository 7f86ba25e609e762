//===- CalibrateCommand.cpp - `dnnopt calibrate` ---------------------------===//
//
// Fits the Cortex-M latency model (dialects/hw/CortexMModel.h) to measured
// per-layer counts. Input: models and the per-op profile their generated code
// printed (a firmware built with -DDNN_PROFILE, e.g. `make -C DIR/example run
// PROFILE=1`), lines
//     op <TAB> index <TAB> dnn-op <TAB> node <TAB> count
// (count = cycles on hardware, instructions under QEMU -icount shift=0). The
// profile entries of one ONNX node are summed and matched to the cost model's
// layer of that node. Per layer kind it prints the model's current error and the
// least-squares fit (relative errors) of cycles = a MACs + b outputs + c
// (kinds without weights: a work + c), with R^2 and the worst relative error.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "LoadModel.h"

#include "dialects/hw/Calibration.h"
#include "dialects/hw/CostAnalysis.h"
#include "dialects/hw/DnnCostModels.h"
#include "dialects/hw/HwDialect.h"
#include "dialects/hw/TargetModel.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>

namespace cl = llvm::cl;
using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::hw;

namespace {
cl::SubCommand calibrateCmd("calibrate",
                            "Fit the Cortex-M latency model to measured per-layer profiles");
cl::list<std::string> pairs(cl::Positional, cl::desc("<model.onnx>=<profile.txt> ..."), cl::ZeroOrMore,
                            cl::sub(calibrateCmd));
cl::opt<std::string> targetName("target", cl::desc("Built-in target whose model is checked (default stm32l4)"),
                                cl::value_desc("name"), cl::init("stm32l4"), cl::sub(calibrateCmd));
cl::opt<std::string> precisionOpt("precision", cl::desc("Precision the profiled code ran at (default a32w32)"),
                                  cl::value_desc("aXwY"), cl::init("a32w32"), cl::sub(calibrateCmd));
cl::opt<std::string> samplesPath(
    "samples",
    cl::desc("Also read layers measured outside a model (e.g. a kernel benchmark): one per line, "
             "`kind macs outputs count [name]`, kind = conv | depthwise | linear; '#' starts a comment"),
    cl::value_desc("file"), cl::sub(calibrateCmd));
cl::opt<bool> perLayer("per-layer", cl::desc("Also print every layer: measured, model, fitted"),
                       cl::sub(calibrateCmd));

struct Sample {
  std::string model, layer;
  LayerKind kind;
  double macs, outputs, work, measured, predicted;
};

const char *kindName(LayerKind k) {
  static const char *names[] = {"conv", "depthwise", "conv_transpose", "linear", "pool",
                                "elementwise", "nonlinear", "reduce", "copy", "view"};
  return names[unsigned(k)];
}

LayerKind kindFromName(llvm::StringRef s, bool &ok) {
  ok = true;
  if (s == "conv") return LayerKind::Conv;
  if (s == "depthwise") return LayerKind::DepthwiseConv;
  if (s == "linear") return LayerKind::Linear;
  ok = false;
  return LayerKind::View;
}

/// Samples of `--samples`, with the current model's prediction for `row`.
bool readSamples(const std::string &path, const CortexMRow &row, std::vector<Sample> &out) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    llvm::errs() << "dnnopt calibrate: cannot read " << path << ": " << buf.getError().message() << "\n";
    return false;
  }
  llvm::SmallVector<llvm::StringRef> lines, f;
  (*buf)->getBuffer().split(lines, '\n');
  for (auto [i, raw] : llvm::enumerate(lines)) {
    llvm::StringRef line = raw.split('#').first.trim();
    if (line.empty()) continue;
    f.clear();
    line.split(f, ' ', -1, false);
    bool ok = f.size() >= 4;
    Sample s{"samples", f.size() > 4 ? f[4].str() : "line " + std::to_string(i + 1), LayerKind::View, 0, 0, 0, 0, 0};
    if (ok) s.kind = kindFromName(f[0], ok);
    ok = ok && !f[1].getAsDouble(s.macs) && !f[2].getAsDouble(s.outputs) && !f[3].getAsDouble(s.measured) &&
         s.measured > 0;
    if (!ok) {
      llvm::errs() << "dnnopt calibrate: " << path << ":" << i + 1
                   << ": expected `conv|depthwise|linear MACS OUTPUTS COUNT [NAME]`, got: " << raw << "\n";
      return false;
    }
    const LinearCycles &c = s.kind == LayerKind::DepthwiseConv ? row.depthwise
                            : s.kind == LayerKind::Linear      ? row.linear
                                                               : row.conv;
    s.predicted = c.perMac * s.macs + c.perOutput * s.outputs + c.perCall;
    out.push_back(s);
  }
  return true;
}

/// node -> summed count, from a profile log (other lines ignored).
bool readProfile(const std::string &path, std::map<std::string, double> &counts) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    llvm::errs() << "dnnopt calibrate: cannot read " << path << ": " << buf.getError().message() << "\n";
    return false;
  }
  llvm::SmallVector<llvm::StringRef> lines, fields;
  (*buf)->getBuffer().split(lines, '\n');
  int found = 0;
  for (llvm::StringRef line : lines) {
    fields.clear();
    line.rtrim("\r").split(fields, '\t');
    if (fields.size() != 5 || fields[0] != "op") continue;
    double v;
    if (fields[4].getAsDouble(v)) {
      llvm::errs() << "dnnopt calibrate: " << path << ": bad count in line: " << line << "\n";
      return false;
    }
    counts[fields[3].str()] += v;
    ++found;
  }
  if (!found) {
    llvm::errs() << "dnnopt calibrate: " << path << ": no profile lines (op<TAB>index<TAB>op<TAB>node<TAB>count)\n";
    return false;
  }
  return true;
}

void printFit(LayerKind kind, const std::vector<Sample> &samples) {
  bool weighted = hasWeights(kind);
  // When every sample has (nearly) the same MACs per output, e.g. 3x3 depthwise layers,
  // the two columns are collinear: fit the MAC term alone.
  double lo = INFINITY, hi = 0;
  for (const Sample &s : samples)
    if (s.outputs > 0) {
      lo = std::min(lo, s.macs / s.outputs);
      hi = std::max(hi, s.macs / s.outputs);
    }
  bool useOutputs = weighted && hi > 1.01 * lo;
  std::vector<CycleSample> points;
  double worstBefore = 0, ssRes = 0, ssTot = 0, mean = 0;
  for (const Sample &s : samples) mean += s.measured / samples.size();
  for (const Sample &s : samples) {
    CycleSample p;
    p.macs = weighted ? s.macs : s.work;
    p.outputs = useOutputs ? s.outputs : 0;
    p.cycles = s.measured;
    p.weight = 1.0 / std::max(1.0, s.measured * s.measured);
    points.push_back(p);
    worstBefore = std::max(worstBefore, std::fabs(s.predicted - s.measured) / s.measured);
    ssRes += (s.predicted - s.measured) * (s.predicted - s.measured);
    ssTot += (s.measured - mean) * (s.measured - mean);
  }
  std::optional<CycleFit> fit = fitLinearCycles(points);
  // R^2 is undefined for a single sample (or identical ones): printed as "-".
  auto r2 = [](double v, bool defined) {
    return defined ? llvm::formatv("{0,8:f3}", v).str() : std::string("       -");
  };
  llvm::outs() << llvm::format("| %-14s | %3zu | ", kindName(kind), samples.size()) << r2(1 - ssRes / ssTot, ssTot > 0)
               << llvm::format(" | %6.1f%% | ", 100 * worstBefore);
  if (!fit) {
    llvm::outs() << "no fit |\n";
    return;
  }
  const LinearCycles &c = fit->coefficients;
  llvm::outs() << llvm::format("%8.3f | %8.2f | %8.0f | ", c.perMac, c.perOutput, c.perCall)
               << r2(fit->r2, ssTot > 0)
               << llvm::format(" | %6.1f%% | %s |\n", 100 * fit->worstRelativeError,
                               (samples[fit->worstSample].model + ":" + samples[fit->worstSample].layer).c_str());
}
} // namespace

llvm::cl::SubCommand &dnnopt::driver::calibrateSubCommand() { return calibrateCmd; }

int dnnopt::driver::runCalibrate() {
  MLIRContext ctx;
  driver::installModelDiagnostics(ctx);
  loadCostModels(ctx);
  std::string error;
  TargetAttr targetAttr = resolveTarget(&ctx, targetName, "", error);
  if (!targetAttr) {
    llvm::errs() << "dnnopt calibrate: " << error << "\n";
    return 1;
  }
  std::optional<Precision> precision = parsePrecision(precisionOpt);
  if (!precision) {
    llvm::errs() << "dnnopt calibrate: --precision " << precisionOpt << ": expected aXwY\n";
    return 1;
  }
  TargetModel target = buildTargetModel(targetAttr);
  std::map<LayerKind, std::vector<Sample>> byKind;
  if (pairs.empty() && samplesPath.empty()) {
    llvm::errs() << "dnnopt calibrate: nothing to fit: give MODEL.onnx=PROFILE.txt pairs and/or --samples FILE\n";
    return 1;
  }
  if (!samplesPath.empty()) {
    const CortexMRow *row = target.units.empty() ? nullptr : findCortexMRow(target.units[0].model, *precision, false);
    if (!row) {
      llvm::errs() << "dnnopt calibrate: target " << target.name << " has no Cortex-M row for "
                   << precision->str() << "\n";
      return 1;
    }
    std::vector<Sample> extra;
    if (!readSamples(samplesPath, *row, extra)) return 1;
    for (Sample &s : extra) byKind[s.kind].push_back(s);
  }
  for (const std::string &pair : pairs) {
    auto [modelPath, profilePath] = llvm::StringRef(pair).split('=');
    if (profilePath.empty()) {
      llvm::errs() << "dnnopt calibrate: expected MODEL.onnx=PROFILE.txt, got '" << pair << "'\n";
      return 1;
    }
    std::map<std::string, double> counts;
    if (!readProfile(profilePath.str(), counts)) return 1;
    OwningOpRef<ModuleOp> module = driver::loadModel(ctx, "dnnopt calibrate", modelPath.str(), {});
    if (!module) return 1;
    CostOptions options;
    options.defaultPrecision = *precision;
    std::optional<ModelEstimate> estimate = estimateModelCost(*module, target, options);
    if (!estimate) return 1;
    std::string model = llvm::sys::path::stem(modelPath).str();
    for (const LayerEstimate &l : estimate->layers) {
      auto it = counts.find(l.name);
      if (it == counts.end() || l.geometry.kind == LayerKind::View) continue; // no code emitted
      Sample s{model,
               l.name,
               l.geometry.kind,
               l.cost.macs,
               double(l.geometry.batch * l.geometry.cout * std::max<int64_t>(1, l.geometry.ox * l.geometry.oy)),
               double(l.geometry.work),
               it->second,
               l.cost.cycles};
      if (l.geometry.kind == LayerKind::Linear) s.outputs = double(l.geometry.batch * l.geometry.cout);
      byKind[s.kind].push_back(s);
      if (perLayer)
        llvm::outs() << llvm::format("%-16s %-28s %-12s macs %10.0f measured %10.0f model %10.0f (%+.1f%%)\n",
                                     model.c_str(), l.name.c_str(), kindName(s.kind), s.macs, s.measured,
                                     s.predicted, 100 * (s.predicted - s.measured) / s.measured);
    }
  }
  llvm::outs() << "\n" << target.name << " " << precision->str()
               << ": current model vs measured, and the least-squares fit (relative errors)\n\n"
               << "| layer kind     |   n | R2 model | worst  | per MAC  | per out  | per call | R2 fit   | worst  | "
                  "worst layer |\n"
               << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (auto &[kind, samples] : byKind) printFit(kind, samples);
  llvm::outs() << "\n(kinds without weights: 'per MAC' is per element of work, 'per out' unused)\n";
  return 0;
}
