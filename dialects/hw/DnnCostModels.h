//===- DnnCostModels.h - cost model interface on the dnn ops ---*- C++ -*-===//
#ifndef DNNOPT_DIALECTS_HW_DNNCOSTMODELS_H
#define DNNOPT_DIALECTS_HW_DNNCOSTMODELS_H

namespace mlir {
class DialectRegistry;
}

namespace dnnopt::hw {

/// Attaches CostModelOpInterface (external models) to every dnn op except
/// dnn.constant, when the dnn dialect is loaded in a context using `registry`.
void registerCostModelInterfaces(mlir::DialectRegistry &registry);

} // namespace dnnopt::hw

#endif
