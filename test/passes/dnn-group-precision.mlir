// RUN: dnnopt-opt %s -dnn-group-precision -split-input-file -verify-diagnostics | FileCheck %s
// The rewritten functions compute what the originals did (reference engine, random
// inputs; the verifier cases at the end are left out):
// RUN: split-file %s %t
// RUN: dnnopt-pass-equiv %t/valid.mlir --pipeline=dnn-group-precision 2>/dev/null | FileCheck %s --check-prefix=EQUIV
// EQUIV: @permute: changed, equivalent
// EQUIV: @flatten_fc: changed, equivalent
// EQUIV: @transpose_flatten_fc: changed, equivalent
// EQUIV: @depthwise: changed, equivalent
// EQUIV: @residual: changed, equivalent
// EQUIV: @prune: changed, equivalent
// EQUIV: @prune_kept: changed, equivalent
// EQUIV: @left_alone: changed, equivalent
// EQUIV: @graph_output: unchanged, equivalent

//--- valid.mlir

// Output channels of widths 2, 8, 4, 8 are sorted (stable, widest first) to
// 8, 8, 4, 2: new channel i is old channel [1, 3, 2, 0][i]. The weight rows, bias,
// scales and widths follow; the consumer's input-channel weights (columns) too.
// CHECK-LABEL: func.func @permute
func.func @permute(%x: tensor<1x2x2x3xi8>) -> tensor<1x2x2x2xi8> {
  // CHECK: %[[W:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[10]], {{\[}}[20]], {{\[}}[30]]], {{\[}}{{\[}}[-100]], {{\[}}[50]], {{\[}}[7]]], {{\[}}{{\[}}[3]], {{\[}}[-4]], {{\[}}[5]]], {{\[}}{{\[}}[1]], {{\[}}[0]], {{\[}}[-1]]]]> : tensor<4x3x1x1xi8>
  // CHECK: %[[B:.*]] = dnn.constant dense<[2, 4, 3, 1]> : tensor<4xi32>
  // CHECK: %[[A:.*]] = dnn.qconv %{{.*}}, %[[W]], %[[B]] {{.*}}scale = array<f64: 2.000000e-01, 4.000000e-01, 3.000000e-01, 1.000000e-01>, strides = array<i64: 1, 1>, weight_bits = array<i64: 8, 8, 4, 2>}
  // CHECK: %[[W2:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[2]], {{\[}}[4]], {{\[}}[3]], {{\[}}[1]]], {{\[}}{{\[}}[6]], {{\[}}[8]], {{\[}}[7]], {{\[}}[5]]]]> : tensor<2x4x1x1xi8>
  // CHECK: dnn.qconv %[[A]], %[[W2]] {
  %w = dnn.constant dense<[[[[1]], [[0]], [[-1]]], [[[10]], [[20]], [[30]]], [[[3]], [[-4]], [[5]]], [[[-100]], [[50]], [[7]]]]> : tensor<4x3x1x1xi8>
  %b = dnn.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %a = dnn.qconv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = -3 : i64, scale = array<f64: 0.1, 0.2, 0.3, 0.4>, weight_bits = array<i64: 2, 8, 4, 8>} : (tensor<1x2x2x3xi8>, tensor<4x3x1x1xi8>, tensor<4xi32>) -> tensor<1x2x2x4xi8>
  %w2 = dnn.constant dense<[[[[1]], [[2]], [[3]], [[4]]], [[[5]], [[6]], [[7]], [[8]]]]> : tensor<2x4x1x1xi8>
  %y = dnn.qconv %a, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = -3 : i64, output_zp = 0 : i64, scale = array<f64: 0.05>} : (tensor<1x2x2x4xi8>, tensor<2x4x1x1xi8>) -> tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}

// -----

