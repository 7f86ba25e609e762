//===- ReportCommand.cpp - `dnnopt report` ---------------------------------===//
//
// Imports an ONNX model, cleans it up, and prints what it costs on a target:
// one row per layer (op, output shape, unit, precision, MACs, parameters, bytes,
// cycles on every unit, share of the latency), the totals (latency, energy,
// flash, peak RAM from the storage planner) and whether it fits the target's
// memories. Optional JSON and SVG outputs. The figures come from the same code
// as -dnnopt-annotate-cost (dialects/hw/CostAnalysis.h).
//
// Exit code 1 on any error, including a model that does not fit (the report and
// the requested files are still written, complete).
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "LoadModel.h"
#include "QuantizeOptions.h"
#include "TextOutput.h"

#include "backends/common/StoragePlan.h"
#include "dialects/hw/CostAnalysis.h"
#include "dialects/hw/DnnCostModels.h"
#include "dialects/hw/HwDialect.h"
#include "dialects/hw/TargetModel.h"
#include "dialects/dnn/DnnOps.h"
#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cl = llvm::cl;
using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::hw;
using namespace dnnopt::driver;

namespace {
cl::SubCommand reportCmd("report", "Per-layer cost of an ONNX model on a hardware target");
cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"), cl::sub(reportCmd));
cl::opt<std::string> targetName("target",
                                cl::desc("Built-in target: stm32l4, stm32h7, gap8, diana, mpic"),
                                cl::value_desc("name"), cl::sub(reportCmd));
cl::opt<std::string> targetFile("target-file",
                                cl::desc("File describing a target as a #hw.target attribute "
                                         "(see docs/targets.md)"),
                                cl::value_desc("file"), cl::sub(reportCmd));
driver::QuantizeOptions quantizeOpts(reportCmd);

/// Quantized models (imported QDQ / QLinear, or --quantize): the integer IR the C
/// backend compiles, each integer layer at its own precision: activations at the
/// width of the tensor it writes (8, or 4 / 2 for packed sub-byte activations), weights
/// at theirs (per-channel mixed widths count as the widest).
bool lowerQuantized(ModuleOp module) {
  if (!hasQuantizationOps(module)) return true;
  PassManager pm(module.getContext());
  buildQuantLoweringPipeline(pm);
  if (failed(pm.run(module))) return false;
  MLIRContext *ctx = module.getContext();
  module.walk([&](Operation *op) {
    if (!isa<dnn::QConvOp, dnn::QFullyConnectedOp, dnn::QAddOp, dnn::RequantizeOp, dnn::QMaxPoolOp,
             dnn::QAvgPoolOp, dnn::QGlobalAvgPoolOp>(op))
      return;
    int64_t w = 8;
    if (auto bits = op->getAttrOfType<DenseI64ArrayAttr>("weight_bits")) {
      w = 0;
      for (int64_t b : bits.asArrayRef()) w = std::max(w, b);
    }
    int64_t act = 8;
    if (auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType()))
      if (t.getElementType().isSignlessInteger()) act = t.getElementType().getIntOrFloatBitWidth();
    op->setAttr(hw::kPrecisionAttrName, hw::PrecisionAttr::get(ctx, act, w, hw::Real(0.0)));
  });
  return true;
}

cl::opt<std::string> precisionOpt(
    "precision",
    cl::desc("Precision of every layer: aXwY, activation and weight bits (default a8w8; "
             "a32w32 is float32). An op's dnnopt.precision overrides it"),
    cl::value_desc("aXwY"), cl::init("a8w8"), cl::sub(reportCmd));
cl::opt<std::string> jsonPath("json", cl::desc("Also write the report as JSON"),
                              cl::value_desc("file"), cl::sub(reportCmd));
cl::opt<std::string> svgPath("svg", cl::desc("Also write an SVG chart of per-layer latency and memory"),
                             cl::value_desc("file"), cl::sub(reportCmd));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Static shape of a graph input: NAME:1x3x32x32, or 1x3x32x32 for the first "
             "input (repeatable)"),
    cl::value_desc("[name:]shape"), cl::sub(reportCmd));
