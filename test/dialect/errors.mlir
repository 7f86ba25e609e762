// RUN: dnnopt-opt %s -split-input-file -verify-diagnostics

// Every verifier and result-type inference error of the dnn dialect. An error
// found by result type inference (InferTypeOpInterface) is followed by MLIR's
// generic "failed to infer returned types" on the same op.

//===----------------------------------------------------------------------===//
// conv / conv_transpose / qlinear_conv
//===----------------------------------------------------------------------===//

func.func @conv_channel_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<2x4x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{weight [2,4,3,3] expects 4 input channels (group 1), input has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_bad_group(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{group 2 must divide input channels 3 and output channels 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2} : (tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_pads_count(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{expected 4 pads, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{expected 2 strides, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_dilations_count(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{expected 2 dilations, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{strides must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 0>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{dilations must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{pads must be >= 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 1>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_window_does_not_fit(%x: tensor<1x3x8x3xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x1xf32> {
  // expected-error @+2 {{window of size 3 (dilation 2) does not fit spatial axis 1 of size 3 with pads 0,1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 1>} : (tensor<1x3x8x3xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x1xf32>
  return %0 : tensor<1x2x6x1xf32>
}

// -----

func.func @conv_input_rank(%x: tensor<3x8xf32>, %w: tensor<2x3xf32>) -> tensor<3x8xf32> {
  // expected-error @+2 {{input must be N x C x spatial (rank >= 3), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64>, dilations = array<i64>, pads = array<i64>} : (tensor<3x8xf32>, tensor<2x3xf32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{weight rank 3 does not match input rank 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_bias_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{bias must have shape [2], got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf16>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{input and weight element types differ: 'f32' vs 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf16>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_dynamic_shape(%x: tensor<?x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{input has dynamic shape [?,3,8,8]; dynamic dimensions must be resolved first}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_result_type(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x8x8xf32> {
  // expected-error @+2 {{'dnn.conv' op inferred type(s) 'tensor<1x2x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x2x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x3x4x4xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{weight [2,2,3,3] must have the input's 3 channels first, group 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x3x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+2 {{expected 2 output_padding values}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0>} : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_transpose_empty(%x: tensor<1x3x1x4xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x2x1x4xf32> {
  // expected-error @+2 {{output spatial axis 0 would be empty}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x3x1x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x2x1x4xf32>
  return %0 : tensor<1x2x1x4xf32>
}

// -----

func.func @conv_transpose_rank(%x: tensor<1x3x4xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+2 {{input and weight must have the same rank >= 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.conv_transpose %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, output_padding = array<i64: 0>} : (tensor<1x3x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

func.func @qlinear_conv_channels(%x: tensor<1x2x4x4xi8>, %s: tensor<f32>, %zp: tensor<i8>, %w: tensor<3x4x1x1xi8>) -> tensor<1x3x4x4xi8> {
  // expected-error @+2 {{weight [3,4,1,1] expects 4 input channels (group 1), input has 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.qlinear_conv %x, %s, %zp, %w, %s, %zp, %s, %zp {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>, tensor<3x4x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x3x4x4xi8>
  return %0 : tensor<1x3x4x4xi8>
}

//===----------------------------------------------------------------------===//
// gemm / matmul / batch_norm
//===----------------------------------------------------------------------===//

// -----

func.func @gemm_inner_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{inner dimensions differ: A [2,3] vs B [4,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.gemm %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gemm_inner_mismatch_transposed(%a: tensor<3x2xf32>, %b: tensor<5x4xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{inner dimensions differ: A [3,2] (transposed) vs B [5,4] (transposed)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.gemm %a, %b {trans_a = true, trans_b = true} : (tensor<3x2xf32>, tensor<5x4xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gemm_rank(%a: tensor<2x3x1xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{A and B must be 2-D, got [2,3,1] and [3,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.gemm %a, %b : (tensor<2x3x1xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gemm_c_broadcast(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<3xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{C [3] does not broadcast to [2,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{matmul contraction mismatch: [2,3] x [4,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) -> tensor<2x2x5xf32> {
  // expected-error @+2 {{matmul batch dimensions do not broadcast: [2,2,3] x [3,3,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<2x2x5xf32>
  return %0 : tensor<2x2x5xf32>
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+2 {{matmul operands must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @qlinear_matmul_mismatch(%a: tensor<2x3xui8>, %s: tensor<f32>, %zp: tensor<ui8>, %b: tensor<4x5xui8>) -> tensor<2x5xui8> {
  // expected-error @+2 {{matmul contraction mismatch: [2,3] x [4,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.qlinear_matmul %a, %s, %zp, %b, %s, %zp, %s, %zp : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>, tensor<4x5xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x5xui8>
  return %0 : tensor<2x5xui8>
}

// -----

func.func @batch_norm_per_channel(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>, %q: tensor<4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{mean must have shape [3], got [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.batch_norm %x, %p, %p, %q, %p : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @batch_norm_rank(%x: tensor<3xf32>, %p: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{input must have rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.batch_norm %x, %p, %p, %p, %p : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// -----

func.func @broadcast_failure(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{shapes [2,3] and [4] do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @binary_element_types(%a: tensor<3xf32>, %b: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+2 {{operand element types differ: 'f32' vs 'i64'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.mul %a, %b : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @binary_result_type(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+2 {{'dnn.sub' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.sub %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @unary_type(%a: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "dnn.relu"(%a) : (tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unranked_operand(%a: tensor<*xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of any type values}}
  %0 = "dnn.exp"(%a) : (tensor<*xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @clip_min_greater_than_max(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dnn.clip' op min 6.000000e+00 is greater than max 0.000000e+00}}
  %0 = dnn.clip %a {min = 6.0 : f32, max = 0.0 : f32} : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dnn.softmax' op axis 2 out of range for rank 2}}
  %0 = dnn.softmax %a {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @log_softmax_negative_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dnn.log_softmax' op axis -1 out of range for rank 2}}
  %0 = dnn.log_softmax %a {axis = -1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cast_shape_change(%a: tensor<2x3xf32>) -> tensor<6xi64> {
  // expected-error @+1 {{'dnn.cast' op changes the shape: 'tensor<2x3xf32>' to 'tensor<6xi64>'}}
  %0 = dnn.cast %a : tensor<2x3xf32> -> tensor<6xi64>
  return %0 : tensor<6xi64>
}

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

// -----

func.func @max_pool_kernel_count(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+2 {{expected 2 kernel_shape values}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @max_pool_window(%x: tensor<1x2x2x8xf32>) -> tensor<1x2x1x4xf32> {
  // expected-error @+2 {{window of size 3 (dilation 1) does not fit spatial axis 0 of size 2 with pads 0,0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.max_pool %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x2x8xf32>) -> tensor<1x2x1x4xf32>
  return %0 : tensor<1x2x1x4xf32>
}

// -----

func.func @avg_pool_rank(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{input must have rank >= 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.avg_pool %x {kernel_shape = array<i64>, strides = array<i64>, pads = array<i64>} : (tensor<2x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @avg_pool_pads_count(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+2 {{expected 4 pads, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @avg_pool_result_type(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x5x5xf32> {
  // expected-error @+2 {{'dnn.avg_pool' op inferred type(s) 'tensor<1x2x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x2x5x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

func.func @global_pool_rank(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  // expected-error @+2 {{input must be N x C x spatial (rank >= 3), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.global_avg_pool %x : (tensor<2x8xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_empty_axes(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{axes must not be empty}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.reduce_sum %x {axes = array<i64>} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @reduce_axis_range(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  // expected-error @+2 {{axis 2 out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.reduce_mean %x {axes = array<i64: 2>} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_axes_order(%x: tensor<2x8xf32>) -> tensor<1x1xf32> {
  // expected-error @+2 {{axes must be strictly increasing}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.reduce_max %x {axes = array<i64: 1, 0>} : (tensor<2x8xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @reduce_keepdims_result(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  // expected-error @+2 {{'dnn.reduce_prod' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2x1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.reduce_prod %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_element_count(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+2 {{cannot reshape [2,3] (6 elements) to [4,2] (8 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.reshape %x {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @reshape_negative(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  // expected-error @+2 {{target shape [-1,6] has a negative dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.reshape %x {shape = array<i64: -1, 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @+2 {{perm [0,0] is not a permutation}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @transpose_perm_size(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{perm has 3 entries for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @concat_shape_mismatch(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>) -> tensor<5x4xf32> {
  // expected-error @+2 {{input 1 shape [2,4] differs from [3,4] outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.concat %a, %b {axis = 1 : i64} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @concat_type_mismatch(%a: tensor<3x4xf32>, %b: tensor<3x4xi64>) -> tensor<6x4xf32> {
  // expected-error @+2 {{input 1 type 'tensor<3x4xi64>' does not match 'tensor<3x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.concat %a, %b {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3x4xi64>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

func.func @concat_axis(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{axis 2 out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.concat %a {axis = 2 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @concat_no_input() -> tensor<3x4xf32> {
  // expected-error @+2 {{needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.concat {axis = 0 : i64} : () -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @split_sizes(%x: tensor<3x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  // expected-error @+2 {{split sizes [1,1] sum to 2, axis 0 has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = dnn.split %x {axis = 0 : i64, sizes = array<i64: 1, 1>} : (tensor<3x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>)
  return %0#0, %0#1 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

func.func @split_negative_size(%x: tensor<3x4xf32>) -> (tensor<4x4xf32>, tensor<3x4xf32>) {
  // expected-error @+2 {{split sizes must be >= 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = "dnn.split"(%x) {axis = 0 : i64, sizes = array<i64: 4, -1>} : (tensor<3x4xf32>) -> (tensor<4x4xf32>, tensor<3x4xf32>)
  return %0#0, %0#1 : tensor<4x4xf32>, tensor<3x4xf32>
}

// -----

func.func @split_axis(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{axis -1 out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.split %x {axis = -1 : i64, sizes = array<i64: 4>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @slice_out_of_range(%x: tensor<3x4xf32>) -> tensor<5x4xf32> {
  // expected-error @+2 {{slice [0:5:1) of axis 0 leaves its extent 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 5, 4>, steps = array<i64: 1, 1>} : (tensor<3x4xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @slice_zero_step(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{step of axis 1 is zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 3, 4>, steps = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @slice_entries(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{starts/ends/steps need one entry per axis (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.slice %x {starts = array<i64: 0>, ends = array<i64: 3>, steps = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @pad_count(%x: tensor<3x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{expected 4 pads, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.pad %x {pads = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @pad_crop_below_zero(%x: tensor<3x4xf32>) -> tensor<0x4xf32> {
  // expected-error @+2 {{pads crop axis 0 below zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.pad %x {pads = array<i64: -2, 0, -2, 0>} : (tensor<3x4xf32>) -> tensor<0x4xf32>
  return %0 : tensor<0x4xf32>
}

// -----

func.func @pad_reflect_too_large(%x: tensor<3x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{reflect pads must be smaller than axis 1 (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.pad %x {pads = array<i64: 0, 2, 0, 0>, mode = 1 : i32} : (tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @pad_edge_empty(%x: tensor<0x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{edge padding of empty axis 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.pad %x {pads = array<i64: 1, 0, 0, 0>, mode = 2 : i32} : (tensor<0x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @gather_index_type(%x: tensor<3x4xf32>, %i: tensor<2xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{indices must be integers, got 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.gather %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gather_axis(%x: tensor<3x4xf32>, %i: tensor<2xi64>) -> tensor<3x4xf32> {
  // expected-error @+2 {{axis 2 out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.gather %x, %i {axis = 2 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @resize_rank(%x: tensor<1x3x4x4xf32>) -> tensor<3x8x8xf32> {
  // expected-error @+1 {{'dnn.resize' op changes the rank: 'tensor<1x3x4x4xf32>' to 'tensor<3x8x8xf32>'}}
  %0 = dnn.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = 0 : i32, coord_mode = 1 : i32} : (tensor<1x3x4x4xf32>) -> tensor<3x8x8xf32>
  return %0 : tensor<3x8x8xf32>
}

// -----

func.func @resize_element_type(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf16> {
  // expected-error @+1 {{'dnn.resize' op changes the element type}}
  %0 = dnn.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = 0 : i32, coord_mode = 1 : i32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf16>
  return %0 : tensor<1x3x8x8xf16>
}

// -----

func.func @resize_scale_count(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'dnn.resize' op needs one scale per axis (4), got 2}}
  %0 = dnn.resize %x {scales = array<f32: 2.0, 2.0>, mode = 0 : i32, coord_mode = 1 : i32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @resize_scale_positive(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'dnn.resize' op scales must be positive, got 0}}
  %0 = dnn.resize %x {scales = array<f32: 1.0, 1.0, 0.0, 2.0>, mode = 0 : i32, coord_mode = 1 : i32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @resize_dynamic(%x: tensor<1x3x?x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'dnn.resize' op needs static shapes}}
  %0 = dnn.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = 0 : i32, coord_mode = 1 : i32} : (tensor<1x3x?x4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

// -----

func.func @quantize_bits(%x: tensor<2x3xf32>, %s: tensor<f32>) -> tensor<2x3xui8> {
  // expected-error @+2 {{bits must be 2, 4 or 8, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.quantize_linear %x, %s {bits = 3 : i64} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @quantize_zero_point_type(%x: tensor<2x3xf32>, %s: tensor<f32>, %zp: tensor<i16>) -> tensor<2x3xi16> {
  // expected-error @+2 {{zero_point must be int8, uint8, i4 or i2, got 'i16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.quantize_linear %x, %s, %zp : (tensor<2x3xf32>, tensor<f32>, tensor<i16>) -> tensor<2x3xi16>
  return %0 : tensor<2x3xi16>
}

// -----

func.func @quantize_per_axis(%x: tensor<2x3xf32>, %s: tensor<2xf32>) -> tensor<2x3xui8> {
  // expected-error @+2 {{per-axis scale of size 2 does not match axis 1 of input [2,3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.quantize_linear %x, %s : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @quantize_scale_rank(%x: tensor<2x3xf32>, %s: tensor<2x3xf32>) -> tensor<2x3xui8> {
  // expected-error @+2 {{scale must be a scalar or 1-D, got [2,3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.quantize_linear %x, %s : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @quantize_result_signedness(%x: tensor<2x3xf32>, %s: tensor<f32>) -> tensor<2x3xi8> {
  // expected-error @+2 {{'dnn.quantize_linear' op inferred type(s) 'tensor<2x3xui8>' are incompatible with return type(s) of operation 'tensor<2x3xi8>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.quantize_linear %x, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @dequantize_bits(%x: tensor<2x3xi8>, %s: tensor<f32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{bits must be 2, 4, 8 or 32, got 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.dequantize_linear %x, %s {bits = 16 : i64} : (tensor<2x3xi8>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @dequantize_float_input(%x: tensor<2x3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{input must be integer, got 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.dequantize_linear %x, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @dequantize_zero_point_type(%x: tensor<2x3xi8>, %s: tensor<f32>, %zp: tensor<ui8>) -> tensor<2x3xf32> {
  // expected-error @+2 {{input and zero_point element types differ: 'i8' vs 'ui8'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dnn.dequantize_linear %x, %s, %zp : (tensor<2x3xi8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
