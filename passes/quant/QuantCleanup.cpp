//===- QuantCleanup.cpp - transposes and clamps in integer regions ---------===//
//
// -dnn-lower-quant puts a transpose to channels-last before every spatial integer
// op and one back to channels-first after it. Inside an integer region those pairs
// meet, directly or across elementwise integer ops (a residual qadd, a requantize
// for a relu), and cancel here, so the region runs channels-last throughout.
//
//===----------------------------------------------------------------------===//
#include "passes/quant/QuantCleanup.h"

#include "dialects/dnn/DnnOps.h"

using namespace mlir;
using namespace dnnopt::dnn;

namespace {

/// transpose(transpose(x, p), q) -> x when the permutations compose to identity.
struct CancelTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rw) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner) return failure();
    ArrayRef<int64_t> p = inner.getPerm(), q = op.getPerm();
    for (size_t i = 0; i < q.size(); ++i)
      if (p[q[i]] != (int64_t)i) return failure();
    rw.replaceOp(op, inner.getInput());
    return success();
  }
};

Value transposeLike(PatternRewriter &rw, TransposeOp like, Value v) {
  return TransposeOp::create(rw, like.getLoc(), v, like.getPermAttr()).getResult();
}

/// qadd(transpose(a, p), transpose(b, p)) -> transpose(qadd(a, b), p); a scalar
/// operand needs no transpose.
struct SinkTransposeBelowQAdd : OpRewritePattern<QAddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QAddOp op, PatternRewriter &rw) const override {
    auto ta = op.getLhs().getDefiningOp<TransposeOp>();
    if (!ta) return failure();
    Value b = op.getRhs();
    bool scalar = cast<RankedTensorType>(b.getType()).getNumElements() == 1;
    if (!scalar) {
      auto tb = b.getDefiningOp<TransposeOp>();
      if (!tb || tb.getPerm() != ta.getPerm() ||
          tb.getInput().getType() != ta.getInput().getType())
        return failure();
      b = tb.getInput();
    }
    SmallVector<NamedAttribute> attrs(op->getAttrs());
    auto add = QAddOp::create(rw, op.getLoc(), ValueRange{ta.getInput(), b}, attrs);
    rw.replaceOp(op, transposeLike(rw, ta, add.getResult()));
    return success();
  }
};

/// requantize(transpose(x, p)) -> transpose(requantize(x), p).
struct SinkTransposeBelowRequantize : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp op, PatternRewriter &rw) const override {
    auto t = op.getInput().getDefiningOp<TransposeOp>();
    if (!t) return failure();
    auto inType = cast<RankedTensorType>(t.getInput().getType());
    auto outType = RankedTensorType::get(
        inType.getShape(), cast<RankedTensorType>(op.getOutput().getType()).getElementType());
    SmallVector<NamedAttribute> attrs(op->getAttrs());
    auto r = RequantizeOp::create(rw, op.getLoc(), outType, t.getInput(), attrs);
    rw.replaceOp(op, transposeLike(rw, t, r.getResult()));
    return success();
  }
};

int64_t intAttr(Operation *op, StringRef name, int64_t dflt) {
  auto a = op->getAttrOfType<IntegerAttr>(name);
  return a ? a.getInt() : dflt;
}

/// requantize with scale 1 and equal zero points only clamps: the clamp moves into
/// the integer op that produces its input (when that result has no other use).
struct FoldClampIntoProducer : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp op, PatternRewriter &rw) const override {
    if (op.getScale().convertToDouble() != 1.0 || op.getInputZp() != op.getOutputZp() ||
        op.getInput().getType() != op.getOutput().getType() || !op.getInput().hasOneUse())
      return failure();
    Operation *p = op.getInput().getDefiningOp();
    if (!p || !isa<QConvOp, QFullyConnectedOp, QAddOp, QGlobalAvgPoolOp, RequantizeOp>(p))
      return failure();
    if (intAttr(p, "output_zp", 0) != (int64_t)op.getInputZp()) return failure();
    int64_t lo = std::max<int64_t>(intAttr(p, "act_min", -128), (int64_t)op.getActMin());
    int64_t hi = std::min<int64_t>(intAttr(p, "act_max", 127), (int64_t)op.getActMax());
    if (lo > hi) return failure();
    rw.modifyOpInPlace(p, [&] {
      p->setAttr("act_min", rw.getI64IntegerAttr(lo));
      p->setAttr("act_max", rw.getI64IntegerAttr(hi));
    });
    rw.replaceOp(op, op.getInput());
    return success();
  }
};

} // namespace

void dnnopt::quant::populateQuantCleanupPatterns(RewritePatternSet &patterns) {
  patterns.add<CancelTransposes, SinkTransposeBelowQAdd, SinkTransposeBelowRequantize,
               FoldClampIntoProducer>(patterns.getContext());
}
