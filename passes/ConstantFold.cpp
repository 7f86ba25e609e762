//===- ConstantFold.cpp - fold ops with constant operands -----------------===//
//
// Runs the dnn ops' folders greedily (no patterns): an op whose operands are all
// constants and whose folder handles it becomes a dnn.constant at the op's place
// and location; folders that return an operand (identity, dropout, no-op
// reshape/transpose/slice/pad, single-input concat) forward it. Constants are
// not hoisted or deduplicated, so weights keep their locations. Constants left
// without uses are erased.
//
//===----------------------------------------------------------------------===//
#include "passes/PassUtils.h"
#include "passes/Passes.h"

namespace dnnopt {
#define GEN_PASS_DEF_DNNCONSTANTFOLD
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;

namespace dnnopt {
struct DnnConstantFold : impl::DnnConstantFoldBase<DnnConstantFold> {
  void runOnOperation() override {
    GreedyRewriteConfig config;
    config.enableFolding(true);
    config.enableConstantCSE(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    RewritePatternSet patterns(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();

    SmallVector<Operation *> dead;
    getOperation()->walk([&](dnn::ConstantOp c) {
      if (c->use_empty()) dead.push_back(c);
    });
    for (Operation *op : dead) op->erase();
  }
};
} // namespace dnnopt
