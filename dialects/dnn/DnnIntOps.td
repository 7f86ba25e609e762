//===- DnnIntOps.td - integer (quantized) dnn operations -------------------===//
//
// The integer form of a quantized network, produced by -dnn-lower-quant from the
// QuantizeLinear / DequantizeLinear (QDQ) and QLinear* forms, and lowered 1:1 to the
// int8 kernels of the runtime (runtime/dnn_s8.h), whose exact arithmetic these ops
// define (docs/quantization.md):
//  - activations are int8 with one zero point per tensor (uint8 tensors are moved
//    to int8 by subtracting 128 from values and zero points, which is exact), or
//    sub-byte: i4 / i2 (signed, [-8, 7] / [-2, 1]), one zero point per tensor in
//    that range; `output_bits` (default 8) gives the result width of qconv,
//    qfully_connected, qadd and qglobal_avg_pool, the pools keep their input's width,
//    requantize converts between any two widths (docs/quantization.md, "Sub-byte
//    activations");
//  - weights are symmetric (zero point 0) int8 with one scale per output channel;
//    `weight_bits` (8, 4 or 2, per layer or per output channel: mixed precision;
//    0 per channel: a pruned channel, all its weights zero) narrows their range;
//    biases are int32;
//  - `scale` is the real requantization scale per output channel
//    (input_scale * weight_scale[m] / output_scale); the accumulator `acc` becomes
//    clamp(output_zp + requant(acc, scale), act_min, act_max) where requant rounds
//    acc * scale half up after the 31-bit fixed-point representation of scale made
//    by dnn_s8_quantize_multiplier;
//  - SPATIAL OPS ARE CHANNELS-LAST: input N x spatial... x C, output N x spatial' x M
//    (the layout of the int8 kernels; the lowering inserts dnn.transpose at the
//    borders of an integer region and cancels the pairs inside it).
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DNN_INT_OPS_TD
#define DNNOPT_DNN_INT_OPS_TD

include "DnnDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

// Output zero point and fused clamp (in the output's integer domain) shared by the
// integer ops.
defvar Dnn_IntOutArgs = (ins I64Attr:$output_zp,
                             DefaultValuedAttr<I64Attr, "-128">:$act_min,
                             DefaultValuedAttr<I64Attr, "127">:$act_max);
// The width of an integer op's result (its element type: i8, i4 or i2, signed), for
// the ops whose result type is inferred: zero point and clamp lie within it.
defvar Dnn_IntOutBits = (ins DefaultValuedAttr<I64Attr, "8">:$output_bits);