// Through a requantize and a channels-last flatten (1x1x2x3 -> 1x6: feature
// k = position * 3 + channel) into a fully connected layer: order [1, 0, 2], so
// its columns become [1, 0, 2, 4, 3, 5].
// CHECK-LABEL: func.func @flatten_fc
func.func @flatten_fc(%x: tensor<1x1x2x2xi8>) -> tensor<1x2xi8> {
  // CHECK: %[[W:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[20]], {{\[}}[-20]]], {{\[}}{{\[}}[3]], {{\[}}[-3]]], {{\[}}{{\[}}[1]], {{\[}}[-1]]]]> : tensor<3x2x1x1xi8>
  // CHECK: %[[A:.*]] = dnn.qconv %{{.*}}, %[[W]] {{.*}}weight_bits = array<i64: 8, 4, 2>} : (tensor<1x1x2x2xi8>, tensor<3x2x1x1xi8>) -> tensor<1x1x2x3xi8>
  // CHECK: %[[R:.*]] = dnn.requantize %[[A]]
  // CHECK: %[[V:.*]] = dnn.reshape %[[R]] {shape = array<i64: 1, 6>}
  // CHECK: %[[F:.*]] = dnn.constant dense<{{\[}}[11, 10, 12, 14, 13, 15], [21, 20, 22, 24, 23, 25]]> : tensor<2x6xi8>
  // CHECK: dnn.qfully_connected %[[V]], %[[F]]
  %w = dnn.constant dense<[[[[3]], [[-3]]], [[[20]], [[-20]]], [[[1]], [[-1]]]]> : tensor<3x2x1x1xi8>
  %a = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 4, 8, 2>} : (tensor<1x1x2x2xi8>, tensor<3x2x1x1xi8>) -> tensor<1x1x2x3xi8>
  %r = dnn.requantize %a {input_zp = 0 : i64, output_zp = 2 : i64, scale = 0.5 : f64} : (tensor<1x1x2x3xi8>) -> tensor<1x1x2x3xi8>
  %v = dnn.reshape %r {shape = array<i64: 1, 6>} : (tensor<1x1x2x3xi8>) -> tensor<1x6xi8>
  %f = dnn.constant dense<[[10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 25]]> : tensor<2x6xi8>
  %y = dnn.qfully_connected %v, %f {input_zp = 2 : i64, output_zp = 0 : i64, scale = array<f64: 0.01>} : (tensor<1x6xi8>, tensor<2x6xi8>) -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}

// -----

// Back to channels-first before the flatten (1x3x1x2 -> 1x6: feature
// k = channel * 2 + position): columns [2, 3, 0, 1, 4, 5].
// CHECK-LABEL: func.func @transpose_flatten_fc
func.func @transpose_flatten_fc(%x: tensor<1x1x2x2xi8>) -> tensor<1x2xi8> {
  // CHECK: %[[T:.*]] = dnn.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x2x3xi8>) -> tensor<1x3x1x2xi8>
  // CHECK: %[[V:.*]] = dnn.reshape %[[T]]
  // CHECK: %[[F:.*]] = dnn.constant dense<{{\[}}[12, 13, 10, 11, 14, 15], [22, 23, 20, 21, 24, 25]]> : tensor<2x6xi8>
  // CHECK: dnn.qfully_connected %[[V]], %[[F]]
  %w = dnn.constant dense<[[[[3]], [[-3]]], [[[20]], [[-20]]], [[[1]], [[-1]]]]> : tensor<3x2x1x1xi8>
  %a = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 4, 8, 2>} : (tensor<1x1x2x2xi8>, tensor<3x2x1x1xi8>) -> tensor<1x1x2x3xi8>
  %t = dnn.transpose %a {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x2x3xi8>) -> tensor<1x3x1x2xi8>
  %v = dnn.reshape %t {shape = array<i64: 1, 6>} : (tensor<1x3x1x2xi8>) -> tensor<1x6xi8>
  %f = dnn.constant dense<[[10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 25]]> : tensor<2x6xi8>
  %y = dnn.qfully_connected %v, %f {input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.01>} : (tensor<1x6xi8>, tensor<2x6xi8>) -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}

// -----

