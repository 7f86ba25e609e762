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

#include <algorithm>
#include <cmath>

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

/// requantize(x) folds into the integer op producing x (when x has no other use):
/// scale 1 with equal zero points is only a clamp (exact); otherwise the producer
/// requantizes straight to the new scale and zero point, one rounding instead of
/// two (within one step of the two-step result). The producer's old clamp is
/// carried over: its bounds, requantized, intersect the new ones.
struct FoldRequantizeIntoProducer : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp op, PatternRewriter &rw) const override {
    if (op.getInput().getType() != op.getOutput().getType() || !op.getInput().hasOneUse())
      return failure();
    Operation *p = op.getInput().getDefiningOp();
    if (!p || !isa<QConvOp, QFullyConnectedOp, QAddOp, QGlobalAvgPoolOp, RequantizeOp>(p))
      return failure();
    int64_t izp = op.getInputZp(), ozp = op.getOutputZp();
    if (intAttr(p, "output_zp", 0) != izp) return failure();
    double s = op.getScale().convertToDouble();
    auto requant = [&](int64_t v) {
      double q = std::floor((double)(v - izp) * s + 0.5) + (double)ozp;
      return (int64_t)std::clamp(q, -128.0, 127.0);
    };
    int64_t lo = std::max<int64_t>(requant(intAttr(p, "act_min", -128)), (int64_t)op.getActMin());
    int64_t hi = std::min<int64_t>(requant(intAttr(p, "act_max", 127)), (int64_t)op.getActMax());
    if (lo > hi) return failure();
    rw.modifyOpInPlace(p, [&] {
      if (s != 1.0) {
        if (auto c = dyn_cast<QConvOp>(p)) c.setScale(scaled(c.getScale(), s));
        else if (auto f = dyn_cast<QFullyConnectedOp>(p)) f.setScale(scaled(f.getScale(), s));
        else if (auto a = dyn_cast<QAddOp>(p))
          a.setOutputScaleAttr(rw.getF64FloatAttr(a.getOutputScale().convertToDouble() / s));
        else if (auto g = dyn_cast<QGlobalAvgPoolOp>(p))
          g.setScaleAttr(rw.getF64FloatAttr(g.getScale().convertToDouble() * s));
        else if (auto r = dyn_cast<RequantizeOp>(p))
          r.setScaleAttr(rw.getF64FloatAttr(r.getScale().convertToDouble() * s));
      }
      p->setAttr("output_zp", rw.getI64IntegerAttr(ozp));
      p->setAttr("act_min", rw.getI64IntegerAttr(lo));
      p->setAttr("act_max", rw.getI64IntegerAttr(hi));
    });
    rw.replaceOp(op, op.getInput());
    return success();
  }
  static std::vector<double> scaled(ArrayRef<double> v, double s) {
    std::vector<double> out(v.begin(), v.end());
    for (double &x : out) x *= s;
    return out;
  }
};

} // namespace

void dnnopt::quant::populateQuantCleanupPatterns(RewritePatternSet &patterns) {
  patterns.add<CancelTransposes, SinkTransposeBelowQAdd, SinkTransposeBelowRequantize,
               FoldRequantizeIntoProducer>(patterns.getContext());
}
