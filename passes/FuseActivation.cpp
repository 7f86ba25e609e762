//===- FuseActivation.cpp - fuse relu / clip into their producer ----------===//
//
// relu(p(...)) -> p(...) {clip_min = 0} and clip(p(...)) -> p(...) {clip_min,
// clip_max} for the ops that carry a fused output clamp (conv, conv_transpose,
// gemm, matmul, batch_norm, add), when the producer's result has no other use.
// A clamp already on the producer is intersected with the new one:
// clamp(clamp(x, a, b), c, d) == clamp(x, max(a, c), min(b, d)) as long as the
// two intervals overlap; otherwise nothing is fused. Infinite bounds are not
// stored (a missing bound is unbounded). leaky_relu is not a clamp and is not
// fused.
//
//===----------------------------------------------------------------------===//
#include "passes/PassUtils.h"
#include "passes/Passes.h"

#include <algorithm>
#include <cmath>

namespace dnnopt {
#define GEN_PASS_DEF_DNNFUSEACTIVATION
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

bool isFusionProducer(Operation *op) {
  return isa<ConvOp, ConvTransposeOp, GemmOp, MatMulOp, BatchNormOp, AddOp>(op);
}

/// Fuses the clamp [lo, hi] applied by `activation` (one operand, same type as its
/// result) into the producer of its operand.
LogicalResult fuseClamp(Operation *activation, float lo, float hi, PatternRewriter &rewriter) {
  Value input = activation->getOperand(0);
  Operation *producer = input.getDefiningOp();
  if (!producer || !isFusionProducer(producer))
    return rewriter.notifyMatchFailure(activation, "producer carries no fused clamp");
  if (!input.hasOneUse())
    return rewriter.notifyMatchFailure(activation, "producer result has other uses");
  if (!isa<FloatType>(cast<RankedTensorType>(input.getType()).getElementType()))
    return rewriter.notifyMatchFailure(activation, "only float results carry a clamp");
  if (std::isnan(lo) || std::isnan(hi)) return failure();

  float curLo = -kInf, curHi = kInf;
  if (auto a = producer->getAttrOfType<FloatAttr>("clip_min")) curLo = a.getValue().convertToFloat();
  if (auto a = producer->getAttrOfType<FloatAttr>("clip_max")) curHi = a.getValue().convertToFloat();
  float newLo = std::max(curLo, lo), newHi = std::min(curHi, hi);
  if (newLo > newHi)
    return rewriter.notifyMatchFailure(activation, "clamp intervals do not overlap");

  rewriter.modifyOpInPlace(producer, [&] {
    if (newLo != -kInf) producer->setAttr("clip_min", rewriter.getF32FloatAttr(newLo));
    else producer->removeAttr("clip_min");
    if (newHi != kInf) producer->setAttr("clip_max", rewriter.getF32FloatAttr(newHi));
    else producer->removeAttr("clip_max");
  });
  rewriter.replaceOp(activation, input);
  return success();
}

struct FuseRelu : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp op, PatternRewriter &rewriter) const override {
    return fuseClamp(op, 0.0f, kInf, rewriter);
  }
};

struct FuseClip : OpRewritePattern<ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipOp op, PatternRewriter &rewriter) const override {
    return fuseClamp(op, op.getMin().convertToFloat(), op.getMax().convertToFloat(), rewriter);
  }
};

} // namespace

namespace dnnopt {
struct DnnFuseActivation : impl::DnnFuseActivationBase<DnnFuseActivation> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseRelu, FuseClip>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     passutil::patternsOnlyConfig())))
      signalPassFailure();
  }
};
} // namespace dnnopt