// A depthwise conv carries the channels: its weights, bias, scales and widths are
// permuted too, and the sort key is the pair (producer width, depthwise width):
// (4,2) (8,2) (4,8) (8,8) -> order [3, 1, 2, 0]. A qadd with a constant
// per-channel operand passes them on to the pointwise consumer.
// CHECK-LABEL: func.func @depthwise
func.func @depthwise(%x: tensor<1x3x3x2xi8>) -> tensor<1x3x3x1xi8> {
  // CHECK: %[[W:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[4]], {{\[}}[4]]], {{\[}}{{\[}}[2]], {{\[}}[2]]], {{\[}}{{\[}}[3]], {{\[}}[3]]], {{\[}}{{\[}}[1]], {{\[}}[1]]]]> : tensor<4x2x1x1xi8>
  // CHECK: %[[A:.*]] = dnn.qconv %{{.*}}, %[[W]] {{.*}}weight_bits = array<i64: 8, 8, 4, 4>}
  // CHECK: %[[DW:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[4]]], {{\[}}{{\[}}[-2]]], {{\[}}{{\[}}[1]]], {{\[}}{{\[}}[1]]]]> : tensor<4x1x1x1xi8>
  // CHECK: %[[D:.*]] = dnn.qconv %[[A]], %[[DW]] {{.*}}group = 4 : i64{{.*}}weight_bits = array<i64: 8, 2, 8, 2>}
  // CHECK: %[[K:.*]] = dnn.constant dense<[40, 20, 30, 10]> : tensor<4xi8>
  // CHECK: %[[S:.*]] = dnn.qadd %[[D]], %[[K]]
  // CHECK: %[[P:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[4]], {{\[}}[2]], {{\[}}[3]], {{\[}}[1]]]]> : tensor<1x4x1x1xi8>
  // CHECK: dnn.qconv %[[S]], %[[P]]
  %w = dnn.constant dense<[[[[1]], [[1]]], [[[2]], [[2]]], [[[3]], [[3]]], [[[4]], [[4]]]]> : tensor<4x2x1x1xi8>
  %a = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 4, 8, 4, 8>} : (tensor<1x3x3x2xi8>, tensor<4x2x1x1xi8>) -> tensor<1x3x3x4xi8>
  %dw = dnn.constant dense<[[[[1]]], [[[-2]]], [[[1]]], [[[4]]]]> : tensor<4x1x1x1xi8>
  %d = dnn.qconv %a, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4 : i64, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.5>, weight_bits = array<i64: 2, 2, 8, 8>} : (tensor<1x3x3x4xi8>, tensor<4x1x1x1xi8>) -> tensor<1x3x3x4xi8>
  %k = dnn.constant dense<[10, 20, 30, 40]> : tensor<4xi8>
  %s = dnn.qadd %d, %k {lhs_zp = 0 : i64, rhs_zp = 0 : i64, lhs_scale = 1.0 : f64, rhs_scale = 1.0 : f64, output_scale = 1.0 : f64, output_zp = 0 : i64} : (tensor<1x3x3x4xi8>, tensor<4xi8>) -> tensor<1x3x3x4xi8>
  %p = dnn.constant dense<[[[[1]], [[2]], [[3]], [[4]]]]> : tensor<1x4x1x1xi8>
  %y = dnn.qconv %s, %p {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>} : (tensor<1x3x3x4xi8>, tensor<1x4x1x1xi8>) -> tensor<1x3x3x1xi8>
  return %y : tensor<1x3x3x1xi8>
}

// -----

// Two layers meeting in a residual qadd share one channel order: the uniform one
// follows the mixed one's sort.
// CHECK-LABEL: func.func @residual
func.func @residual(%x: tensor<1x1x1x2xi8>) -> tensor<1x1x1x1xi8> {
  // CHECK: %[[WA:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[2]], {{\[}}[2]]], {{\[}}{{\[}}[1]], {{\[}}[1]]], {{\[}}{{\[}}[-1]], {{\[}}[-1]]]]> : tensor<3x2x1x1xi8>
  // CHECK: dnn.qconv %{{.*}}, %[[WA]] {{.*}}weight_bits = array<i64: 8, 4, 2>}
  // CHECK: %[[WB:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[5]], {{\[}}[0]]], {{\[}}{{\[}}[4]], {{\[}}[0]]], {{\[}}{{\[}}[6]], {{\[}}[0]]]]> : tensor<3x2x1x1xi8>
  // CHECK: dnn.qconv %{{.*}}, %[[WB]]
  // CHECK: %[[S:.*]] = dnn.qadd
  // CHECK: %[[P:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[2]], {{\[}}[1]], {{\[}}[3]]]]> : tensor<1x3x1x1xi8>
  // CHECK: dnn.qconv %[[S]], %[[P]]
  %wa = dnn.constant dense<[[[[1]], [[1]]], [[[2]], [[2]]], [[[-1]], [[-1]]]]> : tensor<3x2x1x1xi8>
  %a = dnn.qconv %x, %wa {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 4, 8, 2>} : (tensor<1x1x1x2xi8>, tensor<3x2x1x1xi8>) -> tensor<1x1x1x3xi8>
  %wb = dnn.constant dense<[[[[4]], [[0]]], [[[5]], [[0]]], [[[6]], [[0]]]]> : tensor<3x2x1x1xi8>
  %b = dnn.qconv %x, %wb {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>} : (tensor<1x1x1x2xi8>, tensor<3x2x1x1xi8>) -> tensor<1x1x1x3xi8>
  %s = dnn.qadd %a, %b {lhs_zp = 0 : i64, rhs_zp = 0 : i64, lhs_scale = 1.0 : f64, rhs_scale = 1.0 : f64, output_scale = 1.0 : f64, output_zp = 0 : i64} : (tensor<1x1x1x3xi8>, tensor<1x1x1x3xi8>) -> tensor<1x1x1x3xi8>
  %p = dnn.constant dense<[[[[1]], [[2]], [[3]]]]> : tensor<1x3x1x1xi8>
  %y = dnn.qconv %s, %p {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>} : (tensor<1x1x1x3xi8>, tensor<1x3x1x1xi8>) -> tensor<1x1x1x1xi8>
  return %y : tensor<1x1x1x1xi8>
}

