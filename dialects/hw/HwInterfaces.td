//===- HwInterfaces.td - cost model op interface --------------------------===//
#ifndef DNNOPT_HW_INTERFACES_TD
#define DNNOPT_HW_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Hw_CostModelOpInterface : OpInterface<"CostModelOpInterface"> {
  let cppNamespace = "::dnnopt::hw";
  let description = [{
    An op whose hardware cost the target formulas can estimate. The op only
    describes its geometry (layer kind, channels, kernel, spatial extents,
    element counts); the formulas themselves are templates in
    dialects/hw/CostFormulas.h, evaluated by `cost<T>()` with T = double for
    reports and decisions or an AD type for the searches. dnn ops implement the
    interface through external models (registerCostModelInterfaces), so the
    dnn dialect does not depend on hw.
  }];
  let methods = [
    InterfaceMethod<"The geometry the cost formulas read",
                    "::dnnopt::hw::LayerGeometry", "getLayerGeometry", (ins)>,
  ];
  let extraClassDeclaration = [{
    /// Cost on `unit` at `precision` with `cin` / `cout` (possibly fractional)
    /// input / output channels.
    template <typename T>
    ::dnnopt::hw::LayerCost<T> cost(const ::dnnopt::hw::UnitModel &unit,
                                    ::dnnopt::hw::Precision precision, const T &cin,
                                    const T &cout) {
      return ::dnnopt::hw::layerCost<T>(getLayerGeometry(), unit, precision, cin, cout);
    }
    /// Plain figures at the op's own channel counts.
    ::dnnopt::hw::LayerCost<double> cost(const ::dnnopt::hw::UnitModel &unit,
                                         ::dnnopt::hw::Precision precision) {
      return ::dnnopt::hw::layerCost(getLayerGeometry(), unit, precision);
    }
  }];
}

#endif