cl::opt<bool> printTarget("print-target",
                          cl::desc("Print the target's #hw.target attribute (a starting point "
                                   "for --target-file) and exit"),
                          cl::sub(reportCmd));

/// 3 significant digits with k / M / G suffixes.
std::string human(double v) {
  char buf[32];
  double a = std::fabs(v);
  if (a < 1000) {
    if (v == std::floor(v)) snprintf(buf, sizeof buf, "%.0f", v);
    else snprintf(buf, sizeof buf, "%.3g", v);
  } else if (a < 1e6) snprintf(buf, sizeof buf, "%.3gk", v / 1e3);
  else if (a < 1e9) snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  else snprintf(buf, sizeof buf, "%.3gG", v / 1e9);
  return buf;
}

std::string shapeString(Operation *op) {
  if (op->getNumResults() == 0) return "";
  auto t = dyn_cast<ShapedType>(op->getResult(0).getType());
  if (!t || !t.hasRank()) return "?";
  std::string s = llvm::join(llvm::map_range(t.getShape(), [](int64_t d) { return std::to_string(d); }), "x");
  if (op->getNumResults() > 1) s += " (+" + std::to_string(op->getNumResults() - 1) + ")";
  return s;
}

/// Left-aligned text columns, right-aligned numbers.
struct Table {
  std::vector<std::string> header;
  std::vector<bool> rightAlign;
  std::vector<std::vector<std::string>> rows;
  void print(llvm::raw_ostream &os) const {
    std::vector<size_t> width(header.size());
    for (size_t c = 0; c < header.size(); ++c) {
      width[c] = header[c].size();
      for (const auto &r : rows) width[c] = std::max(width[c], r[c].size());
    }
    auto line = [&](const std::vector<std::string> &r) {
      std::string s;
      for (size_t c = 0; c < r.size(); ++c) {
        std::string pad(width[c] - r[c].size(), ' ');
        s += rightAlign[c] ? pad + r[c] : r[c] + pad;
        if (c + 1 < r.size()) s += "  ";
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      os << "  " << s << "\n";
    };
    line(header);
    size_t total = 0;
    for (size_t w : width) total += w + 2;
    os << "  " << std::string(total - 2, '-') << "\n";
    for (const auto &r : rows) line(r);
  }
};

/// Planner arena at the layers' activation precision: the planner sees the IR's
/// types, so float activations are retyped (in a clone) to the integer
/// container of their width (8 bits for a <= 8, 16 for a <= 16).
struct ArenaResult {
  int64_t bytes = 0;
  std::string peakLayer;
  bool ok = false;
};

ArenaResult planArena(ModuleOp module, Precision defaultPrecision) {
  ArenaResult result;
  OwningOpRef<ModuleOp> clone = module.clone();
  func::FuncOp func;
  clone->walk([&](func::FuncOp f) {
    if (!func || f.getSymName() == "main") func = f;
  });
  if (!func) return result;
  MLIRContext *ctx = module.getContext();
  auto retype = [&](Value v, int aBits) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !isa<FloatType>(t.getElementType()) || aBits >= 32) return;
    v.setType(t.clone(IntegerType::get(ctx, aBits <= 8 ? 8 : 16)));
  };
  for (BlockArgument arg : func.getArguments()) retype(arg, defaultPrecision.aBits);
  func.walk([&](Operation *op) {
    if (isa<dnn::ConstantOp>(op)) return;
    int aBits = defaultPrecision.aBits;
    if (auto p = op->getAttrOfType<PrecisionAttr>(kPrecisionAttrName)) aBits = int(p.getA());
    for (Value r : op->getResults()) retype(r, aBits);
  });
  FailureOr<StoragePlan> plan = planStorage(func);
  if (failed(plan)) return result;
  result.ok = true;
  result.bytes = plan->arenaSize;
  int64_t top = -1;
  for (auto &[value, storage] : plan->storage) {
    if (storage.kind != TensorStorage::Arena) continue;
    int64_t end = storage.offset + tensorBytes(value);
    if (end <= top) continue;
    top = end;
    Operation *def = value.getDefiningOp();
    std::string name = def ? layerName(def) : "";
    if (name.empty() && def) name = def->getName().getStringRef().str();
    result.peakLayer = name;
  }
  return result;
}

