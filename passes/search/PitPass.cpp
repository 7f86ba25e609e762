//===- PitPass.cpp - -dnn-search-pit ----------------------------------------===//
#include "passes/search/PitSearch.h"
#include "passes/search/SearchPasses.h"

#include "dialects/dnn/DnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

namespace dnnopt {
#define GEN_PASS_DEF_DNNSEARCHPIT
#include "passes/search/SearchPasses.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::search;

namespace {
struct SearchPitPass : public dnnopt::impl::DnnSearchPitBase<SearchPitPass> {
  using DnnSearchPitBase::DnnSearchPitBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isDeclaration()) return;
    auto fail = [&](const llvm::Twine &msg) {
      func.emitError("dnn-search-pit: ") << msg;
      signalPassFailure();
    };
    PitSearchOptions o;
    auto costKind = parsePitCost(cost);
    if (failed(costKind)) return fail("cost=" + cost + ": expected params or macs");
    o.cost = *costKind;
    if (failed(parseEpochs(epochs, o))) return fail("epochs=" + epochs + ": expected W,S,F");
    auto lossKind = parseLossKind(loss);
    if (failed(lossKind)) return fail("loss=" + loss + ": unknown (mae, mse, huber, ce)");
    o.loss = *lossKind;
    if (targetSize < 0) return fail("target-size must be positive");
    if (targetSize > 0) o.target = (double)targetSize;
    o.lambda = lambda;
    o.lr = lr;
    o.archLr = archLr;
    o.batch = batch;
    o.seed = seed;
    if (data.empty()) return fail("no training data: give data=FILE.npz|.csv");

    std::string err;
    auto sample = searchInputSample(func, err);
    if (failed(sample)) return fail(err);
    auto sets = loadSearchData(data, val, *sample, seed, err);
    if (failed(sets)) return fail(err);
    auto r = runPitSearch(func, sets->first, sets->second, o, progress ? &llvm::errs() : nullptr, err);
    if (failed(r)) return fail(err);

    std::string layers;
    for (size_t i = 0; i < r->seedLayers.size(); ++i) {
      const PitLayerShape &a = r->seedLayers[i], &b = r->foundLayers[i];
      layers += llvm::formatv("; {0}: {1}/{2}/{3} -> {4}/{5}/{6}", a.name, a.cout, a.kernel, a.dilation, b.cout,
                              b.kernel, b.dilation)
                    .str();
    }
    const char *metric = metricName(o.loss);
    func.emitRemark() << llvm::formatv("dnn-search-pit: {0} of the searched layers {1:F0} -> {2:F0}, val {3} "
                                       "{4:F4} -> {5:F4} (Cout/kernel/dilation{6})",
                                       pitCostName(o.cost), r->seedCost, r->foundCost, metric, r->seedMetric,
                                       r->foundMetric, layers)
                             .str();
    if (!r->targetMet)
      func.emitWarning() << llvm::formatv("dnn-search-pit: the found {0} {1:F0} exceed target-size {2:F0}",
                                          pitCostName(o.cost), r->foundCost, *o.target)
                                .str();
  }
};
} // namespace

