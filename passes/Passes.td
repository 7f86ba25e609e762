//===- Passes.td - dnnopt graph passes ------------------------------------===//
#ifndef DNNOPT_PASSES_TD
#define DNNOPT_PASSES_TD

include "mlir/Pass/PassBase.td"

def DnnFoldBatchNorm : Pass<"dnn-fold-batchnorm"> {
  let summary = "Fold inference batch normalization into the preceding conv or gemm";
  let description = [{
    Rewrites `batch_norm(conv(x, W, b))` into `conv(x, W', b')` with
    `W'[m] = W[m] * s[m]`, `b'[m] = (b[m] - mean[m]) * s[m] + beta[m]` and
    `s = gamma / sqrt(var + eps)`, when the conv (or gemm with constant B, or
    conv_transpose) has constant weights, a single use and no fused activation.
    A batch_norm that cannot be folded is left in place.
  }];
  let dependentDialects = ["::dnnopt::dnn::DnnDialect"];
}

def DnnFuseActivation : Pass<"dnn-fuse-activation"> {
  let summary = "Fuse relu / clip (relu6) into the op that produces their input";
  let description = [{
    `relu(conv(...))` becomes `conv(...) {clip_min = 0}`, `clip(conv(...))` becomes
    `conv(...) {clip_min, clip_max}`. Producers: conv, conv_transpose, gemm, matmul,
    batch_norm and add, when the producer has a single use and no fused clamp yet
    (an existing clamp is intersected).
  }];
}

def DnnDropIdentity : Pass<"dnn-drop-identity"> {
  let summary = "Remove identity and inference-mode dropout ops";
}

def DnnConstantFold : Pass<"dnn-constant-fold"> {
  let summary = "Fold ops whose operands are all constants into constants";
  let description = [{
    Applies the dnn ops' folders (elementwise arithmetic, activations, reshape,
    transpose, cast) greedily and removes constants left without uses.
  }];
}

def DnnFoldPad : Pass<"dnn-fold-pad"> {
  let summary = "Fold zero constant-mode pad into the padding of the consuming conv or pool";
  let description = [{
    A `dnn.pad` with mode `constant` that only pads spatial axes, consumed by a conv
    (value 0), max_pool (value -inf, or 0 after a relu-like producer is not assumed)
    or avg_pool (value 0, count_include_pad), is removed and its pads added to the
    consumer's `pads`.
  }];
}

def DnnCanonicalizeShapes : Pass<"dnn-canonicalize-shapes"> {
  let summary = "Collapse reshape / transpose chains and remove no-op data movement";
  let description = [{
    reshape(reshape(x)) -> reshape(x); a reshape to the input's own shape and a
    transpose by the identity permutation are removed; transpose(transpose(x))
    composes its permutations; a transpose that only moves unit axes becomes a
    reshape; concat of a single input and a one-piece split are removed.
  }];
}

#endif