//===----------------------------------------------------------------------===//
// SVG
//===----------------------------------------------------------------------===//

void writeSvg(llvm::raw_ostream &os, const ModelEstimate &e, llvm::StringRef title) {
  const int rowH = 18, top = 58, nameW = 190, barW = 330, gap = 40;
  const int latX = nameW + 10, memX = latX + barW + gap + 60;
  const int width = memX + barW + 70;
  const int height = top + int(e.layers.size()) * rowH + 40;
  double maxMs = 0, maxBytes = 0;
  for (const LayerEstimate &l : e.layers) {
    maxMs = std::max(maxMs, l.cost.latencyMs);
    maxBytes = std::max(maxBytes, l.cost.paramBytes + l.cost.actBytes);
  }
  if (maxMs <= 0) maxMs = 1;
  if (maxBytes <= 0) maxBytes = 1;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
     << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" << xmlEscape(title)
     << "</text>\n";
  os << "<text x=\"" << latX << "\" y=\"44\" font-weight=\"bold\">latency (ms; colour = unit; total "
     << fixed(e.latencyMs, 4) << ")</text>\n";
  os << "<text x=\"" << memX << "\" y=\"44\" font-weight=\"bold\">memory (bytes): "
     << "<tspan fill=\"#d62728\">parameters</tspan> + <tspan fill=\"#2ca02c\">activations</tspan>"
     << "</text>\n";
  static const char *unitColors[] = {"#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"};
  for (size_t i = 0; i < e.layers.size(); ++i) {
    const LayerEstimate &l = e.layers[i];
    int y = top + int(i) * rowH;
    std::string name = l.name.size() > 28 ? l.name.substr(0, 27) + "~" : l.name;
    os << "<text x=\"" << nameW << "\" y=\"" << y + 12 << "\" text-anchor=\"end\">"
       << xmlEscape(name) << "</text>\n";
    double w = barW * l.cost.latencyMs / maxMs;
    os << "<rect x=\"" << latX << "\" y=\"" << y + 2 << "\" width=\"" << fixed(w, 1)
       << "\" height=\"" << rowH - 4 << "\" fill=\"" << unitColors[l.unit % 5] << "\"><title>"
       << xmlEscape(l.name) << ": " << fixed(l.cost.latencyMs, 5) << " ms on "
       << xmlEscape(e.target.units[l.unit].name) << "</title></rect>\n";
    os << "<text x=\"" << fixed(latX + w + 4, 1) << "\" y=\"" << y + 12 << "\">"
       << fixed(l.cost.latencyMs, 4) << "</text>\n";
    double pw = barW * l.cost.paramBytes / maxBytes, aw = barW * l.cost.actBytes / maxBytes;
    os << "<rect x=\"" << memX << "\" y=\"" << y + 2 << "\" width=\"" << fixed(pw, 1)
       << "\" height=\"" << rowH - 4 << "\" fill=\"#d62728\"><title>parameters "
       << formatBytes(l.cost.paramBytes) << "</title></rect>\n";
    os << "<rect x=\"" << fixed(memX + pw, 1) << "\" y=\"" << y + 2 << "\" width=\""
       << fixed(aw, 1) << "\" height=\"" << rowH - 4 << "\" fill=\"#2ca02c\"><title>activations "
       << formatBytes(l.cost.actBytes) << "</title></rect>\n";
    os << "<text x=\"" << fixed(memX + pw + aw + 4, 1) << "\" y=\"" << y + 12 << "\">"
       << xmlEscape(formatBytes(l.cost.paramBytes + l.cost.actBytes)) << "</text>\n";
  }
  int legendY = top + int(e.layers.size()) * rowH + 20;
  int x = latX;
  for (size_t u = 0; u < e.target.units.size(); ++u) {
    os << "<rect x=\"" << x << "\" y=\"" << legendY - 9 << "\" width=\"10\" height=\"10\" fill=\""
       << unitColors[u % 5] << "\"/><text x=\"" << x + 14 << "\" y=\"" << legendY << "\">"
       << xmlEscape(e.target.units[u].name) << "</text>\n";
    x += 20 + 7 * int(e.target.units[u].name.size()) + 16;
  }
  os << "</svg>\n";
}

} // namespace

