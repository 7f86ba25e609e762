//===- HwDialect.cpp - hw dialect, attribute verifiers ---------------------===//
#include "dialects/hw/HwDialect.h"
#include "dialects/hw/CostFormulas.h"
#include "dialects/hw/HwAttrs.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace dnnopt::hw;

#include "dialects/hw/HwDialect.cpp.inc"
#include "dialects/hw/HwEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/hw/HwAttrs.cpp.inc"

void HwDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/hw/HwAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Real numbers
//===----------------------------------------------------------------------===//

FailureOr<Real> dnnopt::hw::detail::parseReal(AsmParser &parser) {
  bool negative = succeeded(parser.parseOptionalMinus());
  int64_t i = 0;
  OptionalParseResult asInt = parser.parseOptionalInteger(i);
  double value = 0;
  if (asInt.has_value()) {
    if (failed(*asInt)) return failure();
    value = double(i);
  } else if (parser.parseFloat(value)) {
    return failure();
  }
  return Real(negative ? -value : value);
}

std::string dnnopt::hw::detail::formatReal(double value) {
  char buf[64];
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  // Shortest form that reads back exactly, at most 12 significant digits (costs
  // computed in double would otherwise print as 0.9765499999999999).
  for (int precision = 1; precision <= 12; ++precision) {
    snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  std::string s = buf;
  // MLIR float literals need a '.' before an exponent ("1e-05" -> "1.0e-05").
  size_t e = s.find('e');
  if (e != std::string::npos && s.find('.') == std::string::npos) s.insert(e, ".0");
  return s;
}

void dnnopt::hw::detail::printReal(AsmPrinter &printer, Real value) {
  printer << formatReal(value);
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

namespace {
using EmitFn = llvm::function_ref<InFlightDiagnostic()>;

bool validBits(int64_t bits) { return (bits >= 1 && bits <= 16) || bits == 32; }

std::string knownModels() {
  std::string s;
  for (unsigned i = 0; i < kNumLatencyModels; ++i)
    s += std::string(i ? ", " : "") + latencyModelName(LatencyModel(i));
  return s;
}

std::string knownLayerKinds() {
  std::string s;
  for (unsigned i = 0; i + 1 < kNumLayerKinds; ++i) // "view" is always free
    s += std::string(i ? ", " : "") + layerKindName(LayerKind(i));
  return s;
}

LogicalResult checkPower(EmitFn emitError, StringRef what, double mw) {
  if (!std::isfinite(mw) || mw < 0)
    return emitError() << what << " must be a non-negative power in mW, got "
                       << dnnopt::hw::detail::formatReal(mw);
  return success();
}
} // namespace

LogicalResult PrecisionAttr::verify(EmitFn emitError, int64_t a, int64_t w, Real macsPerCycle) {
  if (!validBits(a))
    return emitError() << "activation width must be 1 to 16 bits or 32 (float32), got " << a;
  if (!validBits(w))
    return emitError() << "weight width must be 1 to 16 bits or 32 (float32), got " << w;
  if (!std::isfinite(macsPerCycle) || macsPerCycle < 0)
    return emitError() << "macs_per_cycle must be non-negative, got "
                       << dnnopt::hw::detail::formatReal(macsPerCycle);
  return success();
}

LogicalResult ComputeUnitAttr::verify(EmitFn emitError, StringRef name, UnitKind, Real freqMHz,
                                      int64_t cores, StringRef model, ArrayAttr precisions,
                                      ArrayAttr layers, Real activeMW, Real idleMW) {
  if (name.empty()) return emitError() << "compute unit needs a non-empty name";
  auto emit = [&]() { return emitError() << "unit '" << name << "': "; };
  if (!std::isfinite(freqMHz) || freqMHz <= 0)
    return emit() << "freq_mhz must be positive, got " << dnnopt::hw::detail::formatReal(freqMHz);
  if (cores < 1) return emit() << "cores must be at least 1, got " << cores;
  std::optional<LatencyModel> m = latencyModelFromName(model.str());
  if (!m)
    return emit() << "unknown latency model '" << model << "' (known: " << knownModels() << ")";
  if (precisions.empty()) return emit() << "needs at least one precision";
  llvm::StringSet<> seen;
  for (Attribute attr : precisions) {
    auto p = dyn_cast<PrecisionAttr>(attr);
    if (!p) return emit() << "precisions must be #hw.precision attributes, got " << attr;
    Precision prec{int(p.getA()), int(p.getW())};
    if (!seen.insert(prec.str()).second)
      return emit() << "precision " << prec.str() << " is listed twice";
    std::string why;
    if (!modelAcceptsPrecision(*m, prec, &why))
      return emit() << "latency model '" << model << "' " << why;
    if (*m == LatencyModel::Throughput && p.getMacsPerCycle() <= 0)
      return emit() << "precision " << prec.str()
                    << " needs macs_per_cycle > 0 (the throughput model divides MACs by it)";
    if (*m != LatencyModel::Throughput && p.getMacsPerCycle() != 0)
      return emit() << "precision " << prec.str()
                    << ": macs_per_cycle is only read by the throughput model; '" << model
                    << "' computes latency with its own formula";
  }
  if (layers) {
    for (Attribute attr : layers) {
      auto s = dyn_cast<StringAttr>(attr);
      std::optional<LayerKind> kind = s ? layerKindFromName(s.getValue().str()) : std::nullopt;
      if (!kind || *kind == LayerKind::View)
        return emit() << "unknown layer kind " << attr << " (known: " << knownLayerKinds() << ")";
      if (!(modelLayerKinds(*m) & layerBit(*kind)))
        return emit() << "latency model '" << model << "' has no formula for "
                      << layerKindName(*kind) << " layers";
    }
  }
  if (failed(checkPower(emit, "active_mw", activeMW)) || failed(checkPower(emit, "idle_mw", idleMW)))
    return failure();
  return success();
}

LogicalResult MemoryAttr::verify(EmitFn emitError, StringRef name, MemoryKind, int64_t size,
                                 Real bandwidth, ArrayAttr units) {
  if (name.empty()) return emitError() << "memory needs a non-empty name";
  auto emit = [&]() { return emitError() << "memory '" << name << "': "; };
  if (size <= 0) return emit() << "size must be a positive number of bytes, got " << size;
  if (!std::isfinite(bandwidth) || bandwidth < 0)
    return emit() << "bandwidth must be non-negative, got " << dnnopt::hw::detail::formatReal(bandwidth);
  if (units)
    for (Attribute attr : units)
      if (!isa<StringAttr>(attr)) return emit() << "units must be unit names, got " << attr;
  return success();
}

LogicalResult TargetAttr::verify(EmitFn emitError, StringRef name, ArrayAttr units,
                                 ArrayAttr memories, Real baseMW) {
  if (name.empty()) return emitError() << "target needs a non-empty name";
  auto emit = [&]() { return emitError() << "target '" << name << "': "; };
  if (units.empty()) return emit() << "needs at least one compute unit";
  llvm::StringSet<> unitNames;
  for (Attribute attr : units) {
    auto u = dyn_cast<ComputeUnitAttr>(attr);
    if (!u) return emit() << "units must be #hw.unit attributes, got " << attr;
    if (!unitNames.insert(u.getName()).second)
      return emit() << "two compute units are named '" << u.getName() << "'";
  }
  llvm::StringSet<> memoryNames;
  bool hasRam = false;
  for (Attribute attr : memories) {
    auto m = dyn_cast<MemoryAttr>(attr);
    if (!m) return emit() << "memories must be #hw.memory attributes, got " << attr;
    if (!memoryNames.insert(m.getName()).second)
      return emit() << "two memories are named '" << m.getName() << "'";
    hasRam |= m.getKind() == MemoryKind::ram;
    if (m.getUnits())
      for (Attribute u : m.getUnits())
        if (!unitNames.contains(cast<StringAttr>(u).getValue()))
          return emit() << "memory '" << m.getName() << "' is visible to unknown unit " << u;
  }
  if (!hasRam) return emit() << "needs at least one ram memory (activations live there)";
  return checkPower(emit, "base_mw", baseMW);
}

ComputeUnitAttr TargetAttr::lookupUnit(StringRef unitName) const {
  for (Attribute attr : getUnits())
    if (auto u = dyn_cast<ComputeUnitAttr>(attr); u && u.getName() == unitName) return u;
  return {};
}

#include "dialects/hw/HwInterfaces.h"
#include "dialects/hw/HwInterfaces.cpp.inc"
