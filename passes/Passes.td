//===- Passes.td - dnnopt graph passes ------------------------------------===//
#ifndef DNNOPT_PASSES_TD
#define DNNOPT_PASSES_TD

include "mlir/Pass/PassBase.td"

def DnnFoldBatchNorm : Pass<"dnn-fold-batchnorm"> {
  let summary = "Fold inference batch normalization into the preceding conv or gemm";
  let description = [{
    With `s = gamma / sqrt(var + epsilon)` and `t = beta - mean * s` per channel,
    rewrites `batch_norm(conv(x, W, b))` into `conv(x, W', b')` with
    `W'[m] = W[m] * s[m]` and `b'[m] = b[m] * s[m] + t[m]` (a bias is created when
    the conv has none). The output channel is axis 0 of a conv weight
    (M x C/g x k...); for a conv_transpose weight (C x M/g x k...) element
    [c, j, ...] belongs to channel (c / (C/g)) * (M/g) + j. For a gemm the channel
    is column n of the result: `alpha * op(A) * op(B) + beta * C` becomes
    `op(A) * op(B') + C'` with column n of op(B') = alpha * s[n] * column n of
    op(B) (either B layout, `trans_b` or not) and `C' = s * beta * C + t` (1-D, or
    M x N when C varies along the rows); alpha and beta become 1.

    Folded when everything is f32, the weights, bias (or B and C) and all four
    batch-norm parameters are constants, the producer's result has no other use
    and the producer has no fused clamp (a clamp before the batch norm is not
    affine). The batch norm's own fused clamp moves to the producer. New constants
    are created (a shared weight is never modified); the old ones are erased when
    they lose their last use. A batch_norm that cannot be folded is left in place.
  }];
  let dependentDialects = ["::dnnopt::dnn::DnnDialect"];
}

def DnnFuseActivation : Pass<"dnn-fuse-activation"> {
  let summary = "Fuse relu / clip (relu6) into the op that produces their input";
  let description = [{
    `relu(p(...))` becomes `p(...) {clip_min = 0}` and `clip(p(...))` becomes
    `p(...) {clip_min, clip_max}` for the producers conv, conv_transpose, gemm,
    matmul, batch_norm and add, when the producer's result has no other use and
    is a float tensor. A clamp already on the producer is intersected with the new
    one (`clamp(clamp(x, a, b), c, d) = clamp(x, max(a, c), min(b, d))`); when the
    two intervals do not overlap nothing is fused. Infinite bounds are not stored.
    leaky_relu is not a clamp and is never fused.
  }];
}

def DnnDropIdentity : Pass<"dnn-drop-identity"> {
  let summary = "Remove identity and inference-mode dropout ops";
  let description = [{
    Every `dnn.identity` and `dnn.dropout` is replaced by its input.
  }];
}

def DnnConstantFold : Pass<"dnn-constant-fold"> {
  let summary = "Fold ops whose operands are all constants into constants";
  let description = [{
    Applies the dnn ops' folders greedily: elementwise arithmetic (f32 and i64,
    with broadcasting), unary activations, clip, leaky_relu, hard_sigmoid, cast,
    reshape, transpose, concat, split, slice, gather and constant-mode pad of
    constants (up to 2^20 elements). Folders that return an operand also apply:
    identity, dropout, no-op reshape / transpose / slice / pad, single-input
    concat, one-piece split, reshape and transpose chains. Ops with a fused clamp
    are not folded. A folded constant replaces the op in place, with its location
    (constants are neither hoisted nor deduplicated). Constants left without uses
    are erased.
  }];
}

def DnnFoldPad : Pass<"dnn-fold-pad"> {
  let summary = "Fold zero constant-mode pad into the padding of the consuming conv or pool";
  let description = [{
    A `dnn.pad` in constant mode whose result has a single use, with no negative
    (cropping) amount and nothing on the N and C axes, is removed and its spatial
    amounts added to the consumer's `pads` when the padding value is the one the
    consumer's implicit padding stands for:
      - conv: value 0;
      - max_pool: value -inf, and no ceil_mode;
      - avg_pool: value 0, no ceil_mode, and either `count_include_pad` already set
        or no pads of its own; the result has `count_include_pad = true` so the
        explicit zeros keep counting in the divisor.
    ceil_mode pools are skipped because their output extent depends on where the
    padding comes from. conv_transpose (whose pads crop) and qlinear_conv (whose
    implicit pad is the zero point) are never folded into.
  }];
}

