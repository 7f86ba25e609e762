//===- dnnopt-opt.cpp - mlir-opt for dnnopt's dialects and passes ---------===//
#include "dialects/dnn/DnnDialect.h"
#include "dialects/hw/DnnCostModels.h"
#include "dialects/hw/HwDialect.h"
#include "passes/Passes.h"
#include "passes/search/SearchPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<dnnopt::dnn::DnnDialect, dnnopt::hw::HwDialect, mlir::func::FuncDialect>();
  dnnopt::hw::registerCostModelInterfaces(registry);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  dnnopt::registerDnnoptPasses();
  dnnopt::registerDnnSearchPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dnnopt optimizer driver\n", registry));
}