// -----

// 0-bit channels 1 and 3 disappear (the layer keeps 2 channels). Channel 1 outputs
// requant(bias 0) + output_zp = -3, the consumer's input zero point: exact. Channel
// 3 outputs -3 + round(1000 * 0.01) = 7; the 1x1 consumer has no padding, so its
// contribution (7 - (-3)) * w[m][3] = 10 * [4, 8] moves into its bias: [5, 6] + [40, 80].
// CHECK-LABEL: func.func @prune
func.func @prune(%x: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // CHECK: %[[W:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[5]], {{\[}}[6]]], {{\[}}{{\[}}[1]], {{\[}}[-1]]]]> : tensor<2x2x1x1xi8>
  // CHECK: %[[B:.*]] = dnn.constant dense<0> : tensor<2xi32>
  // CHECK: %[[A:.*]] = dnn.qconv %{{.*}}, %[[W]], %[[B]] {{.*}}scale = array<f64: 1.000000e-02>, strides = array<i64: 1, 1>, weight_bits = array<i64: 8, 4>} : (tensor<1x2x2x2xi8>, tensor<2x2x1x1xi8>, tensor<2xi32>) -> tensor<1x2x2x2xi8>
  // CHECK-DAG: %[[W2:.*]] = dnn.constant dense<{{\[}}{{\[}}{{\[}}[3]], {{\[}}[1]]], {{\[}}{{\[}}[7]], {{\[}}[5]]]]> : tensor<2x2x1x1xi8>
  // CHECK-DAG: %[[B2:.*]] = dnn.constant dense<[45, 86]> : tensor<2xi32>
  // CHECK: dnn.qconv %[[A]], %[[W2]], %[[B2]] {{.*}} : (tensor<1x2x2x2xi8>, tensor<2x2x1x1xi8>, tensor<2xi32>) -> tensor<1x2x2x2xi8>
  %w = dnn.constant dense<[[[[1]], [[-1]]], [[[0]], [[0]]], [[[5]], [[6]]], [[[0]], [[0]]]]> : tensor<4x2x1x1xi8>
  %b = dnn.constant dense<[0, 0, 0, 1000]> : tensor<4xi32>
  %a = dnn.qconv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = -3 : i64, scale = array<f64: 0.01>, weight_bits = array<i64: 4, 0, 8, 0>} : (tensor<1x2x2x2xi8>, tensor<4x2x1x1xi8>, tensor<4xi32>) -> tensor<1x2x2x4xi8>
  %w2 = dnn.constant dense<[[[[1]], [[2]], [[3]], [[4]]], [[[5]], [[6]], [[7]], [[8]]]]> : tensor<2x4x1x1xi8>
  %b2 = dnn.constant dense<[5, 6]> : tensor<2xi32>
  %y = dnn.qconv %a, %w2, %b2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = -3 : i64, output_zp = 0 : i64, scale = array<f64: 0.05>} : (tensor<1x2x2x4xi8>, tensor<2x4x1x1xi8>, tensor<2xi32>) -> tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}

// -----

