//===- DnnCostModels.h - cost model interface on the dnn ops ---*- C++ -*-===//
#ifndef DNNOPT_DIALECTS_HW_DNNCOSTMODELS_H
#define DNNOPT_DIALECTS_HW_DNNCOSTMODELS_H

namespace mlir {
class DialectRegistry;
class MLIRContext;
}

namespace dnnopt::hw {

/// Attaches CostModelOpInterface (external models) to every dnn op except
/// dnn.constant, when the dnn dialect is loaded in a context using `registry`.
void registerCostModelInterfaces(mlir::DialectRegistry &registry);

/// Makes `ctx` ready for cost queries: the interfaces above registered and the hw
/// dialect loaded.
void loadCostModels(mlir::MLIRContext &ctx);

} // namespace dnnopt::hw

#endif
