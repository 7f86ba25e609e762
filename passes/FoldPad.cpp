//===- FoldPad.cpp - fold an explicit pad into the consumer's padding ------===//
//
// conv(pad(x)) -> conv(x) with the pad's spatial amounts added to the conv's own
// `pads`, when the dnn.pad is constant mode, has no other use, does not crop
// (no negative amount), leaves the N and C axes alone and pads with the value the
// consumer's implicit padding stands for:
//   conv      value 0;
//   max_pool  value -inf (an implicit pad never wins the max), no ceil_mode;
//   avg_pool  value 0, no ceil_mode, and either count_include_pad already set or
//             no pads of its own; the folded op gets count_include_pad = true so
//             the explicit zeros keep counting in the divisor.
// ceil_mode is excluded because its "last window starts inside" rule depends on
// where the padding came from, so the output extent could change.
//
//===----------------------------------------------------------------------===//
#include "passes/PassUtils.h"
#include "passes/Passes.h"

#include <cmath>

namespace dnnopt {
#define GEN_PASS_DEF_DNNFOLDPAD
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;

namespace {

/// The spatial amounts (begins then ends) of a foldable pad, or nothing.
std::optional<SmallVector<int64_t>> spatialPads(PadOp pad) {
  if (pad.getMode() != PadMode::constant || !pad.getResult().hasOneUse()) return std::nullopt;
  ArrayRef<int64_t> pads = pad.getPads();
  size_t rank = pads.size() / 2;
  if (rank < 3) return std::nullopt;
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; })) return std::nullopt;
  if (pads[0] || pads[1] || pads[rank] || pads[rank + 1]) return std::nullopt;
  SmallVector<int64_t> spatial(pads.begin() + 2, pads.begin() + rank);
  spatial.append(pads.begin() + rank + 2, pads.end());
  return spatial;
}

template <typename OpT>
struct FoldPadInto : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rewriter) const override {
    auto pad = op.getInput().template getDefiningOp<PadOp>();
    if (!pad) return failure();
    auto spatial = spatialPads(pad);
    if (!spatial) return rewriter.notifyMatchFailure(op, "pad is not foldable");
    if (!isa<FloatType>(cast<RankedTensorType>(pad.getType()).getElementType()))
      return rewriter.notifyMatchFailure(op, "only float tensors are folded");
    float value = pad.getValue().convertToFloat();
    bool setCountIncludePad = false;
    if constexpr (std::is_same_v<OpT, ConvOp>) {
      if (value != 0.0f) return rewriter.notifyMatchFailure(op, "conv pads with zeros");
    } else if constexpr (std::is_same_v<OpT, MaxPoolOp>) {
      if (!(std::isinf(value) && value < 0))
        return rewriter.notifyMatchFailure(op, "max_pool pads with -inf");
      if (op.getCeilMode()) return rewriter.notifyMatchFailure(op, "ceil_mode");
    } else {
      static_assert(std::is_same_v<OpT, AvgPoolOp>);
      if (value != 0.0f) return rewriter.notifyMatchFailure(op, "avg_pool pads with zeros");
      if (op.getCeilMode()) return rewriter.notifyMatchFailure(op, "ceil_mode");
      bool ownPads = llvm::any_of(op.getPads(), [](int64_t p) { return p != 0; });
      if (!op.getCountIncludePad() && ownPads)
        return rewriter.notifyMatchFailure(
            op, "own pads are excluded from the average, the explicit ones are not");
      setCountIncludePad = true;
    }
    ArrayRef<int64_t> own = op.getPads();
    if (own.size() != spatial->size()) return failure();
    SmallVector<int64_t> combined;
    for (auto [a, b] : llvm::zip(own, *spatial)) combined.push_back(a + b);

    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPads(combined);
      if constexpr (std::is_same_v<OpT, AvgPoolOp>)
        if (setCountIncludePad) op.setCountIncludePad(true);
    });
    rewriter.eraseOp(pad);
    return success();
  }
};

} // namespace

namespace dnnopt {
struct DnnFoldPad : impl::DnnFoldPadBase<DnnFoldPad> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldPadInto<ConvOp>, FoldPadInto<MaxPoolOp>, FoldPadInto<AvgPoolOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     passutil::patternsOnlyConfig())))
      signalPassFailure();
  }
};
} // namespace dnnopt
