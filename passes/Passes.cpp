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
  // Identities first so every later pattern sees producer -> consumer directly.
  pm.addPass(createDnnDropIdentity());
  pm.addPass(createDnnConstantFold());
  pm.addPass(createDnnCanonicalizeShapes());
  pm.addPass(createDnnFoldPad());
  // Batch norm before activation fusion: a fused clamp blocks the BN fold.
  pm.addPass(createDnnFoldBatchNorm());
  pm.addPass(createDnnFuseActivation());
  // Fold what the rewrites exposed and drop the weights they replaced.
  pm.addPass(createDnnConstantFold());
}

bool hasQuantizationOps(mlir::Operation *root) {
  bool found = false;
  root->walk([&](mlir::Operation *op) {
    found |= mlir::isa<dnn::QuantizeLinearOp, dnn::DequantizeLinearOp, dnn::QLinearConvOp,
                       dnn::QLinearMatMulOp>(op);
  });
  return found;
}

void buildQuantLoweringPipeline(mlir::OpPassManager &pm) {
  pm.addPass(createDnnLowerQuant());
  pm.addPass(createDnnCanonicalizeShapes());
  // After the shape cleanup, so flatten reshapes meet the fully connected layers.
  pm.addPass(createDnnGroupPrecision());
}

void registerDnnoptPasses() {
  registerDnnPasses();
  mlir::PassPipelineRegistration<>(
      "dnn-cleanup", "Graph cleanup before code generation (all dnn-* simplifications)",
      buildCleanupPipeline);
}
} // namespace dnnopt