// The same with a padded 3x3 consumer: channel 3 (value 7, not the consumer's
// input zero point -3) would leave a border pattern, so it stays as an all-zero
// 2-bit channel; channel 1 still goes.
// CHECK-LABEL: func.func @prune_kept
func.func @prune_kept(%x: tensor<1x2x2x2xi8>) -> tensor<1x2x2x1xi8> {
  // CHECK: %[[A:.*]] = dnn.qconv {{.*}}weight_bits = array<i64: 8, 4, 2>} : (tensor<1x2x2x2xi8>, tensor<3x2x1x1xi8>, tensor<3xi32>) -> tensor<1x2x2x3xi8>
  // CHECK: dnn.qconv %[[A]], {{.*}} : (tensor<1x2x2x3xi8>, tensor<1x3x3x3xi8>) -> tensor<1x2x2x1xi8>
  %w = dnn.constant dense<[[[[1]], [[-1]]], [[[0]], [[0]]], [[[5]], [[6]]], [[[0]], [[0]]]]> : tensor<4x2x1x1xi8>
  %b = dnn.constant dense<[0, 0, 0, 1000]> : tensor<4xi32>
  // expected-remark @+1 {{pruned channels 3 kept as all-zero 2-bit channels: 'dnn.qconv' pads its input and the channel's value 7 is not its input zero point -3}}
  %a = dnn.qconv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = -3 : i64, scale = array<f64: 0.01>, weight_bits = array<i64: 4, 0, 8, 0>} : (tensor<1x2x2x2xi8>, tensor<4x2x1x1xi8>, tensor<4xi32>) -> tensor<1x2x2x4xi8>
  %w2 = dnn.constant dense<1> : tensor<1x4x3x3xi8>
  %y = dnn.qconv %a, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, input_zp = -3 : i64, output_zp = 0 : i64, scale = array<f64: 0.05>} : (tensor<1x2x2x4xi8>, tensor<1x4x3x3xi8>) -> tensor<1x2x2x1xi8>
  return %y : tensor<1x2x2x1xi8>
}

// -----

// A layer whose channels reach a concat keeps its order (one kernel group per run)
// and says why; its 0-bit channel becomes an all-zero 2-bit channel.
// CHECK-LABEL: func.func @left_alone
func.func @left_alone(%x: tensor<1x1x1x2xi8>) -> tensor<1x1x1x6xi8> {
  // CHECK: %[[A:.*]] = dnn.qconv {{.*}}weight_bits = array<i64: 4, 2, 8, 4>} : (tensor<1x1x1x2xi8>, tensor<4x2x1x1xi8>) -> tensor<1x1x1x4xi8>
  // CHECK: dnn.concat %[[A]], %{{.*}}
  %w = dnn.constant dense<[[[[1]], [[2]]], [[[0]], [[0]]], [[[3]], [[4]]], [[[5]], [[6]]]]> : tensor<4x2x1x1xi8>
  // expected-remark @+1 {{precision groups left in channel order: its output channels reach 'dnn.concat', which cannot take them permuted; pruned channels 1 kept as all-zero 2-bit channels}}
  %a = dnn.qconv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 4, 0, 8, 4>} : (tensor<1x1x1x2xi8>, tensor<4x2x1x1xi8>) -> tensor<1x1x1x4xi8>
  %c = dnn.concat %a, %x {axis = 3 : i64} : (tensor<1x1x1x4xi8>, tensor<1x1x1x2xi8>) -> tensor<1x1x1x6xi8>
  return %c : tensor<1x1x1x6xi8>
}

// -----

// A graph output cannot be permuted either.
func.func @graph_output(%x: tensor<1x2xi8>) -> tensor<1x3xi8> {
  %w = dnn.constant dense<[[1, 1], [2, 2], [3, 3]]> : tensor<3x2xi8>
  // expected-remark @+1 {{precision groups left in channel order: its output channels reach 'func.return', which returns them (a graph output)}}
  %y = dnn.qfully_connected %x, %w {input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 4, 8, 4>} : (tensor<1x2xi8>, tensor<3x2xi8>) -> tensor<1x3xi8>
  return %y : tensor<1x3xi8>
}

// -----

//--- errors.mlir
// The verifier: a 0-bit (pruned) channel holds only zeros.
func.func @pruned_nonzero(%x: tensor<1x2xi8>) -> tensor<1x2xi8> {
  %w = dnn.constant dense<[[1, -1], [0, 3]]> : tensor<2x2xi8>
  // expected-error @+1 {{weight 3 of output channel 1 is not zero: a 0-bit (pruned) channel holds no weights}}
  %y = dnn.qfully_connected %x, %w {input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 8, 0>} : (tensor<1x2xi8>, tensor<2x2xi8>) -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}

// -----

func.func @pruned_per_layer(%x: tensor<1x2xi8>) -> tensor<1x2xi8> {
  %w = dnn.constant dense<0> : tensor<2x2xi8>
  // expected-error @+1 {{weight_bits 0 (a pruned channel) needs one entry per output channel}}
  %y = dnn.qfully_connected %x, %w {input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 0>} : (tensor<1x2xi8>, tensor<2x2xi8>) -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}