def DnnCanonicalizeShapes : Pass<"dnn-canonicalize-shapes"> {
  let summary = "Collapse reshape / transpose chains and remove no-op data movement";
  let description = [{
    reshape(reshape(x)) -> reshape(x); a reshape to the input's own shape and a
    transpose by the identity permutation are removed; transpose(transpose(x, p), q)
    becomes transpose(x, p[q[i]]); a transpose that keeps the order of all
    non-unit axes becomes a reshape; a reshape of a dense constant with no other
    use becomes a constant of the new shape (a constant with other uses is left
    alone rather than duplicated); a concat of a single input and a one-piece
    split are removed.
  }];
}

def DnnLowerQuant : Pass<"dnn-lower-quant"> {
  let summary = "Turn quantized ONNX (QDQ and QLinear forms) into integer dnn ops";
  let description = [{
    1. qlinear_conv / qlinear_matmul become dequantize_linear -> conv / matmul ->
       quantize_linear (an int32 bias is dequantized at x_scale * w_scale).
    2. uint8 tensors become int8: a uint8 quantize_linear quantizes to int8 with
       zero point - 128; a dequantize_linear of a uint8 constant reads the constant
       minus 128, of another uint8 value a `dnn.requantize` (scale 1) first; a
       uint8 value the graph still needs (an output) is made by `dnn.requantize`.
    3. In program order, a float op whose activation inputs are
       dequantize_linear of per-tensor int8 tensors and whose only use is a
       per-tensor int8 quantize_linear becomes its integer op:
       conv (1-D, 2-D; weights dequantized from constants per tensor or per output
       channel, symmetric after subtracting their zero point) -> dnn.qconv;
       gemm (no trans_a, alpha = beta = 1) / matmul with 2-D operands and constant
       weights -> dnn.qfully_connected; add (equal shapes or a scalar) ->
       dnn.qadd; relu / clip -> dnn.requantize with the clamp; max_pool,
       avg_pool, global_avg_pool -> dnn.qmax_pool / dnn.qavg_pool /
       dnn.qglobal_avg_pool (+ dnn.requantize when the scales differ); reshape ->
       integer reshape; quantize_linear(dequantize_linear(x)) -> x or
       dnn.requantize. Biases become int32 at input_scale * weight_scale[m] (a
       float or differently scaled bias is rounded to it); a fused clamp becomes
       [act_min, act_max] (exact: quantization is monotonic). Spatial integer ops
       are channels-last: a transpose goes before and after each.
    4. Transposes sink below qadd / requantize and cancel in pairs; a requantize
       folds into the integer op producing its input when nothing else reads it:
       exactly when it only clamps (scale 1, same zero point), else by requantizing
       once to the final scale (one rounding instead of two, so within one step of
       the two-step result; the old clamp bounds are requantized and intersected).
    5. dequantize_linear of a constant left over (the weights of an op kept in
       float) is folded into a float constant.
    A QDQ-wrapped op that cannot become integer stays float (dequantize -> op ->
    quantize) with a warning at the op saying why.
  }];
  let dependentDialects = ["::dnnopt::dnn::DnnDialect"];
}

def DnnGroupPrecision : Pass<"dnn-group-precision"> {
  let summary = "Reorder mixed-precision output channels into contiguous precision groups; remove 0-bit channels";
  let description = [{
    For each dnn.qconv / dnn.qfully_connected whose `weight_bits` has one entry per
    output channel, the output channels are permuted so that equal widths are
    contiguous (stable, widest first): one sub-byte kernel group per width instead of
    one per run. Weights, bias, per-channel scales and `weight_bits` follow the
    permutation, and so does everything that reads the channels, so the network
    computes exactly the same function:
      - requantize, qmax_pool, qavg_pool, qglobal_avg_pool, transpose (the channel
        axis moves with it) and reshape (when the channel axis stays an axis, or is
        flattened into the features of a fully connected layer) pass it on;
      - qadd passes it on; its other operand is permuted too: a scalar or constant
        (permuted), or a value whose producers are permuted the same way (their
        channels share one order; the sort key is the tuple of widths of every
        mixed-precision layer involved, in program order);
      - a depthwise dnn.qconv (group = channels, one output per channel) permutes
        its weights, bias, scales and `weight_bits` and passes it on;
      - a dnn.qconv (group 1) or dnn.qfully_connected reading the channels absorbs
        it: its input-channel weights (the fully connected columns) are permuted.
    A pruned channel (0 bits, all weights zero) outputs a constant. It is removed
    (the producer's result shrinks, consumers' input weights are sliced) when its
    value stays constant through the ops above (checked by evaluating them with the
    reference engine) and each consumer can absorb it: exactly when the value is the
    consumer's input zero point, else by adding its constant contribution to the
    consumer's bias when the consumer has no padding (a fully connected layer never
    has). Otherwise it stays, as an all-zero 2-bit channel, with a remark saying why.
    When some reader cannot take permuted channels (a graph output, a concat, a
    float op, a grouped conv, ...), the layer keeps its channel order (the C
    backend then runs one group per run of equal width) and a remark names that
    op.
  }];
  let dependentDialects = ["::dnnopt::dnn::DnnDialect"];
}

