//===- HwAttrs.td - hw dialect attributes ---------------------------------===//
//
// Every attribute uses the keyword syntax `#hw.name<key = value, ...>` (keys in
// any order; keys with a default may be left out). Real numbers accept integer
// or decimal literals. Sizes are bytes, clocks MHz, powers mW, bandwidths bytes
// per cycle of the unit that reads the memory.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_HW_ATTRS_TD
#define DNNOPT_HW_ATTRS_TD

include "HwDialect.td"

class Hw_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Hw_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
}

// A real number, printed in its shortest round-tripping form.
class Hw_Real<string desc, string default = ""> : AttrOrTypeParameter<"::dnnopt::hw::Real", desc> {
  let parser = "::dnnopt::hw::detail::parseReal($_parser)";
  let printer = "::dnnopt::hw::detail::printReal($_printer, $_self)";
  let defaultValue = !if(!empty(default), "", "::dnnopt::hw::Real(" # default # ")");
}

def Hw_PrecisionAttr : Hw_Attr<"Precision", "precision"> {
  let summary = "A supported (activation bits, weight bits) pair and its throughput";
  let description = [{
    `a` and `w` are the activation and weight widths in bits: 1 to 16 for
    integers, 32 for IEEE float32. `macs_per_cycle` is the sustained throughput of
    the unit at this precision; only the `throughput` latency model reads it (and
    requires it), the named models compute latency with their own formula.

    ```mlir
    #hw.precision<a = 8, w = 4, macs_per_cycle = 2.3>
    ```
  }];
  let parameters = (ins "int64_t":$a, "int64_t":$w,
                        Hw_Real<"sustained MACs per cycle (throughput model)", "0.0">:$macs_per_cycle);
  let genVerifyDecl = 1;
}

def Hw_ComputeUnitAttr : Hw_Attr<"ComputeUnit", "unit"> {
  let summary = "A compute unit of a target";
  let description = [{
    - `name`: unique within the target; ops are mapped to units by name
      (`dnnopt.unit`).
    - `kind`: `cpu`, `multicore`, `digital_accelerator` or `analog_imc`.
    - `freq_mhz`: clock; latencies are cycles of this clock.
    - `cores`: cores working in parallel (elementwise/pooling estimates divide by it).
    - `model`: latency formula: `throughput` (cycles = MACs / macs_per_cycle),
      `cortex_m4`, `cortex_m7`, `gap8_cluster`, `diana_digital`, `diana_analog`
      (docs/targets.md gives each formula).
    - `precisions`: the `#hw.precision` pairs the unit runs.
    - `layers` (optional): restricts the layer kinds the unit runs (`conv`,
      `depthwise_conv`, `conv_transpose`, `linear`, `pool`, `elementwise`,
      `nonlinear`, `reduce`, `copy`); default: all the model supports.
    - `active_mw` / `idle_mw`: power while the unit computes / while it waits,
      on top of the target's `base_mw`.
  }];
  let parameters = (ins StringRefParameter<"unit name">:$name,
                        EnumParameter<Hw_UnitKind>:$kind,
                        Hw_Real<"clock in MHz">:$freq_mhz,
                        DefaultValuedParameter<"int64_t", "1">:$cores,
                        StringRefParameter<"latency model">:$model,
                        "::mlir::ArrayAttr":$precisions,
                        OptionalParameter<"::mlir::ArrayAttr">:$layers,
                        Hw_Real<"power while computing (mW)", "0.0">:$active_mw,
                        Hw_Real<"power while idle (mW)", "0.0">:$idle_mw);
  let genVerifyDecl = 1;
}

def Hw_MemoryAttr : Hw_Attr<"Memory", "memory"> {
  let summary = "A memory level of a target";
  let description = [{
    `kind` is `ram` (activations; weights too when the target has no flash) or
    `flash` (read-only weights). `size` in bytes, `bandwidth` in bytes per cycle,
    `units`: names of the units that see this memory (default: all).
  }];
  let parameters = (ins StringRefParameter<"memory name">:$name,
                        EnumParameter<Hw_MemoryKind>:$kind,
                        "int64_t":$size,
                        Hw_Real<"bytes per cycle", "0.0">:$bandwidth,
                        OptionalParameter<"::mlir::ArrayAttr">:$units);
  let genVerifyDecl = 1;
}

def Hw_TargetAttr : Hw_Attr<"Target", "target"> {
  let summary = "A compilation target: compute units, memories, always-on power";
  let description = [{
    Attached to a module as `dnnopt.target`. `base_mw` is the power drawn while
    an inference runs whatever the units do (clock tree, memories, host).

    ```mlir
    #hw.target<name = "tiny", base_mw = 1.5,
      units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 64, model = "cortex_m4",
                        precisions = [#hw.precision<a = 8, w = 8>], active_mw = 6.0>],
      memories = [#hw.memory<name = "flash", kind = flash, size = 262144>,
                  #hw.memory<name = "sram", kind = ram, size = 65536, bandwidth = 4>]>
    ```
  }];
  let parameters = (ins StringRefParameter<"target name">:$name,
                        "::mlir::ArrayAttr":$units,
                        "::mlir::ArrayAttr":$memories,
                        Hw_Real<"always-on power (mW)", "0.0">:$base_mw);
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The unit named `name`, or null.
    ComputeUnitAttr lookupUnit(::llvm::StringRef name) const;
  }];
}

def Hw_CostAttr : Hw_Attr<"Cost", "cost"> {
  let summary = "Cost figures of one layer on the unit it is mapped to";
  let description = [{
    Written by `-dnnopt-annotate-cost` as `dnnopt.cost` on every op with a cost
    model: the unit, the precision, MACs, parameter and activation bytes at that
    precision, latency in cycles of the unit and in ms, energy in uJ.
  }];
  let parameters = (ins StringRefParameter<"unit">:$unit, "int64_t":$a, "int64_t":$w,
                        "int64_t":$macs, Hw_Real<"parameter bytes">:$param_bytes,
                        Hw_Real<"activation bytes">:$act_bytes, Hw_Real<"cycles">:$cycles,
                        Hw_Real<"latency (ms)">:$latency_ms, Hw_Real<"energy (uJ)">:$energy_uj);
}

def Hw_SummaryAttr : Hw_Attr<"Summary", "summary"> {
  let summary = "Totals of a model on its target";
  let description = [{
    Written by `-dnnopt-annotate-cost` on the module as `dnnopt.cost_summary`:
    the number of costed layers and the sums of their figures.
  }];
  let parameters = (ins "int64_t":$layers, "int64_t":$macs, Hw_Real<"parameter bytes">:$param_bytes,
                        Hw_Real<"latency (ms)">:$latency_ms, Hw_Real<"energy (uJ)">:$energy_uj);
}

#endif
