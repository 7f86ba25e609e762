// RUN: dnnopt-opt %s -dnn-cleanup | FileCheck %s
// RUN: dnnopt-pass-equiv %s --pipeline=dnn-cleanup | FileCheck %s --check-prefix=EQUIV

// The whole pipeline on a small network: the identity and dropout go, the
// reshaped weight constant folds, the pad goes into the conv, the batch norm into
// the conv's weights (s = [1, 6], shift = [0.5, -7]), relu and clip fuse, the
// inverse transposes cancel and the reshape chain collapses, the gemm weight
// (B * 2) folds.
// CHECK-LABEL: func.func @net
// CHECK-NEXT: %[[W:.*]] = dnn.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]], {{\[\[\[}}3.000000e+01, 3.600000e+01], [4.200000e+01, 4.800000e+01]]]]> : tensor<2x1x2x2xf32>
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<[5.000000e-01, -7.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.conv %arg0, %[[W]], %[[B]] {clip_min = 0.000000e+00 : f32, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK-NEXT: %[[M:.*]] = dnn.max_pool %[[C]]
// CHECK-NEXT: %[[R:.*]] = dnn.reshape %[[M]] {shape = array<i64: 1, 2>} : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
// CHECK-NEXT: %[[GB:.*]] = dnn.constant dense<{{\[\[}}2.000000e+00, 0.000000e+00, -2.000000e+00], [1.000000e+00, 1.000000e+00, 1.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT: %[[G:.*]] = dnn.gemm %[[R]], %[[GB]] {clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[G]]
// EQUIV: @net: changed, equivalent
func.func @net(%x: tensor<1x1x4x4xf32>) -> tensor<1x3xf32> {
  %i = dnn.identity %x : tensor<1x1x4x4xf32>
  %p = dnn.pad %i {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32>
  %wflat = dnn.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %w = dnn.reshape %wflat {shape = array<i64: 2, 1, 2, 2>} : (tensor<8xf32>) -> tensor<2x1x2x2xf32>
  %c = dnn.conv %p, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x6x6xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x5x5xf32>
  %gamma = dnn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = dnn.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %mean = dnn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = dnn.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %bn = dnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x5x5xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  %r = dnn.relu %bn : tensor<1x2x5x5xf32>
  %mp = dnn.max_pool %r {kernel_shape = array<i64: 5, 5>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x1x1xf32>
  %t1 = dnn.transpose %mp {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x1x1xf32>) -> tensor<1x1x1x2xf32>
  %t2 = dnn.transpose %t1 {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x1x2xf32>) -> tensor<1x2x1x1xf32>
  %r1 = dnn.reshape %t2 {shape = array<i64: 2>} : (tensor<1x2x1x1xf32>) -> tensor<2xf32>
  %r2 = dnn.reshape %r1 {shape = array<i64: 1, 2>} : (tensor<2xf32>) -> tensor<1x2xf32>
  %d = dnn.dropout %r2 : tensor<1x2xf32>
  %b = dnn.constant dense<[[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]> : tensor<2x3xf32>
  %two = dnn.constant dense<2.0> : tensor<f32>
  %b2 = dnn.mul %b, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %g = dnn.gemm %d, %b2 : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %cl = dnn.clip %g {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x3xf32>
  return %cl : tensor<1x3xf32>
}