def DnnQuantizePtq : Pass<"dnn-quantize-ptq", "::mlir::ModuleOp"> {
  let summary = "Post-training int8 quantization from calibration data (to the QDQ form)";
  let description = [{
    Runs the reference engine on the calibration inputs (`calibration`, a .npz
    whose array named like each model input, or `x` for a one-input model, holds
    N samples: shape [N, ...] where the input is [1, ...]) and records the range
    of every float activation: min / max, or the central `percentile` % of a
    seeded uniform sample of its values. Then, in the form PyTorch / ONNX Runtime
    quantizers export:
      - conv weights, gemm B and 2-D matmul B become per-output-channel symmetric
        integers of `weight-bits` bits (8, 4 or 2; scale max|w| / q, values in
        [-q, q], q = 2^(bits-1) - 1, so 2 bits is ternary) behind a
        dequantize_linear with that `bits`; conv / gemm biases become int32 at input_scale *
        weight_scale[m] behind a dequantize_linear;
      - every float activation (graph inputs and op results) gets a per-tensor
        asymmetric int8 quantize_linear -> dequantize_linear, scale
        (hi - lo) / 255 over [lo, hi] widened to hold 0, zero point
        round(-128 - lo / scale); pools, reshape and transpose keep their input's
        parameters (no requantization). With `act-bits` 4 or 2 the hidden
        activations are i4 / i2 instead (scale (hi - lo) / (2^N - 1), zero point
        round(-2^(N-1) - lo / scale), an i4 / i2 zero point constant); the graph's
        inputs and outputs, and the tensors sharing their parameters through pools /
        reshape / transpose, stay int8: the first layer reads int8, the last writes
        int8.
    Fused clamps (relu) are part of their op, so a relu's output range starts at
    0 and costs no extra precision. A model that is already quantized, missing or
    misshaped calibration data are errors naming the array and both shapes.
  }];
  let options = [
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "Calibration inputs (.npz)">,
    Option<"percentile", "percentile", "double", /*default=*/"100.0",
           "Central percentage of each activation's values its range keeps (100: min/max)">,
    Option<"maxSamples", "max-samples", "unsigned", /*default=*/"0",
           "Use at most this many calibration samples (0: all)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Width of the weights: 8, 4 or 2 (2: ternary)">,
    Option<"actBits", "act-bits", "unsigned", /*default=*/"8",
           "Width of the hidden activations: 8, 4 or 2 (the graph's inputs and outputs stay int8)">,
  ];
  let dependentDialects = ["::dnnopt::dnn::DnnDialect"];
}

def DnnoptAnnotateCost : Pass<"dnnopt-annotate-cost", "::mlir::ModuleOp"> {
  let summary = "Write the target cost model's per-layer figures on the IR";
  let description = [{
    Evaluates the hardware cost formulas (dialects/hw/CostFormulas.h, the same
    code as `dnnopt report`) on every op that has a cost model and writes
    `dnnopt.cost = #hw.cost<unit, a, w, macs, param_bytes, act_bytes, cycles,
    latency_ms, energy_uj>` on it, and the totals as
    `dnnopt.cost_summary = #hw.summary<...>` on the module. View ops (reshape,
    identity, dropout) cost nothing and get no attribute.

    The target is the built-in `target` (stm32l4, stm32h7, gap8, diana, mpic),
    or the one described in `target-file`, either of which is also stored as the
    module's `dnnopt.target`; with neither option the module's own
    `dnnopt.target` is used. Each op runs at its `dnnopt.precision`
    (#hw.precision) or at `precision`, on its `dnnopt.unit` or else on the
    fastest unit able to run it. An op no unit can run, an unknown unit or a
    missing target is an error located at the op (or module).
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "Built-in target name (default: the module's dnnopt.target)">,
    Option<"targetFile", "target-file", "std::string", /*default=*/"\"\"",
           "File holding a #hw.target attribute">,
    Option<"precision", "precision", "std::string", /*default=*/"\"a8w8\"",
           "Default precision aXwY (activation and weight bits; a32w32 = float32)">,
  ];
  let dependentDialects = ["::dnnopt::hw::HwDialect"];
}

#endif
