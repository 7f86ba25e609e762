// RUN: dnnopt-opt %s -dnn-lower-quant -dnn-canonicalize-shapes -split-input-file -verify-diagnostics | FileCheck %s

// A QDQ conv -> relu -> conv -> residual add -> global pool -> linear chain, as
// quantizers export it. Everything becomes integer, channels-last inside, with one
// transpose at the entry and a reshape (a transpose of unit axes) at the pool.
// CHECK-LABEL: func.func @chain
func.func @chain(%x: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %s = dnn.constant dense<0.05> : tensor<f32>
  %z = dnn.constant dense<-3> : tensor<i8>
  %ws = dnn.constant dense<[0.01, 0.02]> : tensor<2xf32>
  %w = dnn.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]], [[[9, 8, 7], [6, 5, 4], [3, 2, 1]], [[1, 0, 1], [0, 1, 0], [1, 0, 1]]]]> : tensor<2x2x3x3xi8>
  %b = dnn.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %s2 = dnn.constant dense<0.04> : tensor<f32>
  %z2 = dnn.constant dense<-128> : tensor<i8>
  // CHECK: %[[T:.*]] = dnn.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>}
  %xq = dnn.quantize_linear %x, %s, %z : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %xd = dnn.dequantize_linear %xq, %s, %z : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %wd = dnn.dequantize_linear %w, %ws {axis = 0 : i64} : (tensor<2x2x3x3xi8>, tensor<2xf32>) -> tensor<2x2x3x3xf32>
  // The bias is re-quantized to int32 at x_scale * w_scale[m] (0.1 / 0.0005, -0.2 / 0.001).
  // The relu fused into the conv becomes the clamp [Q(0), 127] = the full range
  // here (zero point -128); default-valued attributes are not printed.
  // CHECK: %[[B:.*]] = dnn.constant dense<[200, -200]> : tensor<2xi32>
  // CHECK: %[[C1:.*]] = dnn.qconv %[[T]], %{{.*}}, %[[B]] {dilations = array<i64: 1, 1>, input_zp = -3 : i64, output_zp = -128 : i64, pads = array<i64: 1, 1, 1, 1>, scale = array<f64: 0.0125{{[0-9]*}}, 0.025{{[0-9]*}}>, strides = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x2x3x3xi8>, tensor<2xi32>) -> tensor<1x4x4x2xi8>
  %c1 = dnn.conv %xd, %wd, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, clip_min = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %c1q = dnn.quantize_linear %c1, %s2, %z2 : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %c1d = dnn.dequantize_linear %c1q, %s2, %z2 : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  // An unfused relu between dequantize and quantize with the same parameters only
  // clamps: it folds into the second conv's range.
  // CHECK: %[[C2:.*]] = dnn.qconv %[[C1]], %{{.*}} {act_min = -3 : i64, dilations = array<i64: 1, 1>, input_zp = -128 : i64, output_zp = -3 : i64
  %c2 = dnn.conv %c1d, %wd {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %c2q = dnn.quantize_linear %c2, %s2, %z : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %c2d = dnn.dequantize_linear %c2q, %s2, %z : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %r = dnn.relu %c2d : tensor<1x2x4x4xf32>
  %rq = dnn.quantize_linear %r, %s2, %z : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %rd = dnn.dequantize_linear %rq, %s2, %z : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  // The residual add runs channels-last too: no transpose between the convs and it.
  // CHECK-NOT: dnn.transpose
  // CHECK: %[[A:.*]] = dnn.qadd %[[C1]], %[[C2]] {lhs_scale = 0.0399{{[0-9]*}} : f64, lhs_zp = -128 : i64, output_scale = 0.0500{{[0-9]*}} : f64, output_zp = -3 : i64, rhs_scale = 0.0399{{[0-9]*}} : f64, rhs_zp = -3 : i64}
  %a = dnn.add %c1d, %rd : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %aq = dnn.quantize_linear %a, %s, %z : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %ad = dnn.dequantize_linear %aq, %s, %z : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  // CHECK: %[[G:.*]] = dnn.qglobal_avg_pool %[[A]] {input_zp = -3 : i64, output_zp = -3 : i64, scale = 1.000000e+00 : f64} : (tensor<1x4x4x2xi8>) -> tensor<1x1x1x2xi8>
  %g = dnn.global_avg_pool %ad : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32>
  %gq = dnn.quantize_linear %g, %s, %z : (tensor<1x2x1x1xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x1x1xi8>
  %gd = dnn.dequantize_linear %gq, %s, %z : (tensor<1x2x1x1xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x1x1xf32>
  // CHECK: %[[F:.*]] = dnn.reshape %[[G]] {shape = array<i64: 1, 2>}
  %f = dnn.reshape %gd {shape = array<i64: 1, 2>} : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
  %fq = dnn.quantize_linear %f, %s, %z : (tensor<1x2xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2xi8>
  %fd = dnn.dequantize_linear %fq, %s, %z : (tensor<1x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2xf32>
  %fw = dnn.constant dense<[[1, -1], [2, -2], [3, -3]]> : tensor<3x2xi8>
  %fws = dnn.constant dense<0.1> : tensor<f32>
  %fwd = dnn.dequantize_linear %fw, %fws : (tensor<3x2xi8>, tensor<f32>) -> tensor<3x2xf32>
  // CHECK: %[[L:.*]] = dnn.qfully_connected %[[F]], %{{.*}} {input_zp = -3 : i64, output_zp = -3 : i64, scale = array<f64: 0.1{{[0-9]*}}>} : (tensor<1x2xi8>, tensor<3x2xi8>) -> tensor<1x3xi8>
  %l = dnn.gemm %fd, %fwd {trans_b = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  %lq = dnn.quantize_linear %l, %s, %z : (tensor<1x3xf32>, tensor<f32>, tensor<i8>) -> tensor<1x3xi8>
  // CHECK: dnn.dequantize_linear %[[L]]
  %ld = dnn.dequantize_linear %lq, %s, %z : (tensor<1x3xi8>, tensor<f32>, tensor<i8>) -> tensor<1x3xf32>
  return %ld : tensor<1x3xf32>
}

// -----

// uint8 tensors move to int8 (zero point - 128); an op with no integer form stays
// float between its dequantize and quantize, with a warning.
// CHECK-LABEL: func.func @fallback
func.func @fallback(%x: tensor<1x4xui8>) -> tensor<1x4xui8> {
  %s = dnn.constant dense<0.1> : tensor<f32>
  %z = dnn.constant dense<128> : tensor<ui8>
  // CHECK: %[[I:.*]] = dnn.requantize %arg0 {input_zp = 128 : i64, output_zp = 0 : i64, scale = 1.000000e+00 : f64} : (tensor<1x4xui8>) -> tensor<1x4xi8>
  // CHECK: %[[D:.*]] = dnn.dequantize_linear %[[I]]
  %d = dnn.dequantize_linear %x, %s, %z : (tensor<1x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x4xf32>
  // CHECK: %[[T:.*]] = dnn.tanh %[[D]]
  // expected-warning @+1 {{kept in float: 'dnn.tanh' has no integer form}}
  %t = dnn.tanh %d : tensor<1x4xf32>
  // CHECK: %[[Q:.*]] = dnn.quantize_linear %[[T]], %{{.*}}, %{{.*}} : (tensor<1x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x4xi8>
  // CHECK: dnn.requantize %[[Q]] {act_max = 255 : i64, act_min = 0 : i64, input_zp = 0 : i64, output_zp = 128 : i64, scale = 1.000000e+00 : f64} : (tensor<1x4xi8>) -> tensor<1x4xui8>
  %q = dnn.quantize_linear %t, %s, %z : (tensor<1x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x4xui8>
  return %q : tensor<1x4xui8>
}

// -----

// Asymmetric weights (w - zero point outside int8) keep the conv in float; its
// weights become a float constant.
// CHECK-LABEL: func.func @asymmetric
func.func @asymmetric(%x: tensor<1x1x3xi8>) -> tensor<1x1x3xi8> {
  %s = dnn.constant dense<0.1> : tensor<f32>
  %z = dnn.constant dense<0> : tensor<i8>
  %w = dnn.constant dense<[[[-128, 0, 127]]]> : tensor<1x1x3xi8>
  %wz = dnn.constant dense<10> : tensor<i8>
  %xd = dnn.dequantize_linear %x, %s, %z : (tensor<1x1x3xi8>, tensor<f32>, tensor<i8>) -> tensor<1x1x3xf32>
  %wd = dnn.dequantize_linear %w, %s, %wz : (tensor<1x1x3xi8>, tensor<f32>, tensor<i8>) -> tensor<1x1x3xf32>
  // CHECK: %[[W:.*]] = dnn.constant dense<{{\[\[\[}}-1.380000e+01, -1.000000e+00, 1.170000e+01]]]> : tensor<1x1x3xf32>
  // CHECK: dnn.conv %{{.*}}, %[[W]]
  // expected-warning @+1 {{kept in float: weight minus its zero point leaves int8}}
  %c = dnn.conv %xd, %wd {dilations = array<i64: 1>, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<1x1x3xf32>, tensor<1x1x3xf32>) -> tensor<1x1x3xf32>
  %q = dnn.quantize_linear %c, %s, %z : (tensor<1x1x3xf32>, tensor<f32>, tensor<i8>) -> tensor<1x1x3xi8>
  return %q : tensor<1x1x3xi8>
}

// -----

// 4-bit weights (a dequantize_linear with bits = 4) keep their width on the integer op.
// CHECK-LABEL: func.func @four_bit
// CHECK: dnn.qfully_connected %{{.*}}, %{{.*}} {input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: {{.*}}>, weight_bits = array<i64: 4>}
func.func @four_bit(%x: tensor<1x2xi8>) -> tensor<1x2xi8> {
  %s = dnn.constant dense<0.1> : tensor<f32>
  %z = dnn.constant dense<0> : tensor<i8>
  %w = dnn.constant dense<[[7, -8], [3, -1]]> : tensor<2x2xi8>
  %ws = dnn.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %xd = dnn.dequantize_linear %x, %s, %z : (tensor<1x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2xf32>
  %wd = dnn.dequantize_linear %w, %ws {axis = 0 : i64, bits = 4 : i64} : (tensor<2x2xi8>, tensor<2xf32>) -> tensor<2x2xf32>
  %g = dnn.gemm %xd, %wd {trans_b = true} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %q = dnn.quantize_linear %g, %s, %z : (tensor<1x2xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2xi8>
  return %q : tensor<1x2xi8>
}
