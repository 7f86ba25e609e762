//===- TargetModel.cpp - built-in targets, target files, plain models ------===//
#include "dialects/hw/TargetModel.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>

using namespace mlir;
using namespace dnnopt::hw;

//===----------------------------------------------------------------------===//
// Built-in targets. Sources of every figure: docs/targets.md.
//===----------------------------------------------------------------------===//

namespace {
struct Builtin {
  llvm::StringRef name;
  llvm::StringRef text;
};

const Builtin kBuiltins[] = {
    {"stm32l4", R"(#hw.target<name = "stm32l4",
  units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 120, model = "cortex_m4",
                    precisions = [#hw.precision<a = 8, w = 8>, #hw.precision<a = 8, w = 4>,
                                  #hw.precision<a = 8, w = 2>, #hw.precision<a = 4, w = 8>,
                                  #hw.precision<a = 4, w = 4>, #hw.precision<a = 4, w = 2>,
                                  #hw.precision<a = 2, w = 8>, #hw.precision<a = 2, w = 4>,
                                  #hw.precision<a = 2, w = 2>, #hw.precision<a = 32, w = 32>],
                    active_mw = 12.3>],
  memories = [#hw.memory<name = "flash", kind = flash, size = 2097152, bandwidth = 4>,
              #hw.memory<name = "sram", kind = ram, size = 655360, bandwidth = 4>]>)"},
    {"stm32h7", R"(#hw.target<name = "stm32h7",
  units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 480, model = "cortex_m7",
                    precisions = [#hw.precision<a = 8, w = 8>, #hw.precision<a = 8, w = 4>,
                                  #hw.precision<a = 8, w = 2>, #hw.precision<a = 4, w = 8>,
                                  #hw.precision<a = 4, w = 4>, #hw.precision<a = 4, w = 2>,
                                  #hw.precision<a = 2, w = 8>, #hw.precision<a = 2, w = 4>,
                                  #hw.precision<a = 2, w = 2>, #hw.precision<a = 32, w = 32>],
                    active_mw = 300>],
  memories = [#hw.memory<name = "flash", kind = flash, size = 2097152, bandwidth = 8>,
              #hw.memory<name = "dtcm", kind = ram, size = 131072, bandwidth = 8>,
              #hw.memory<name = "axi_sram", kind = ram, size = 524288, bandwidth = 8>]>)"},
    {"gap8", R"(#hw.target<name = "gap8",
  units = [#hw.unit<name = "fc", kind = cpu, freq_mhz = 250, model = "throughput",
                    precisions = [#hw.precision<a = 8, w = 8, macs_per_cycle = 2>],
                    active_mw = 10>,
           #hw.unit<name = "cluster", kind = multicore, freq_mhz = 175, cores = 8,
                    model = "gap8_cluster",
                    precisions = [#hw.precision<a = 8, w = 8>], active_mw = 80>],
  memories = [#hw.memory<name = "l1", kind = ram, size = 65536, bandwidth = 64, units = ["cluster"]>,
              #hw.memory<name = "l2", kind = ram, size = 524288, bandwidth = 8, units = ["fc", "cluster"]>,
              #hw.memory<name = "hyperflash", kind = flash, size = 67108864, bandwidth = 1,
                         units = ["fc", "cluster"]>]>)"},
    {"diana", R"(#hw.target<name = "diana", base_mw = 11.31,
  units = [#hw.unit<name = "host", kind = cpu, freq_mhz = 260, model = "throughput",
                    precisions = [#hw.precision<a = 8, w = 8, macs_per_cycle = 1>]>,
           #hw.unit<name = "digital", kind = digital_accelerator, freq_mhz = 260,
                    model = "diana_digital", precisions = [#hw.precision<a = 8, w = 8>],
                    active_mw = 13.65>,
           #hw.unit<name = "analog", kind = analog_imc, freq_mhz = 260, model = "diana_analog",
                    precisions = [#hw.precision<a = 8, w = 2>], active_mw = 17.43>],
  memories = [#hw.memory<name = "l2", kind = ram, size = 524288>]>)"},
    {"mpic", R"(#hw.target<name = "mpic",
  units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 250, model = "throughput",
                    precisions = [#hw.precision<a = 2, w = 2, macs_per_cycle = 6.5>,
                                  #hw.precision<a = 2, w = 4, macs_per_cycle = 4.0>,
                                  #hw.precision<a = 2, w = 8, macs_per_cycle = 2.2>,
                                  #hw.precision<a = 4, w = 2, macs_per_cycle = 3.9>,
                                  #hw.precision<a = 4, w = 4, macs_per_cycle = 3.5>,
                                  #hw.precision<a = 4, w = 8, macs_per_cycle = 2.1>,
                                  #hw.precision<a = 8, w = 2, macs_per_cycle = 2.5>,
                                  #hw.precision<a = 8, w = 4, macs_per_cycle = 2.3>,
                                  #hw.precision<a = 8, w = 8, macs_per_cycle = 2.1>],
                    active_mw = 5>],
  memories = [#hw.memory<name = "l2", kind = ram, size = 524288>]>)"},
};
} // namespace

ArrayRef<StringRef> dnnopt::hw::builtinTargetNames() {
  static const StringRef names[] = {"stm32l4", "stm32h7", "gap8", "diana", "mpic"};
  return names;
}

std::string dnnopt::hw::knownTargetList() { return llvm::join(builtinTargetNames(), ", "); }

std::optional<StringRef> dnnopt::hw::builtinTargetText(StringRef name) {
  for (const Builtin &b : kBuiltins)
    if (b.name == name) return b.text;
  return std::nullopt;
}

TargetAttr dnnopt::hw::getBuiltinTarget(MLIRContext *ctx, StringRef name) {
  std::optional<StringRef> text = builtinTargetText(name);
  if (!text) return {};
  std::string error;
  TargetAttr t = parseTargetText(ctx, *text, ("<builtin " + name + ">").str(), error);
  if (!t) llvm::report_fatal_error(llvm::Twine("built-in target does not parse: ") + error);
  return t;
}

//===----------------------------------------------------------------------===//
// Target files
//===----------------------------------------------------------------------===//

TargetAttr dnnopt::hw::parseTargetText(MLIRContext *ctx, StringRef text, StringRef bufferName,
                                       std::string &error) {
  ctx->getOrLoadDialect<HwDialect>();
  // Keep the first diagnostic with its position in `text`.
  std::string message;
  unsigned line = 0, column = 0;
  Attribute attr;
  {
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &d) {
      if (!message.empty()) return success();
      message = d.str();
      if (auto loc = dyn_cast<FileLineColLoc>(d.getLocation()))
        line = loc.getLine(), column = loc.getColumn();
      return success();
    });
    // mlir::parseAttribute miscounts the characters it consumed when the text
    // holds comments, so blank them out here (keeping lines and columns).
    std::string buffer = text.str();
    bool inString = false;
    for (size_t i = 0; i < buffer.size(); ++i) {
      char c = buffer[i];
      if (inString) {
        if (c == '\\') ++i;
        else if (c == '"') inString = false;
      } else if (c == '"') {
        inString = true;
      } else if (c == '/' && i + 1 < buffer.size() && buffer[i + 1] == '/') {
        for (; i < buffer.size() && buffer[i] != '\n'; ++i) buffer[i] = ' ';
      }
    }
    // It also miscounts leading whitespace: start at the attribute, and map
    // diagnostic positions back to the file.
    size_t start = buffer.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) start = buffer.size();
    unsigned startLine = 1 + unsigned(std::count(buffer.begin(), buffer.begin() + start, '\n'));
    size_t lineBegin = buffer.rfind('\n', start ? start - 1 : 0);
    unsigned startColumn = unsigned(start - (lineBegin == std::string::npos || start == 0 ? 0 : lineBegin + 1)) + 1;
    if (start == 0) startColumn = 1;
    std::string body = buffer.substr(start);
    attr = parseAttribute(body, ctx, Type(), nullptr, /*isKnownNullTerminated=*/true);
    if (line) {
      if (line == 1) column += startColumn - 1;
      line += startLine - 1;
    }
  }
  auto fail = [&](const std::string &msg) -> TargetAttr {
    std::string where = bufferName.str();
    if (line) where += ":" + std::to_string(line) + ":" + std::to_string(column);
    error = where + ": " + msg;
    if (line) {
      SmallVector<StringRef> lines;
      text.split(lines, '\n');
      if (line <= lines.size()) {
        error += "\n" + lines[line - 1].rtrim().str() + "\n";
        error += std::string(column ? column - 1 : 0, ' ') + "^";
      }
    }
    return {};
  };
  if (!attr) return fail(message.empty() ? "cannot parse the target description" : message);
  auto target = dyn_cast<TargetAttr>(attr);
  if (!target) {
    line = 0;
    return fail("expected a #hw.target<...> attribute");
  }
  return target;
}

TargetAttr dnnopt::hw::parseTargetFile(MLIRContext *ctx, StringRef path, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer) {
    error = (path + ": cannot read target file: " + buffer.getError().message()).str();
    return {};
  }
  return parseTargetText(ctx, (*buffer)->getBuffer(), path, error);
}

TargetAttr dnnopt::hw::resolveTarget(MLIRContext *ctx, StringRef name, StringRef file,
                                     std::string &error) {
  if (!file.empty()) {
    TargetAttr t = parseTargetFile(ctx, file, error);
    if (t && !name.empty() && t.getName() != name) {
      error = (file + ": describes target '" + t.getName() + "', but --target asks for '" +
               name + "'")
                  .str();
      return {};
    }
    return t;
  }
  if (name.empty()) {
    error = "no target: pass --target NAME (one of " + knownTargetList() +
            ") or --target-file FILE";
    return {};
  }
  TargetAttr t = getBuiltinTarget(ctx, name);
  if (!t)
    error = ("unknown target '" + name + "'; known targets: " + knownTargetList() +
             " (or describe your own with --target-file)")
                .str();
  return t;
}

std::optional<Precision> dnnopt::hw::parsePrecision(StringRef text) {
  StringRef s = text.trim();
  if (!s.consume_front("a")) return std::nullopt;
  size_t w = s.find('w');
  if (w == StringRef::npos) return std::nullopt;
  unsigned a = 0, wb = 0;
  if (s.take_front(w).getAsInteger(10, a) || s.drop_front(w + 1).getAsInteger(10, wb))
    return std::nullopt;
  if (!((a >= 1 && a <= 16) || a == 32) || !(wb <= 16 || wb == 32)) return std::nullopt;
  return Precision{int(a), int(wb)};
}

TargetAttr dnnopt::hw::getModuleTarget(ModuleOp module) {
  return module->getAttrOfType<TargetAttr>(kTargetAttrName);
}

//===----------------------------------------------------------------------===//
// Plain models
//===----------------------------------------------------------------------===//

int TargetModel::findUnit(StringRef unitName) const {
  for (size_t i = 0; i < units.size(); ++i)
    if (units[i].name == unitName) return int(i);
  return -1;
}

TargetModel dnnopt::hw::buildTargetModel(TargetAttr target) {
  TargetModel t;
  t.name = target.getName().str();
  t.baseMW = target.getBaseMw();
  double idleSum = 0;
  for (Attribute attr : target.getUnits()) {
    auto u = cast<ComputeUnitAttr>(attr);
    UnitModel m;
    m.name = u.getName().str();
    m.model = *latencyModelFromName(u.getModel().str());
    m.freqMHz = u.getFreqMhz();
    m.cores = u.getCores();
    for (Attribute pa : u.getPrecisions()) {
      auto p = cast<PrecisionAttr>(pa);
      m.precisions.push_back({Precision{int(p.getA()), int(p.getW())}, p.getMacsPerCycle()});
    }
    m.layerKinds = modelLayerKinds(m.model);
    if (ArrayAttr layers = u.getLayers()) {
      uint32_t mask = layerBit(LayerKind::View);
      for (Attribute l : layers)
        mask |= layerBit(*layerKindFromName(cast<StringAttr>(l).getValue().str()));
      m.layerKinds &= mask;
    }
    m.activeMW = u.getActiveMw();
    m.backgroundMW = u.getIdleMw(); // replaced below
    idleSum += u.getIdleMw();
    t.units.push_back(std::move(m));
  }
  for (UnitModel &m : t.units) m.backgroundMW = t.baseMW + idleSum - m.backgroundMW;
  for (Attribute attr : target.getMemories()) {
    auto mem = cast<MemoryAttr>(attr);
    MemoryModel m;
    m.name = mem.getName().str();
    m.kind = mem.getKind();
    m.size = mem.getSize();
    m.bandwidth = mem.getBandwidth();
    if (ArrayAttr units = mem.getUnits()) {
      for (Attribute u : units) m.units.push_back(t.findUnit(cast<StringAttr>(u).getValue()));
    } else {
      for (unsigned i = 0; i < t.units.size(); ++i) m.units.push_back(i);
    }
    t.memories.push_back(std::move(m));
  }
  return t;
}
