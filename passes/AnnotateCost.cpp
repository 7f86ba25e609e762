//===- AnnotateCost.cpp - -dnnopt-annotate-cost ----------------------------===//
//
// Writes the per-layer cost figures of a target on the IR (#hw.cost per op,
// #hw.summary on the module), from the same analysis as `dnnopt report`.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/hw/CostAnalysis.h"
#include "dialects/hw/DnnCostModels.h"
#include "dialects/hw/HwAttrs.h"
#include "dialects/hw/HwDialect.h"
#include "dialects/hw/TargetModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"

#include <cmath>

namespace dnnopt {
#define GEN_PASS_DEF_DNNOPTANNOTATECOST
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::hw;

namespace {
struct AnnotateCost : ::dnnopt::impl::DnnoptAnnotateCostBase<AnnotateCost> {
  using DnnoptAnnotateCostBase::DnnoptAnnotateCostBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    DnnoptAnnotateCostBase::getDependentDialects(registry);
    registerCostModelInterfaces(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    TargetAttr targetAttr;
    if (!target.empty() || !targetFile.empty()) {
      std::string error;
      targetAttr = resolveTarget(ctx, target, targetFile, error);
      if (!targetAttr) {
        module.emitError() << error;
        return signalPassFailure();
      }
      module->setAttr(kTargetAttrName, targetAttr);
    } else {
      targetAttr = getModuleTarget(module);
      if (Attribute a = module->getAttr(kTargetAttrName); a && !targetAttr) {
        module.emitError() << kTargetAttrName << " must be a #hw.target attribute, got " << a;
        return signalPassFailure();
      }
      if (!targetAttr) {
        module.emitError() << "no target: give the pass target=NAME (one of "
                           << knownTargetList() << ") or target-file=FILE, or set "
                           << kTargetAttrName << " on the module";
        return signalPassFailure();
      }
    }
    std::optional<Precision> precision = parsePrecision(this->precision);
    if (!precision) {
      module.emitError() << "precision '" << this->precision
                         << "' is not of the form aXwY (e.g. a8w8; a32w32 is float32)";
      return signalPassFailure();
    }
    CostOptions options;
    options.defaultPrecision = *precision;
    TargetModel model = buildTargetModel(targetAttr);
    std::optional<ModelEstimate> estimate = estimateModelCost(module, model, options);
    if (!estimate) return signalPassFailure();
    for (const LayerEstimate &l : estimate->layers) {
      const LayerCost<double> &c = l.cost;
      l.op->setAttr(kCostAttrName,
                    CostAttr::get(ctx, model.units[l.unit].name, l.precision.aBits,
                                  l.precision.wBits, int64_t(std::llround(c.macs)), c.paramBytes,
                                  c.actBytes, c.cycles, c.latencyMs, c.energyUJ));
    }
    module->setAttr(kSummaryAttrName,
                    SummaryAttr::get(ctx, int64_t(estimate->layers.size()),
                                     int64_t(std::llround(estimate->macs)), estimate->paramBytes,
                                     estimate->latencyMs, estimate->energyUJ));
  }
};
} // namespace
