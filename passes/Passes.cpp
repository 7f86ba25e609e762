//===- Passes.cpp - pass registration and pipelines ------------------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace dnnopt {
namespace {
#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"
} // namespace

void buildCleanupPipeline(mlir::OpPassManager &pm) {







}

void registerDnnoptPasses() {
  registerDnnPasses();
  mlir::PassPipelineRegistration<>(
      "dnn-cleanup", "Graph cleanup before code generation (all dnn-* simplifications)",
      buildCleanupPipeline);
}
} // namespace dnnopt