llvm::cl::SubCommand &dnnopt::driver::reportSubCommand() { return reportCmd; }

int dnnopt::driver::runReport() {
  MLIRContext ctx;
  driver::installModelDiagnostics(ctx);
  loadCostModels(ctx);

  std::string error;
  TargetAttr targetAttr = resolveTarget(&ctx, targetName, targetFile, error);
  if (!targetAttr) {
    llvm::errs() << "dnnopt report: " << error << "\n";
    return 1;
  }
  if (printTarget) {
    llvm::outs() << targetAttr << "\n";
    return 0;
  }
  if (modelPath.empty()) {
    llvm::errs() << "dnnopt report: no model given (dnnopt report MODEL.onnx --target T)\n";
    return 1;
  }
  std::optional<Precision> precision = parsePrecision(precisionOpt);
  if (!precision) {
    llvm::errs() << "dnnopt report: --precision " << precisionOpt
                 << ": expected aXwY, e.g. a8w8 (a32w32 is float32)\n";
    return 1;
  }
  driver::QuantizeRequest quantize = quantizeOpts.request();
  if (!driver::checkQuantizeRequest("dnnopt report", quantize)) return 1;
  OwningOpRef<ModuleOp> module = driver::loadModel(
      ctx, "dnnopt report", modelPath, std::vector<std::string>(inputShapes.begin(), inputShapes.end()));
  if (!module) return 1;
  if (!driver::quantizeModel(*module, "dnnopt report", quantize) || !lowerQuantized(*module)) return 1;

  // Cost errors are located at layers; print them as "MODEL: message".
  TargetModel target = buildTargetModel(targetAttr);
  CostOptions costOptions;
  costOptions.defaultPrecision = *precision;
  std::optional<ModelEstimate> estimate;
  {
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      llvm::errs() << "dnnopt report: " << modelPath << ": " << d.str() << "\n";
      return success();
    });
    estimate = estimateModelCost(*module, target, costOptions);
  }
  if (!estimate) return 1;

  ArenaResult arena = planArena(*module, *precision);
  if (!arena.ok) {
    llvm::errs() << "dnnopt report: " << modelPath
                 << ": the storage planner failed, peak RAM unknown\n";
    return 1;
  }
  MemoryFit fit = checkMemoryFit(*estimate, arena.bytes, arena.peakLayer);

  //===--- terminal report ---------------------------------------------------===//
  llvm::raw_ostream &os = llvm::outs();
  std::string modelName = llvm::sys::path::filename(modelPath).str();
  os << modelName << " on " << target.name << " at " << precision->str()
     << " (activation/weight bits; per-op dnnopt.precision overrides)\n";
  for (const UnitModel &u : target.units)
    os << "  unit " << u.name << ": " << latencyModelName(u.model) << ", "
       << hw::detail::formatReal(u.freqMHz) << " MHz" << (u.cores > 1 ? ", " + std::to_string(u.cores) + " cores" : "")
       << ", " << hw::detail::formatReal(u.activeMW) << " mW active\n";
  os << "\n";

  bool multiUnit = target.units.size() > 1;
  Table table;
  table.header = {"#", "layer", "op", "output", "unit", "prec", "MACs", "params", "param B",
                  "act B"};
  table.rightAlign = {true, false, false, false, false, false, true, true, true, true};
  for (const UnitModel &u : target.units) {
    table.header.push_back("cycles@" + u.name);
    table.rightAlign.push_back(true);
  }
  table.header.insert(table.header.end(), {"ms", "share"});
  table.rightAlign.insert(table.rightAlign.end(), {true, true});
  for (size_t i = 0; i < estimate->layers.size(); ++i) {
    const LayerEstimate &l = estimate->layers[i];
    std::vector<std::string> row = {std::to_string(i),
                                    l.name,
                                    l.op->getName().stripDialect().str() +
                                        (l.geometry.kind == LayerKind::DepthwiseConv ? " (dw)" : ""),
                                    shapeString(l.op),
                                    target.units[l.unit].name,
                                    l.precision.str(),
                                    human(l.cost.macs),
                                    human(l.cost.params),
                                    human(std::ceil(l.cost.paramBytes)),
                                    human(std::ceil(l.cost.actBytes))};
    for (size_t u = 0; u < target.units.size(); ++u) {
      const std::optional<double> &c = l.cyclesPerUnit[u];
      std::string cell = c ? human(*c) : "-";
      if (multiUnit && int(u) == l.unit) cell = "*" + cell;
      row.push_back(cell);
    }
    row.push_back(fixed(l.cost.latencyMs, 4));
    double share = estimate->latencyMs > 0 ? 100.0 * l.cost.latencyMs / estimate->latencyMs : 0;
    row.push_back(fixed(share, 1) + "%");
    table.rows.push_back(std::move(row));
  }
  table.print(os);
  if (multiUnit) os << "  (* = the unit the layer is mapped to: the fastest, or its dnnopt.unit)\n";

  os << "\ntotals\n";
  os << "  MACs          " << human(estimate->macs) << "\n";
  os << "  parameters    " << human(estimate->params) << " (" << formatBytes(estimate->paramBytes)
     << " at " << precision->str() << ", 32-bit biases; integer layers at their own width)\n";
  if (double floatBytes = 4.0 * estimate->params; estimate->paramBytes < floatBytes)
    os << "  vs float32    " << formatBytes(floatBytes) << " as float32: "
       << llvm::format("%.2f", floatBytes / std::max<double>(estimate->paramBytes, 1.0))
       << "x smaller, " << formatBytes(floatBytes - estimate->paramBytes) << " of flash saved\n";
  os << "  latency       " << fixed(estimate->latencyMs, 4) << " ms";
  std::vector<std::string> perUnit;
  for (size_t u = 0; u < target.units.size(); ++u)
    if (estimate->cyclesPerUnit[u] > 0)
      perUnit.push_back(target.units[u].name + " " + human(estimate->cyclesPerUnit[u]) + " cycles");
  if (!perUnit.empty()) os << " (" << llvm::join(perUnit, ", ") << ")";
  os << "\n";
  os << "  energy        " << fixed(estimate->energyUJ, 3) << " uJ\n";
  os << "  flash         " << formatBytes(estimate->paramBytes) << " (weights)\n";
  os << "  peak RAM      " << formatBytes(double(arena.bytes)) << " (activation arena"
     << (arena.peakLayer.empty() ? "" : ", peak at '" + arena.peakLayer + "'") << ")\n";

  os << "\nmemories\n";
  Table mem;
  mem.header = {"memory", "kind", "size", "holds", "used", "fits"};
  mem.rightAlign = {false, false, true, false, true, false};
  for (const MemoryUse &m : fit.uses)
    mem.rows.push_back({m.memory, m.kind == MemoryKind::flash ? "flash" : "ram",
                        formatBytes(double(m.size)), m.holds, formatBytes(m.used),
                        m.fits ? "yes" : (m.required ? "NO" : "no (tiled)")});
  mem.print(os);
  for (const std::string &n : fit.notes) os << "  note: " << n << "\n";
  os << "\n"
     << (fit.fits ? "fits " : "DOES NOT FIT ") << target.name << "\n";

  //===--- files -------------------------------------------------------------===//
  if (!jsonPath.empty()) {
    bool ok = writeFile(jsonPath, "dnnopt report", [&](llvm::raw_ostream &out) {
      llvm::json::OStream j(out, 2);
      j.object([&] {
        j.attribute("model", modelName);
        j.attribute("target", target.name);
        j.attribute("precision", precision->str());
        j.attributeArray("units", [&] {
          for (const UnitModel &u : target.units)
            j.object([&] {
              j.attribute("name", u.name);
              j.attribute("model", latencyModelName(u.model));
              j.attribute("freq_mhz", u.freqMHz);
              j.attribute("cores", u.cores);
            });
        });
        j.attributeArray("layers", [&] {
          for (const LayerEstimate &l : estimate->layers)
            j.object([&] {
              j.attribute("name", l.name);
              j.attribute("op", l.op->getName().getStringRef());
              j.attribute("kind", layerKindName(l.geometry.kind));
              j.attributeArray("output_shape", [&] {
                if (auto t = dyn_cast<ShapedType>(l.op->getResult(0).getType()))
                  for (int64_t d : t.getShape()) j.value(d);
              });
              j.attribute("unit", target.units[l.unit].name);
              j.attribute("precision", l.precision.str());
              j.attribute("macs", l.cost.macs);
              j.attribute("params", l.cost.params);
              j.attribute("param_bytes", l.cost.paramBytes);
              j.attribute("act_bytes", l.cost.actBytes);
              j.attributeObject("cycles", [&] {
                for (size_t u = 0; u < target.units.size(); ++u) {
                  if (l.cyclesPerUnit[u]) j.attribute(target.units[u].name, *l.cyclesPerUnit[u]);
                  else j.attribute(target.units[u].name, nullptr);
                }
              });
              j.attribute("latency_ms", l.cost.latencyMs);
              j.attribute("energy_uj", l.cost.energyUJ);
              j.attribute("share", estimate->latencyMs > 0 ? l.cost.latencyMs / estimate->latencyMs : 0.0);
            });
        });
        j.attributeObject("totals", [&] {
          j.attribute("layers", int64_t(estimate->layers.size()));
          j.attribute("macs", estimate->macs);
          j.attribute("params", estimate->params);
          j.attribute("param_bytes", estimate->paramBytes);
          j.attribute("latency_ms", estimate->latencyMs);
          j.attribute("energy_uj", estimate->energyUJ);
          j.attribute("flash_bytes", std::ceil(estimate->paramBytes));
          j.attribute("peak_ram_bytes", arena.bytes);
          j.attribute("peak_ram_layer", arena.peakLayer);
          j.attributeObject("cycles_per_unit", [&] {
            for (size_t u = 0; u < target.units.size(); ++u)
              j.attribute(target.units[u].name, estimate->cyclesPerUnit[u]);
          });
        });
        j.attributeArray("memories", [&] {
          for (const MemoryUse &m : fit.uses)
            j.object([&] {
              j.attribute("name", m.memory);
              j.attribute("kind", m.kind == MemoryKind::flash ? "flash" : "ram");
              j.attribute("size", m.size);
              j.attribute("holds", m.holds);
              j.attribute("used", m.used);
              j.attribute("fits", m.fits);
              j.attribute("required", m.required);
            });
        });
        j.attribute("fits", fit.fits);
        j.attributeArray("errors", [&] {
          for (const std::string &e : fit.errors) j.value(e);
        });
        j.attributeArray("notes", [&] {
          for (const std::string &n : fit.notes) j.value(n);
        });
      });
      out << "\n";
    });
    if (!ok) return 1;
  }
  if (!svgPath.empty()) {
    std::string title = modelName + " on " + target.name + " (" + precision->str() + ")";
    if (!writeFile(svgPath, "dnnopt report", [&](llvm::raw_ostream &out) { writeSvg(out, *estimate, title); }))
      return 1;
  }

  if (!fit.fits) {
    for (const std::string &e : fit.errors)
      llvm::errs() << "dnnopt report: " << modelPath << ": does not fit target '" << target.name
                   << "': " << e << "\n";
    return 1;
  }
  return 0;
}