def Dnn_QConvOp : Dnn_Op<"qconv", [Pure, InferTypeOpAdaptor]> {
  let summary = "Integer convolution, channels-last (1-D and 2-D)";
  let description = [{
    `input` is int8 (or i4 / i2) N x spatial... x C; `weight` is int8 M x C/group x kernel... (ONNX
    order, symmetric; output channel m's values fit `weight_bits` bits: one entry for
    the layer or one per output channel, 8, 4 or 2, or 0 per channel for a pruned
    channel whose weights are all zero (its output is the constant
    clamp(output_zp + requant(bias[m]))); absent = 8); `bias` is int32 [M] in units of
    input_scale * weight_scale[m]. `scale` has 1 or M entries. Result int8 (i4 / i2
    with `output_bits` 4 / 2) N x spatial'... x M:
      y = clamp(output_zp + requant(bias[m] + sum (x - input_zp) * w, scale[m]),
                act_min, act_max)
    with padding positions contributing 0 (real zero).
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                           Optional<AnyRankedTensor>:$bias,
                           DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                           DenseI64ArrayAttr:$pads, DefaultValuedAttr<I64Attr, "1">:$group,
                           I64Attr:$input_zp, DenseF64ArrayAttr:$scale,
                           OptionalAttr<DenseI64ArrayAttr>:$weight_bits),
                       Dnn_IntOutArgs, Dnn_IntOutBits);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Dnn_QFullyConnectedOp : Dnn_Op<"qfully_connected", [Pure, InferTypeOpAdaptor]> {
  let summary = "Integer fully connected layer: y = x * W^T + bias";
  let description = [{
    `input` is int8 / i4 / i2 B x K, `weight` int8 N x K (PyTorch Linear order, symmetric,
    output n's values within `weight_bits`, 0 = pruned, as for dnn.qconv), `bias` int32 [N];
    `scale` has 1 or N entries. Result B x N of `output_bits` bits with the same
    requantization as dnn.qconv.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                           Optional<AnyRankedTensor>:$bias, I64Attr:$input_zp,
                           DenseF64ArrayAttr:$scale,
                           OptionalAttr<DenseI64ArrayAttr>:$weight_bits),
                       Dnn_IntOutArgs, Dnn_IntOutBits);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Dnn_QAddOp : Dnn_Op<"qadd", [Pure, InferTypeOpAdaptor]> {
  let summary = "Integer sum of two int8 / i4 / i2 tensors with their own scales";
  let description = [{
    y = clamp(output_zp + round_half_up(a_scale/output_scale * (a - a_zp) +
                                        b_scale/output_scale * (b - b_zp)), act_min, act_max)
    in the fixed point of dnn_s8_add (runtime/dnn_s8.h). `rhs` broadcasts to `lhs`'s
    shape when it has the same shape, is a scalar, or varies along the last axis only.
  }];
  let arguments = !con((ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs, I64Attr:$lhs_zp,
                           I64Attr:$rhs_zp, F64Attr:$lhs_scale, F64Attr:$rhs_scale,
                           F64Attr:$output_scale),
                       Dnn_IntOutArgs, Dnn_IntOutBits);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Dnn_RequantizeOp : Dnn_Op<"requantize", [Pure]> {
  let summary = "Integer to integer with another scale / zero point (int8, uint8, i4, i2)";
  let description = [{
    y = clamp(output_zp + requant(x - input_zp, scale), act_min, act_max); `scale` is
    input_scale / output_scale. Input and result may have different widths (signed
    8, 4 or 2 bits; zero points and clamp within their tensor's range). Scale 1 with output_zp = input_zp - 128 turns a
    uint8 tensor into the int8 one of the same real values (exactly).
  }];
  let arguments = !con((ins AnyRankedTensor:$input, I64Attr:$input_zp, F64Attr:$scale),
                       Dnn_IntOutArgs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Dnn_QMaxPoolOp : Dnn_Op<"qmax_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "Integer max pooling, channels-last (same scale and width in and out)";
  let arguments = !con((ins AnyRankedTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                           DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                           DenseI64ArrayAttr:$dilations,
                           DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       (ins DefaultValuedAttr<I64Attr, "-128">:$act_min,
                            DefaultValuedAttr<I64Attr, "127">:$act_max));
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Dnn_QAvgPoolOp : Dnn_Op<"qavg_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "Integer average pooling, channels-last (same scale and width in and out)";
  let description = [{
    zp + round_half_to_even(sum (x - zp) / count) over the window: the ONNX
    semantics of dequantize -> average -> quantize with one scale; `zp` is the
    zero point of input and output (padding counts as zp, i.e. as real 0, when
    `count_include_pad`).
  }];
  let arguments = !con((ins AnyRankedTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                           DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                           DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                           DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                           I64Attr:$zp),
                       (ins DefaultValuedAttr<I64Attr, "-128">:$act_min,
                            DefaultValuedAttr<I64Attr, "127">:$act_max));
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Dnn_QGlobalAvgPoolOp : Dnn_Op<"qglobal_avg_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "Integer mean over the spatial axes, channels-last (N x 1... x C)";
  let description = [{
    y = clamp(output_zp + requant(sum (x - input_zp), scale / size), act_min, act_max),
    `scale` = input_scale / output_scale, size = number of spatial positions.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, I64Attr:$input_zp, F64Attr:$scale),
                       Dnn_IntOutArgs, Dnn_IntOutBits);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif
