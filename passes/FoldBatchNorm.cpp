//===- FoldBatchNorm.cpp - fold inference batch norm into conv / gemm -----===//
//
// batch_norm(y) = y * s + t per channel, with s = gamma / sqrt(var + eps) and
// t = beta - mean * s. When y comes from a conv, conv_transpose or gemm with
// constant weights (and bias), the scale goes into the weights of each output
// channel and the shift into the bias:
//   W'[m] = W[m] * s[m],   b'[m] = b[m] * s[m] + t[m]   (b = 0 when absent).
// Output channel m is axis 0 of a conv weight (M x C/g x k...), and for a
// conv_transpose weight (C x M/g x k...) the element [c, j, ...] belongs to output
// channel (c / (C/g)) * (M/g) + j. For gemm the channel is column n of the
// result: alpha * op(A) * op(B) + beta * C with B constant becomes
// op(A) * op(B') + C' with op(B')[:, n] = alpha * op(B)[:, n] * s[n] and
// C'[.., n] = beta * C[.., n] * s[n] + t[n], alpha = beta = 1.
//
//===----------------------------------------------------------------------===//
#include "passes/PassUtils.h"
#include "passes/Passes.h"

#include <cmath>

namespace dnnopt {
#define GEN_PASS_DEF_DNNFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;
using passutil::createF32Constant;
using passutil::getF32Constant;

namespace {

/// batch_norm as y = x * scale + shift per channel.
struct ChannelAffine {
  SmallVector<double> scale, shift;
};

std::optional<ChannelAffine> getChannelAffine(BatchNormOp bn) {
  auto gamma = getF32Constant(bn.getScale());
  auto beta = getF32Constant(bn.getBias());
  auto mean = getF32Constant(bn.getMean());
  auto var = getF32Constant(bn.getVar());
  if (!gamma || !beta || !mean || !var) return std::nullopt;
  size_t c = gamma->size();
  if (beta->size() != c || mean->size() != c || var->size() != c) return std::nullopt;
  double eps = bn.getEpsilon().convertToDouble();
  ChannelAffine affine;
  for (size_t i = 0; i < c; ++i) {
    double denom = (double)(*var)[i] + eps;
    if (!(denom > 0.0) || !std::isfinite(denom)) return std::nullopt;
    double s = (double)(*gamma)[i] / std::sqrt(denom);
    affine.scale.push_back(s);
    affine.shift.push_back((double)(*beta)[i] - (double)(*mean)[i] * s);
  }
  return affine;
}

/// The constant bias of `bias` (or zeros when absent) with `channels` entries.
std::optional<SmallVector<float>> getBias(Value bias, int64_t channels) {
  if (!bias) return SmallVector<float>(channels, 0.0f);
  auto b = getF32Constant(bias);
  if (!b || (int64_t)b->size() != channels) return std::nullopt;
  return b;
}

/// Scales the constant weight of a conv-like op per output channel
/// (`channelOf(i)` is the output channel of flat weight element i), replaces its
/// bias and takes over the batch norm's fused clamp.
template <typename ConvLikeOp, typename ChannelFn>
LogicalResult foldIntoConvLike(BatchNormOp bn, ConvLikeOp conv, const ChannelAffine &affine,
                               ChannelFn channelOf, PatternRewriter &rewriter) {
  auto weight = getF32Constant(conv.getWeight());
  if (!weight) return rewriter.notifyMatchFailure(bn, "weight is not an f32 constant");
  int64_t channels = affine.scale.size();
  auto bias = getBias(conv.getBias(), channels);
  if (!bias) return rewriter.notifyMatchFailure(bn, "bias is not an f32 constant");

  SmallVector<float> newWeight(weight->size());
  for (size_t i = 0; i < weight->size(); ++i) {
    int64_t m = channelOf(i);
    if (m < 0 || m >= channels) return failure();
    newWeight[i] = (float)((double)(*weight)[i] * affine.scale[m]);
  }
  SmallVector<float> newBias(channels);
  for (int64_t m = 0; m < channels; ++m)
    newBias[m] = (float)((double)(*bias)[m] * affine.scale[m] + affine.shift[m]);

  auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
  rewriter.setInsertionPoint(conv);
  Value w = createF32Constant(rewriter, conv.getWeight().getLoc(), weightType.getShape(),
                              newWeight);
  Value b = createF32Constant(rewriter, conv.getBias() ? conv.getBias().getLoc() : bn.getLoc(),
                              {channels}, newBias);
  rewriter.modifyOpInPlace(conv, [&] {
    conv.getWeightMutable().assign(w);
    conv.getBiasMutable().assign(b);
    if (auto lo = bn.getClipMinAttr()) conv.setClipMinAttr(lo);
    if (auto hi = bn.getClipMaxAttr()) conv.setClipMaxAttr(hi);
  });
  rewriter.replaceOp(bn, conv.getResult());
  return success();
}

LogicalResult foldIntoGemm(BatchNormOp bn, GemmOp gemm, const ChannelAffine &affine,
                           PatternRewriter &rewriter) {
  auto b = getF32Constant(gemm.getB());
  if (!b) return rewriter.notifyMatchFailure(bn, "gemm B is not an f32 constant");
  auto outType = cast<RankedTensorType>(gemm.getType());
  int64_t rows = outType.getDimSize(0), n = outType.getDimSize(1);
  if ((int64_t)affine.scale.size() != n) return failure();
  bool transB = gemm.getTransB();
  double alpha = gemm.getAlpha().convertToDouble(), beta = gemm.getBeta().convertToDouble();

  // B is K x N, or N x K when trans_b: element i belongs to column n of op(B).
  auto bType = cast<RankedTensorType>(gemm.getB().getType());
  int64_t bCols = bType.getDimSize(1);
  SmallVector<float> newB(b->size());
  for (size_t i = 0; i < b->size(); ++i) {
    int64_t col = transB ? (int64_t)i / bCols : (int64_t)i % bCols;
    newB[i] = (float)(alpha * (double)(*b)[i] * affine.scale[col]);
  }

  // C broadcasts to rows x n; the folded C is [n] unless C varies along the rows.
  SmallVector<int64_t> cShape;
  std::optional<SmallVector<float>> c;
  if (Value cv = gemm.getC()) {
    c = getF32Constant(cv);
    if (!c) return rewriter.notifyMatchFailure(bn, "gemm C is not an f32 constant");
    cShape = llvm::to_vector(cast<RankedTensorType>(cv.getType()).getShape());
  }
  bool perRow = cShape.size() == 2 && cShape[0] != 1;
  auto cAt = [&](int64_t r, int64_t col) -> double {
    if (!c) return 0.0;
    if (cShape.empty()) return (*c)[0];
    if (cShape.size() == 1) return (*c)[cShape[0] == 1 ? 0 : col];
    int64_t rr = cShape[0] == 1 ? 0 : r, cc = cShape[1] == 1 ? 0 : col;
    return (*c)[rr * cShape[1] + cc];
  };
  SmallVector<int64_t> newCShape = perRow ? SmallVector<int64_t>{rows, n} : SmallVector<int64_t>{n};
  SmallVector<float> newC;
  for (int64_t r = 0; r < (perRow ? rows : 1); ++r)
    for (int64_t col = 0; col < n; ++col)
      newC.push_back((float)(beta * cAt(r, col) * affine.scale[col] + affine.shift[col]));

  rewriter.setInsertionPoint(gemm);
  Value bC = createF32Constant(rewriter, gemm.getB().getLoc(), bType.getShape(), newB);
  Value cC = createF32Constant(rewriter, gemm.getC() ? gemm.getC().getLoc() : bn.getLoc(),
                               newCShape, newC);
  rewriter.modifyOpInPlace(gemm, [&] {
    gemm.getBMutable().assign(bC);
    gemm.getCMutable().assign(cC);
    gemm.setAlphaAttr(rewriter.getF32FloatAttr(1.0f));
    gemm.setBetaAttr(rewriter.getF32FloatAttr(1.0f));
    if (auto lo = bn.getClipMinAttr()) gemm.setClipMinAttr(lo);
    if (auto hi = bn.getClipMaxAttr()) gemm.setClipMaxAttr(hi);
  });
  rewriter.replaceOp(bn, gemm.getResult());
  return success();
}

struct FoldBatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn, PatternRewriter &rewriter) const override {
    Value input = bn.getInput();
    Operation *producer = input.getDefiningOp();
    if (!producer || !isa<ConvOp, ConvTransposeOp, GemmOp>(producer))
      return rewriter.notifyMatchFailure(bn, "input is not produced by conv/conv_transpose/gemm");
    if (!input.hasOneUse())
      return rewriter.notifyMatchFailure(bn, "producer result has other uses");
    if (passutil::hasFusedClamp(producer))
      return rewriter.notifyMatchFailure(bn, "producer has a fused clamp");
    if (!cast<RankedTensorType>(bn.getType()).getElementType().isF32())
      return rewriter.notifyMatchFailure(bn, "only f32 is folded");
    auto affine = getChannelAffine(bn);
    if (!affine) return rewriter.notifyMatchFailure(bn, "parameters are not f32 constants");

