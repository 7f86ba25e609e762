// RUN: dnnopt-opt %s -split-input-file -verify-diagnostics

// Sub-byte (i4 / i2) activations of the integer ops: zero points and clamps must lie
// in the tensor's range, `output_bits` must be 8, 4 or 2 and gives the result type.

func.func @qconv_clamp_outside_i4(%x: tensor<1x2x2x1xi8>) -> tensor<1x2x2x1xi4> {
  %w = dnn.constant dense<1> : tensor<1x1x1x1xi8>
  // expected-error @+1 {{activation range [-128, 127] must be ordered and within [-8, 7] (4-bit output)}}
  %y = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, output_bits = 4 : i64} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x2x2x1xi4>
  return %y : tensor<1x2x2x1xi4>
}

// -----

func.func @qconv_input_zp_outside_i4(%x: tensor<1x2x2x1xi4>) -> tensor<1x2x2x1xi8> {
  %w = dnn.constant dense<1> : tensor<1x1x1x1xi8>
  // expected-error @+1 {{input_zp 9 is outside [-8, 7] (4-bit tensor)}}
  %y = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 9 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>} : (tensor<1x2x2x1xi4>, tensor<1x1x1x1xi8>) -> tensor<1x2x2x1xi8>
  return %y : tensor<1x2x2x1xi8>
}

// -----

func.func @qconv_output_bits_3(%x: tensor<1x2x2x1xi8>) -> tensor<1x2x2x1xi8> {
  %w = dnn.constant dense<1> : tensor<1x1x1x1xi8>
  // expected-error @+2 {{output_bits must be 8, 4 or 2, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, output_bits = 3 : i64} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x2x2x1xi8>
  return %y : tensor<1x2x2x1xi8>
}

// -----

func.func @qconv_result_type_not_output_bits(%x: tensor<1x2x2x1xi8>) -> tensor<1x2x2x1xi8> {
  %w = dnn.constant dense<1> : tensor<1x1x1x1xi8>
  // expected-error @+2 {{inferred type(s) 'tensor<1x2x2x1xi4>' are incompatible with return type(s) of operation 'tensor<1x2x2x1xi8>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, output_bits = 4 : i64, act_min = -8 : i64, act_max = 7 : i64} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x2x2x1xi8>
  return %y : tensor<1x2x2x1xi8>
}

// -----

func.func @qconv_input_i3(%x: tensor<1x2x2x1xi3>) -> tensor<1x2x2x1xi8> {
  %w = dnn.constant dense<1> : tensor<1x1x1x1xi8>
  // expected-error @+2 {{input must hold int8, i4 or i2, got 'i3'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>} : (tensor<1x2x2x1xi3>, tensor<1x1x1x1xi8>) -> tensor<1x2x2x1xi8>
  return %y : tensor<1x2x2x1xi8>
}

// -----

func.func @qfc_output_zp_outside_i2(%x: tensor<1x3xi4>) -> tensor<1x2xi2> {
  %w = dnn.constant dense<1> : tensor<2x3xi8>
  // expected-error @+1 {{output_zp 2 is outside [-2, 1] (2-bit tensor)}}
  %y = dnn.qfully_connected %x, %w {input_zp = 0 : i64, output_zp = 2 : i64, scale = array<f64: 0.1>, output_bits = 2 : i64, act_min = -2 : i64, act_max = 1 : i64} : (tensor<1x3xi4>, tensor<2x3xi8>) -> tensor<1x2xi2>
  return %y : tensor<1x2xi2>
}

// -----

func.func @qadd_lhs_zp_outside_i2(%a: tensor<1x4xi2>, %b: tensor<1x4xi8>) -> tensor<1x4xi8> {
  // expected-error @+1 {{lhs_zp -3 is outside [-2, 1] (2-bit tensor)}}
  %y = dnn.qadd %a, %b {lhs_zp = -3 : i64, rhs_zp = 0 : i64, lhs_scale = 1.0 : f64, rhs_scale = 1.0 : f64, output_scale = 1.0 : f64, output_zp = 0 : i64} : (tensor<1x4xi2>, tensor<1x4xi8>) -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}

// -----

func.func @requantize_to_i2_zp(%x: tensor<1x4xi8>) -> tensor<1x4xi2> {
  // expected-error @+1 {{output_zp 2 is outside the output's range}}
  %y = dnn.requantize %x {input_zp = 0 : i64, output_zp = 2 : i64, scale = 0.5 : f64, act_min = -2 : i64, act_max = 1 : i64} : (tensor<1x4xi8>) -> tensor<1x4xi2>
  return %y : tensor<1x4xi2>
}

// -----

func.func @requantize_to_i4_clamp(%x: tensor<1x4xi8>) -> tensor<1x4xi4> {
  // expected-error @+1 {{activation range [-8, 9] is not within the output's range}}
  %y = dnn.requantize %x {input_zp = 0 : i64, output_zp = 0 : i64, scale = 0.5 : f64, act_min = -8 : i64, act_max = 9 : i64} : (tensor<1x4xi8>) -> tensor<1x4xi4>
  return %y : tensor<1x4xi4>
}

// -----

func.func @max_pool_i4_clamp(%x: tensor<1x2x2x3xi4>) -> tensor<1x1x1x3xi4> {
  // expected-error @+1 {{activation range [-128, 127] must be ordered and within [-8, 7] (4-bit output)}}
  %y = dnn.qmax_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x2x3xi4>) -> tensor<1x1x1x3xi4>
  return %y : tensor<1x1x1x3xi4>
}

// -----

func.func @avg_pool_i2_zp(%x: tensor<1x2x2x3xi2>) -> tensor<1x1x1x3xi2> {
  // expected-error @+1 {{zp -4 is outside [-2, 1] (2-bit tensor)}}
  %y = dnn.qavg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, zp = -4 : i64, act_min = -2 : i64, act_max = 1 : i64} : (tensor<1x2x2x3xi2>) -> tensor<1x1x1x3xi2>
  return %y : tensor<1x1x1x3xi2>
}

// -----

func.func @global_pool_i4_clamp(%x: tensor<1x2x2x3xi4>) -> tensor<1x1x1x3xi4> {
  // expected-error @+1 {{activation range [-8, 8] must be ordered and within [-8, 7] (4-bit output)}}
  %y = dnn.qglobal_avg_pool %x {input_zp = 0 : i64, output_zp = 0 : i64, scale = 1.0 : f64, output_bits = 4 : i64, act_min = -8 : i64, act_max = 8 : i64} : (tensor<1x2x2x3xi4>) -> tensor<1x1x1x3xi4>
  return %y : tensor<1x1x1x3xi4>
}

// -----

func.func @quantize_bits_differ_from_zp(%x: tensor<4xf32>) -> tensor<4xi4> {
  %s = dnn.constant dense<0.5> : tensor<f32>
  %z = dnn.constant dense<1> : tensor<i4>
  // expected-error @+2 {{bits 8 differs from the width of the 'i4' zero_point}}
  // expected-error @+1 {{failed to infer returned types}}
  %q = dnn.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i4>) -> tensor<4xi4>
  return %q : tensor<4xi4>
}
