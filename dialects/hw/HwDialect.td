//===- HwDialect.td - hw dialect definition -------------------------------===//
#ifndef DNNOPT_HW_DIALECT_TD
#define DNNOPT_HW_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Hw_Dialect : Dialect {
  let name = "hw";
  let cppNamespace = "::dnnopt::hw";
  let summary = "Hardware description of compilation targets and their cost figures";
  let description = [{
    The `hw` dialect describes the microcontroller a model is compiled for, as
    attributes: a `#hw.target` lists the compute units (`#hw.unit`: kind, clock,
    supported activation/weight precisions with their throughput or a named
    latency formula, power), the memory levels (`#hw.memory`: kind, size,
    bandwidth, which units see them) and the always-on power. The target of a
    module is its `dnnopt.target` attribute. The cost formulas that read these
    descriptions are C++ templates over the number type (dialects/hw/CostFormulas.h)
    shared by the searches, the compiler's decisions, `dnnopt report` and
    `-dnnopt-annotate-cost`, which writes `#hw.cost` figures on the IR.
    Built-in targets and the formulas are documented in docs/targets.md.
  }];
  let useDefaultAttributePrinterParser = 1;
}

def Hw_UnitKind : I32EnumAttr<"UnitKind", "kind of compute unit", [
    I32EnumAttrCase<"cpu", 0>, I32EnumAttrCase<"multicore", 1>,
    I32EnumAttrCase<"digital_accelerator", 2>, I32EnumAttrCase<"analog_imc", 3>]> {
  let cppNamespace = "::dnnopt::hw";
  let genSpecializedAttr = 0;
}

def Hw_MemoryKind : I32EnumAttr<"MemoryKind", "kind of memory level", [
    I32EnumAttrCase<"ram", 0>, I32EnumAttrCase<"flash", 1>]> {
  let cppNamespace = "::dnnopt::hw";
  let genSpecializedAttr = 0;
}

#endif
