//===- DnnOps.td - dnn dialect operations ---------------------------------===//
//
// Conventions: tensors are ranked and static, layout NC[D]HW; spatial attributes
// (`strides`, `dilations`, `kernel_shape`) have one entry per spatial dimension and
// `pads` has 2x that many, all begins then all ends (ONNX order). Every op that can
// compute its result type from operands and attributes does so (InferTypeOpAdaptor),
// so the verifier rejects a result type that does not match.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DNN_OPS_TD
#define DNNOPT_DNN_OPS_TD

include "DnnDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants and plumbing
//===----------------------------------------------------------------------===//

def Dnn_ConstantOp : Dnn_Op<"constant", [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "A constant tensor: weights, biases, folded shapes";
  let description = [{
    Holds a tensor value known at compile time. Weights of imported models are
    `dnn.constant` ops; the code generator places them in flash.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Dnn_IdentityOp : Dnn_Op<"identity", [Pure, SameOperandsAndResultType]> {
  let summary = "Identity (removed by -dnn-drop-identity)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasFolder = 1;
}

def Dnn_DropoutOp : Dnn_Op<"dropout", [Pure, SameOperandsAndResultType]> {
  let summary = "Dropout in inference mode: the identity";
  let arguments = (ins AnyRankedTensor:$input, DefaultValuedAttr<F32Attr, "0.5">:$ratio);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasFolder = 1;
}

def Dnn_CastOp : Dnn_Op<"cast", [Pure]> {
  let summary = "Element type conversion (ONNX Cast)";
  let description = [{
    Converts each element to the result's element type. Float to integer truncates
    toward zero, as ONNX specifies. Shapes must be equal.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear operators
//===----------------------------------------------------------------------===//

// A fused clamp of the output: relu is [0, +inf), relu6 is [0, 6].
defvar Dnn_FusedActArgs = (ins OptionalAttr<F32Attr>:$clip_min, OptionalAttr<F32Attr>:$clip_max);

def Dnn_ConvOp : Dnn_Op<"conv", [Pure, InferTypeOpAdaptor]> {
  let summary = "N-d convolution (1-D and 2-D; groups, depthwise, dilation, strides, asymmetric pads)";
  let description = [{
    `input` is N x C x spatial..., `weight` is M x C/group x kernel..., `bias` is M.
    `pads` holds the begin paddings of every spatial axis followed by the end
    paddings. An optional fused clamp `clip_min`/`clip_max` applies to the output.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                           Optional<AnyRankedTensor>:$bias,
                           DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                           DenseI64ArrayAttr:$pads, DefaultValuedAttr<I64Attr, "1">:$group),
                       Dnn_FusedActArgs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_ConvTransposeOp : Dnn_Op<"conv_transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "N-d transposed convolution";
  let description = [{
    `weight` is C x M/group x kernel...; output size per spatial axis is
    `stride*(in-1) + output_padding + (k-1)*dilation + 1 - pad_begin - pad_end`.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                           Optional<AnyRankedTensor>:$bias,
                           DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                           DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$output_padding,
                           DefaultValuedAttr<I64Attr, "1">:$group),
                       Dnn_FusedActArgs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_GemmOp : Dnn_Op<"gemm", [Pure, InferTypeOpAdaptor]> {
  let summary = "General matrix multiply: alpha * op(A) * op(B) + beta * C (fully connected)";
  let description = [{
    A is M x K (K x M when `trans_a`), B is K x N (N x K when `trans_b`, the
    PyTorch Linear layout), C broadcasts to M x N.
  }];
  let arguments = !con((ins AnyRankedTensor:$a, AnyRankedTensor:$b, Optional<AnyRankedTensor>:$c,
                           DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                           DefaultValuedAttr<BoolAttr, "false">:$trans_b,
                           DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                           DefaultValuedAttr<F32Attr, "1.0">:$beta),
                       Dnn_FusedActArgs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_MatMulOp : Dnn_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "Batched matrix product with numpy semantics (ONNX MatMul)";
  let arguments = !con((ins AnyRankedTensor:$a, AnyRankedTensor:$b), Dnn_FusedActArgs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_BatchNormOp : Dnn_Op<"batch_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "Batch normalization in inference mode";
  let description = [{
    `y = scale * (x - mean) / sqrt(var + epsilon) + bias` per channel (axis 1).
    Folded into the producing conv/gemm by -dnn-fold-batchnorm.
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$scale, AnyRankedTensor:$bias,
                           AnyRankedTensor:$mean, AnyRankedTensor:$var,
                           DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon),
                       Dnn_FusedActArgs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Dnn_BinaryOp<string mnemonic, string desc, list<Trait> traits = []>
    : Dnn_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor], traits)> {
  let summary = desc # " with numpy broadcasting";
  let arguments = !con((ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs), Dnn_FusedActArgs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_AddOp : Dnn_BinaryOp<"add", "Elementwise sum", [Commutative]>;
def Dnn_SubOp : Dnn_BinaryOp<"sub", "Elementwise difference">;
def Dnn_MulOp : Dnn_BinaryOp<"mul", "Elementwise product", [Commutative]>;
def Dnn_DivOp : Dnn_BinaryOp<"div", "Elementwise quotient (integer division truncates)">;
def Dnn_MaxOp : Dnn_BinaryOp<"max", "Elementwise maximum", [Commutative]>;
def Dnn_MinOp : Dnn_BinaryOp<"min", "Elementwise minimum", [Commutative]>;
def Dnn_PowOp : Dnn_BinaryOp<"pow", "Elementwise power">;
def Dnn_PReluOp : Dnn_BinaryOp<"prelu", "Parametric ReLU: x < 0 ? slope * x : x">;

class Dnn_UnaryOp<string mnemonic, string desc>
    : Dnn_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = desc;
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasFolder = 1;
}

def Dnn_ReluOp : Dnn_UnaryOp<"relu", "max(x, 0)">;
def Dnn_SigmoidOp : Dnn_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Dnn_TanhOp : Dnn_UnaryOp<"tanh", "Hyperbolic tangent">;
def Dnn_HardSwishOp : Dnn_UnaryOp<"hard_swish", "x * max(0, min(1, x/6 + 1/2))">;
def Dnn_ExpOp : Dnn_UnaryOp<"exp", "Exponential">;
def Dnn_LogOp : Dnn_UnaryOp<"log", "Natural logarithm">;
def Dnn_SqrtOp : Dnn_UnaryOp<"sqrt", "Square root">;
def Dnn_AbsOp : Dnn_UnaryOp<"abs", "Absolute value">;
def Dnn_NegOp : Dnn_UnaryOp<"neg", "Negation">;
def Dnn_ReciprocalOp : Dnn_UnaryOp<"reciprocal", "1 / x">;
def Dnn_FloorOp : Dnn_UnaryOp<"floor", "Round toward -inf">;
def Dnn_CeilOp : Dnn_UnaryOp<"ceil", "Round toward +inf">;
def Dnn_ErfOp : Dnn_UnaryOp<"erf", "Error function">;

def Dnn_LeakyReluOp : Dnn_Op<"leaky_relu", [Pure, SameOperandsAndResultType]> {
  let summary = "x < 0 ? alpha * x : x";
  let arguments = (ins AnyRankedTensor:$input, DefaultValuedAttr<F32Attr, "0.01">:$alpha);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasFolder = 1;
}

def Dnn_ClipOp : Dnn_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "Clamp to [min, max] (ReLU6 is [0, 6])";
  let description = [{
    Bounds are attributes: the importer resolves ONNX's attribute (opset < 11) and
    constant-input (opset >= 11) forms. A missing bound is -inf / +inf.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DefaultValuedAttr<F32Attr, "-std::numeric_limits<float>::infinity()">:$min,
                       DefaultValuedAttr<F32Attr, "std::numeric_limits<float>::infinity()">:$max);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Dnn_HardSigmoidOp : Dnn_Op<"hard_sigmoid", [Pure, SameOperandsAndResultType]> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let arguments = (ins AnyRankedTensor:$input, DefaultValuedAttr<F32Attr, "0.2">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.5">:$beta);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasFolder = 1;
}

class Dnn_SoftmaxLikeOp<string mnemonic, string desc>
    : Dnn_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = desc # " along one axis";
  let description = [{
    Normalizes along `axis` only (ONNX opset >= 13 semantics; the importer rewrites
    the older flatten-to-2-D form into reshape + this op + reshape).
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Dnn_SoftmaxOp : Dnn_SoftmaxLikeOp<"softmax", "Softmax">;
def Dnn_LogSoftmaxOp : Dnn_SoftmaxLikeOp<"log_softmax", "Log of softmax">;

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

def Dnn_MaxPoolOp : Dnn_Op<"max_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "N-d max pooling (pads, dilations, ceil_mode)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_AvgPoolOp : Dnn_Op<"avg_pool", [Pure, InferTypeOpAdaptor]> {
  let summary = "N-d average pooling (pads, ceil_mode, count_include_pad)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

class Dnn_GlobalPoolOp<string mnemonic, string desc>
    : Dnn_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = desc # " over all spatial axes (output N x C x 1 x ...)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_GlobalAvgPoolOp : Dnn_GlobalPoolOp<"global_avg_pool", "Mean">;
def Dnn_GlobalMaxPoolOp : Dnn_GlobalPoolOp<"global_max_pool", "Maximum">;

class Dnn_ReduceOp<string mnemonic, string desc>
    : Dnn_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = desc # " over `axes`";
  let description = [{
    `axes` are non-negative, strictly increasing and non-empty (the importer turns
    "no axes" into all axes, and drops the op for an empty no-op reduction).
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_ReduceMeanOp : Dnn_ReduceOp<"reduce_mean", "Mean">;
def Dnn_ReduceMaxOp : Dnn_ReduceOp<"reduce_max", "Maximum">;
def Dnn_ReduceMinOp : Dnn_ReduceOp<"reduce_min", "Minimum">;
def Dnn_ReduceSumOp : Dnn_ReduceOp<"reduce_sum", "Sum">;
def Dnn_ReduceProdOp : Dnn_ReduceOp<"reduce_prod", "Product">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Dnn_ReshapeOp : Dnn_Op<"reshape", [Pure, InferTypeOpAdaptor]> {
  let summary = "Reshape to an explicit static shape (ONNX Reshape/Flatten/Squeeze/Unsqueeze)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_TransposeOp : Dnn_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "Permute axes: output axis i is input axis perm[i]";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_ConcatOp : Dnn_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Concatenate along `axis` (non-negative)";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_SplitOp : Dnn_Op<"split", [Pure, InferTypeOpAdaptor]> {
  let summary = "Split along `axis` into pieces of the given `sizes`";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<AnyRankedTensor>:$outputs);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_SliceOp : Dnn_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "Strided slice with one normalized (start, end, step) per axis";
  let description = [{
    For every axis: `start` is a valid index (or the axis is empty), `step` is
    non-zero, and the elements taken are start, start+step, ... strictly before
    `end` (after it for negative steps; end = -1 means "through index 0").
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_PadOp : Dnn_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "Pad every axis (begins then ends; negative values crop)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<Dnn_PadModeAttr, "PadMode::constant">:$mode,
                       DefaultValuedAttr<F32Attr, "0.0">:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_GatherOp : Dnn_Op<"gather", [Pure, InferTypeOpAdaptor]> {
  let summary = "Gather slices along `axis` at integer `indices` (negative wrap)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Dnn_ResizeOp : Dnn_Op<"resize", [Pure]> {
  let summary = "Resize spatial axes (nearest or linear)";
  let description = [{
    The output shape is the result type. `scales` holds the scale factor of every
    axis used by the coordinate transformation (ONNX semantics: given scales, or
    output/input size when the model gave sizes).
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseF32ArrayAttr:$scales,
                       Dnn_ResizeModeAttr:$mode, Dnn_CoordModeAttr:$coord_mode,
                       DefaultValuedAttr<Dnn_NearestModeAttr, "NearestMode::round_prefer_floor">:$nearest_mode);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization (import form; integer lowering comes with the quantization passes)
//===----------------------------------------------------------------------===//

def Dnn_QuantizeLinearOp : Dnn_Op<"quantize_linear", [Pure, InferTypeOpAdaptor]> {
  let summary = "y = saturate(round_half_even(x / scale) + zero_point)";
  let description = [{
    `scale` (float) and `zero_point` (integer, optional: default 0 of uint8) are
    scalars or 1-D tensors along `axis` (per channel). `bits` is the storage width
    (8, 4 or 2): the value range is that of a `bits`-wide integer of the result's
    signedness, held in an 8-bit container, or, with an i4 / i2 zero point, in an
    i4 / i2 result (a sub-byte activation, packed densely by the C backend).
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       Optional<AnyRankedTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "8">:$bits);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_DequantizeLinearOp : Dnn_Op<"dequantize_linear", [Pure, InferTypeOpAdaptor]> {
  let summary = "y = (x - zero_point) * scale";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       Optional<AnyRankedTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "8">:$bits);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_QLinearConvOp : Dnn_Op<"qlinear_conv", [Pure, InferTypeOpAdaptor]> {
  let summary = "Quantized convolution (ONNX QLinearConv)";
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$x_scale, AnyRankedTensor:$x_zero_point,
                       AnyRankedTensor:$w, AnyRankedTensor:$w_scale, AnyRankedTensor:$w_zero_point,
                       AnyRankedTensor:$y_scale, AnyRankedTensor:$y_zero_point,
                       Optional<AnyRankedTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads, DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Dnn_QLinearMatMulOp : Dnn_Op<"qlinear_matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "Quantized matrix product (ONNX QLinearMatMul)";
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$a_scale, AnyRankedTensor:$a_zero_point,
                       AnyRankedTensor:$b, AnyRankedTensor:$b_scale, AnyRankedTensor:$b_zero_point,
                       AnyRankedTensor:$y_scale, AnyRankedTensor:$y_zero_point);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif
