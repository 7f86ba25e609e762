//===- CanonicalizeShapes.cpp - simplify reshape / transpose / concat / split ===//
//
//   reshape(reshape(x))            -> reshape(x)
//   reshape(x) to x's own shape    -> x
//   reshape(constant), single use  -> constant of the new shape
//   transpose(x, identity)         -> x
//   transpose(transpose(x, p), q)  -> transpose(x, [p[q[i]]])
//   transpose that keeps the order of all non-unit axes -> reshape
//   concat of one input            -> the input
//   split into one piece           -> the input
// (A constant with other uses is not reshaped: that would duplicate the weight.)
//
//===----------------------------------------------------------------------===//
#include "passes/PassUtils.h"
#include "passes/Passes.h"

namespace dnnopt {
#define GEN_PASS_DEF_DNNCANONICALIZESHAPES
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;

namespace {

struct SimplifyReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    Value input = op.getInput();
    if (input.getType() == op.getType()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    if (auto inner = input.getDefiningOp<ReshapeOp>()) {
      rewriter.modifyOpInPlace(op, [&] { op.getInputMutable().assign(inner.getInput()); });
      return success();
    }
    if (auto constant = input.getDefiningOp<ConstantOp>()) {
      auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      if (!dense || !input.hasOneUse())
        return rewriter.notifyMatchFailure(op, "constant is not dense or has other uses");
      rewriter.replaceOpWithNewOp<ConstantOp>(op, dense.reshape(cast<ShapedType>(op.getType())));
      return success();
    }
    return failure();
  }
};

struct SimplifyTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> perm = op.getPerm();
    Value input = op.getInput();
    if (llvm::all_of(llvm::enumerate(perm), [](auto p) { return p.value() == (int64_t)p.index(); })) {
      rewriter.replaceOp(op, input);
      return success();
    }
    if (auto inner = input.getDefiningOp<TransposeOp>()) {
      SmallVector<int64_t> composed;
      for (int64_t p : perm) composed.push_back(inner.getPerm()[p]);
      rewriter.modifyOpInPlace(op, [&] {
        op.getInputMutable().assign(inner.getInput());
        op.setPerm(composed);
      });
      return success();
    }
    // Only unit axes move when the non-unit axes appear in increasing order.
    auto inShape = cast<RankedTensorType>(input.getType()).getShape();
    int64_t last = -1;
    for (int64_t p : perm) {
      if (inShape[p] == 1) continue;
      if (p < last) return rewriter.notifyMatchFailure(op, "moves non-unit axes");
      last = p;
    }
    auto outShape = cast<RankedTensorType>(op.getType()).getShape();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), input,
                                           rewriter.getDenseI64ArrayAttr(outShape));
    return success();
  }
};

struct SingleInputConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op, PatternRewriter &rewriter) const override {
    if (op.getInputs().size() != 1 || op.getInputs()[0].getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, op.getInputs()[0]);
    return success();
  }
};

struct OnePieceSplit : OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SplitOp op, PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1 || op.getOutputs()[0].getType() != op.getInput().getType())
      return failure();
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

} // namespace

namespace dnnopt {
struct DnnCanonicalizeShapes : impl::DnnCanonicalizeShapesBase<DnnCanonicalizeShapes> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SimplifyReshape, SimplifyTranspose, SingleInputConcat, OnePieceSplit>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     passutil::patternsOnlyConfig())))
      signalPassFailure();
  }
};
} // namespace dnnopt
