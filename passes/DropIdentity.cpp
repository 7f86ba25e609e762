//===- DropIdentity.cpp - remove identity and inference dropout -----------===//
//
// dnn.identity and dnn.dropout (which is the identity at inference) are replaced
// by their input. Both have the type of their input, so every use can take it.
//
//===----------------------------------------------------------------------===//
#include "passes/PassUtils.h"
#include "passes/Passes.h"

namespace dnnopt {
#define GEN_PASS_DEF_DNNDROPIDENTITY
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;

namespace {
template <typename OpT>
struct ForwardInput : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rewriter) const override {
    if (op.getInput().getType() != op.getType()) return failure();
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};
} // namespace

namespace dnnopt {
struct DnnDropIdentity : impl::DnnDropIdentityBase<DnnDropIdentity> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ForwardInput<IdentityOp>, ForwardInput<DropoutOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     passutil::patternsOnlyConfig())))
      signalPassFailure();
  }
};
} // namespace dnnopt