    if (auto conv = dyn_cast<ConvOp>(producer)) {
      auto wt = cast<RankedTensorType>(conv.getWeight().getType());
      int64_t m = wt.getDimSize(0);
      if (m == 0) return failure();
      int64_t perChannel = wt.getNumElements() / m;
      return foldIntoConvLike(
          bn, conv, *affine, [=](int64_t i) { return i / perChannel; }, rewriter);
    }
    if (auto convT = dyn_cast<ConvTransposeOp>(producer)) {
      auto wt = cast<RankedTensorType>(convT.getWeight().getType());
      int64_t c = wt.getDimSize(0), mPerGroup = wt.getDimSize(1), group = convT.getGroup();
      if (c == 0 || mPerGroup == 0 || group < 1 || c % group) return failure();
      int64_t kernel = wt.getNumElements() / (c * mPerGroup), cPerGroup = c / group;
      return foldIntoConvLike(
          bn, convT, *affine,
          [=](int64_t i) {
            int64_t inChannel = i / (mPerGroup * kernel);
            int64_t j = (i / kernel) % mPerGroup;
            return (inChannel / cPerGroup) * mPerGroup + j;
          },
          rewriter);
    }
    return foldIntoGemm(bn, cast<GemmOp>(producer), *affine, rewriter);
  }
};

} // namespace

namespace dnnopt {
struct DnnFoldBatchNorm : impl::DnnFoldBatchNormBase<DnnFoldBatchNorm> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     passutil::patternsOnlyConfig())))
      signalPassFailure();
  }
};

} // namespace dnnopt
