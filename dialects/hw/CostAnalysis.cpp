//===- CostAnalysis.cpp - per-layer costs of a model on a target -----------===//
#include "dialects/hw/CostAnalysis.h"
#include "dialects/hw/HwInterfaces.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace dnnopt::hw;

std::string dnnopt::hw::layerName(Operation *op) {
  std::string name;
  op->getLoc()->walk([&](Location loc) {
    if (auto n = dyn_cast<NameLoc>(loc)) {
      name = n.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

std::string dnnopt::hw::formatBytes(double bytes) {
  char buf[32];
  if (bytes >= 1024.0 * 1024.0) snprintf(buf, sizeof buf, "%.2f MiB", bytes / (1024.0 * 1024.0));
  else if (bytes >= 1024.0) snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  else snprintf(buf, sizeof buf, "%.0f B", std::ceil(bytes));
  return buf;
}

namespace {
std::string describe(const LayerEstimate &l, Operation *op) {
  return "layer '" + l.name + "' (" + op->getName().getStringRef().str() + ")";
}
} // namespace

std::optional<ModelEstimate> dnnopt::hw::estimateModelCost(Operation *root,
                                                           const TargetModel &target,
                                                           const CostOptions &options) {
  ModelEstimate model;
  model.target = target;
  model.cyclesPerUnit.assign(target.units.size(), 0.0);
  bool ok = true;
  int index = 0;
  root->walk([&](CostModelOpInterface iface) {
    Operation *op = iface.getOperation();
    LayerEstimate l;
    l.op = op;
    l.geometry = iface.getLayerGeometry();
    if (l.geometry.kind == LayerKind::View) return;
    l.name = layerName(op);
    if (l.name.empty()) l.name = op->getName().stripDialect().str() + "#" + std::to_string(index);
    ++index;
    l.precision = options.defaultPrecision;
    if (Attribute a = op->getAttr(kPrecisionAttrName)) {
      auto p = dyn_cast<PrecisionAttr>(a);
      if (!p) {
        op->emitError() << describe(l, op) << ": " << kPrecisionAttrName
                        << " must be a #hw.precision attribute, got " << a;
        ok = false;
        return;
      }
      l.precision = {int(p.getA()), int(p.getW())};
    }
    int forced = -1;
    if (Attribute a = op->getAttr(kUnitAttrName)) {
      auto s = dyn_cast<StringAttr>(a);
      forced = s ? target.findUnit(s.getValue()) : -1;
      if (forced < 0) {
        std::vector<std::string> names;
        for (const UnitModel &u : target.units) names.push_back(u.name);
        op->emitError() << describe(l, op) << ": " << kUnitAttrName << " " << a
                        << " is not a unit of target '" << target.name
                        << "' (units: " << llvm::join(names, ", ") << ")";
        ok = false;
        return;
      }
    }
    std::vector<std::string> reasons;
    double bestMs = 0;
    for (size_t u = 0; u < target.units.size(); ++u) {
      const UnitModel &unit = target.units[u];
      std::string why;
      if (!canRun(l.geometry, unit, l.precision, &why)) {
        l.cyclesPerUnit.push_back(std::nullopt);
        reasons.push_back(why);
        continue;
      }
      LayerCost<double> c = layerCost(l.geometry, unit, l.precision);
      l.cyclesPerUnit.push_back(c.cycles);
      bool candidate = forced < 0 || forced == int(u);
      if (candidate && (l.unit < 0 || c.latencyMs < bestMs)) {
        l.unit = int(u);
        bestMs = c.latencyMs;
        l.cost = c;
      }
    }
    if (l.unit < 0) {
      if (forced >= 0) {
        std::string why;
        canRun(l.geometry, target.units[forced], l.precision, &why);
        op->emitError() << describe(l, op) << " cannot run on unit '" << target.units[forced].name
                        << "' of target '" << target.name << "' at " << l.precision.str() << ": "
                        << why;
      } else {
        op->emitError() << describe(l, op) << ": no compute unit of target '" << target.name
                        << "' can run this " << layerKindName(l.geometry.kind) << " layer at "
                        << l.precision.str() << ": " << llvm::join(reasons, "; ");
      }
      ok = false;
      return;
    }
    model.macs += l.cost.macs;
    model.params += l.cost.params;
    model.paramBytes += l.cost.paramBytes;
    model.latencyMs += l.cost.latencyMs;
    model.energyUJ += l.cost.energyUJ;
    model.cyclesPerUnit[l.unit] += l.cost.cycles;
    model.layers.push_back(std::move(l));
  });
  if (!ok) return std::nullopt;
  return model;
}

MemoryFit dnnopt::hw::checkMemoryFit(const ModelEstimate &estimate, int64_t arenaBytes,
                                     llvm::StringRef peakLayer) {
  MemoryFit fit;
  const TargetModel &t = estimate.target;
  auto largest = [&](MemoryKind kind) {
    int best = -1;
    for (size_t i = 0; i < t.memories.size(); ++i)
      if (t.memories[i].kind == kind && (best < 0 || t.memories[i].size > t.memories[best].size))
        best = int(i);
    return best;
  };
  int flash = largest(MemoryKind::flash), ram = largest(MemoryKind::ram);
  double weights = std::ceil(estimate.paramBytes);
  // The layer holding the most parameters, for messages.
  const LayerEstimate *heaviest = nullptr;
  for (const LayerEstimate &l : estimate.layers)
    if (!heaviest || l.cost.paramBytes > heaviest->cost.paramBytes) heaviest = &l;
  std::string heaviestNote =
      heaviest && heaviest->cost.paramBytes > 0
          ? "; the largest layer, '" + heaviest->name + "', holds " +
                formatBytes(heaviest->cost.paramBytes)
          : "";
  std::string arenaNote =
      peakLayer.empty() ? "" : " (activation arena, at its peak at layer '" + peakLayer.str() + "')";

  if (flash >= 0) {
    const MemoryModel &m = t.memories[flash];
    MemoryUse use{m.name, m.kind, m.size, weights, "weights", weights <= double(m.size), true};
    if (!use.fits)
      fit.errors.push_back("weights need " + formatBytes(weights) + " but " + m.name + " holds " +
                           formatBytes(double(m.size)) + heaviestNote);
    fit.uses.push_back(use);
  }
  if (ram >= 0) {
    const MemoryModel &m = t.memories[ram];
    double used = double(arenaBytes) + (flash < 0 ? weights : 0.0);
    MemoryUse use{m.name, m.kind, m.size, used,
                  flash < 0 ? "weights + activations" : "activations", used <= double(m.size), true};
    if (!use.fits) {
      std::string what = "peak RAM " + formatBytes(double(arenaBytes)) + arenaNote;
      if (flash < 0) what += " + weights " + formatBytes(weights) + " (no flash on this target)";
      fit.errors.push_back(what + " exceeds " + m.name + " (" + formatBytes(double(m.size)) + ")" +
                           (flash < 0 ? heaviestNote : ""));
    }
    fit.uses.push_back(use);
  }
  // Smaller RAM levels: per-layer working sets of the layers mapped to units
  // that see the level.
  for (size_t i = 0; i < t.memories.size(); ++i) {
    const MemoryModel &m = t.memories[i];
    if (m.kind != MemoryKind::ram || int(i) == ram) continue;
    double worst = 0;
    const LayerEstimate *worstLayer = nullptr;
    int over = 0, seen = 0;
    for (const LayerEstimate &l : estimate.layers) {
      if (std::find(m.units.begin(), m.units.end(), unsigned(l.unit)) == m.units.end()) continue;
      ++seen;
      double ws = l.cost.actBytes + l.cost.paramBytes;
      if (ws > double(m.size)) ++over;
      if (!worstLayer || ws > worst) worst = ws, worstLayer = &l;
    }
    if (!seen) continue;
    fit.uses.push_back({m.name, m.kind, m.size, worst, "largest layer working set",
                        worst <= double(m.size), false});
    if (over)
      fit.notes.push_back(std::to_string(over) + " layer(s) have a working set above " + m.name +
                          " (" + formatBytes(double(m.size)) + "; largest: '" + worstLayer->name +
                          "', " + formatBytes(worst) + ") and need tiling from " +
                          (ram >= 0 ? t.memories[ram].name : std::string("a larger memory")));
  }
  fit.fits = fit.errors.empty();
  return fit;
}
