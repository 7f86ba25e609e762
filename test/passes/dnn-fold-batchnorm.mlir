// RUN: dnnopt-opt %s -dnn-fold-batchnorm | FileCheck %s
// RUN: dnnopt-pass-equiv %s --pipeline=dnn-fold-batchnorm | FileCheck %s --check-prefix=EQUIV

// Folded numbers are computed by hand; epsilon = 0 and var chosen so that
// s = gamma / sqrt(var) is exact, shift = beta - mean * s.

// s = [2/2, 3/0.5] = [1, 6], shift = [1 - 0.5, -1 - 6] = [0.5, -7]
// W' = [[1, 2], [3*6, 4*6]], b' = b * s + shift = [1 + 0.5, 12 - 7]
// CHECK-LABEL: func.func @conv_bias
// CHECK-NEXT: %[[W:.*]] = dnn.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}1.800000e+01]], {{\[\[}}2.400000e+01]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<[1.500000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.conv %arg0, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NEXT: return %[[C]]
// EQUIV: @conv_bias: changed, equivalent
func.func @conv_bias(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = dnn.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = dnn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %gamma = dnn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = dnn.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %mean = dnn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = dnn.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %c = dnn.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %y = dnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// Depthwise conv without bias; the bias is created and the BN's clamp moves to
// the conv. s = [3/3, 1/2] = [1, 0.5], shift = [0 - 1, 2 - 1] = [-1, 1].
// CHECK-LABEL: func.func @depthwise_no_bias_clamp
// CHECK-NEXT: %[[W:.*]] = dnn.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]], {{\[\[\[}}2.500000e+00, 3.000000e+00], [3.500000e+00, 4.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.conv %arg0, %[[W]], %[[B]] {clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32, dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NEXT: return %[[C]]
// EQUIV: @depthwise_no_bias_clamp: changed, equivalent
func.func @depthwise_no_bias_clamp(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = dnn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[5.0, 6.0], [7.0, 8.0]]]]> : tensor<2x1x2x2xf32>
  %gamma = dnn.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %beta = dnn.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %mean = dnn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = dnn.constant dense<[9.0, 4.0]> : tensor<2xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2} : (tensor<1x2x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x2x2xf32>
  %y = dnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32, clip_min = 0.0 : f32, clip_max = 6.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// conv_transpose weight is C x M/g x k: output channel of [c, j] is j here.
// s = [2/1, 3/1] = [2, 3], shift = [0.5, 0]; b' = [1*2 + 0.5, 1*3 + 0].
// CHECK-LABEL: func.func @conv_transpose_bias
// CHECK-NEXT: %[[W:.*]] = dnn.constant dense<{{\[\[\[\[}}2.000000e+00], [4.000000e+00]], {{\[\[}}9.000000e+00], [1.200000e+01]]]]> : tensor<1x2x2x1xf32>
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<[2.500000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.conv_transpose %arg0, %[[W]], %[[B]]
// CHECK-NEXT: return %[[C]]
// EQUIV: @conv_transpose_bias: changed, equivalent
func.func @conv_transpose_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x3x2xf32> {
  %w = dnn.constant dense<[[[[1.0], [2.0]], [[3.0], [4.0]]]]> : tensor<1x2x2x1xf32>
  %b = dnn.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %gamma = dnn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = dnn.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = dnn.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %var = dnn.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %c = dnn.conv_transpose %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x1x2x2xf32>, tensor<1x2x2x1xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  %y = dnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  return %y : tensor<1x2x3x2xf32>
}

// Grouped conv_transpose (group 2, C = 2, M/g = 2): [c, j] feeds output channel
// 2c + j, so s = [1, 2, 3, 4] scales [[1, 2], [3, 4]] to [[1, 4], [9, 16]].
// CHECK-LABEL: func.func @conv_transpose_grouped
// CHECK-NEXT: %[[W:.*]] = dnn.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}9.000000e+00]], {{\[\[}}1.600000e+01]]]]> : tensor<2x2x1x1xf32>
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<[0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.conv_transpose %arg0, %[[W]], %[[B]] {{{.*}}group = 2 : i64
// CHECK-NEXT: return %[[C]]
// EQUIV: @conv_transpose_grouped: changed, equivalent
func.func @conv_transpose_grouped(%x: tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = dnn.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %gamma = dnn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %beta = dnn.constant dense<[0.0, 0.0, 0.0, 1.0]> : tensor<4xf32>
  %mean = dnn.constant dense<0.0> : tensor<4xf32>
  %var = dnn.constant dense<1.0> : tensor<4xf32>
  %c = dnn.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, group = 2} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x4x2x2xf32>
  %y = dnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// gemm: the channel is column n. alpha = 2 goes into B, beta = 0.5 into C.
// s = [1, 2, 3], shift = [0, 1, 0]; B' = 2 * B * s[n], C' = 0.5 * C * s + shift.
// CHECK-LABEL: func.func @gemm_alpha_beta
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<{{\[\[}}2.000000e+00, 8.000000e+00, 1.800000e+01], [8.000000e+00, 2.000000e+01, 3.600000e+01]]> : tensor<2x3xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.constant dense<[5.000000e-01, 2.000000e+00, 1.500000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[G:.*]] = dnn.gemm %arg0, %[[B]], %[[C]] :
// CHECK-NEXT: return %[[G]]
// EQUIV: @gemm_alpha_beta: changed, equivalent
func.func @gemm_alpha_beta(%a: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %b = dnn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %c = dnn.constant dense<1.0> : tensor<3xf32>
  %gamma = dnn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %beta = dnn.constant dense<[0.0, 1.0, 0.0]> : tensor<3xf32>
  %mean = dnn.constant dense<0.0> : tensor<3xf32>
  %var = dnn.constant dense<1.0> : tensor<3xf32>
  %g = dnn.gemm %a, %b, %c {alpha = 2.0 : f32, beta = 0.5 : f32} : (tensor<1x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %y = dnn.batch_norm %g, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// trans_b: B is N x K, row n is scaled. C is per row (2 x 1), so the folded C is
// 2 x 3: C'[r, n] = C[r] * s[n] + shift[n].
// CHECK-LABEL: func.func @gemm_trans_b_row_bias
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [4.000000e+00, 1.000000e+01], [9.000000e+00, 1.800000e+01]]> : tensor<3x2xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 3.000000e+00], [2.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT: %[[G:.*]] = dnn.gemm %arg0, %[[B]], %[[C]] {trans_b = true}
// CHECK-NEXT: return %[[G]]
// EQUIV: @gemm_trans_b_row_bias: changed, equivalent
func.func @gemm_trans_b_row_bias(%a: tensor<2x2xf32>) -> tensor<2x3xf32> {
  %b = dnn.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
  %c = dnn.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %gamma = dnn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %beta = dnn.constant dense<[0.0, 1.0, 0.0]> : tensor<3xf32>
  %mean = dnn.constant dense<0.0> : tensor<3xf32>
  %var = dnn.constant dense<1.0> : tensor<3xf32>
  %g = dnn.gemm %a, %b, %c {trans_b = true} : (tensor<2x2xf32>, tensor<3x2xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %y = dnn.batch_norm %g, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// gemm without C: s = [2/1, 1/2], shift = [0 - 1*2, 0 - 2*0.5] = [-2, -1].
// CHECK-LABEL: func.func @gemm_no_c
// CHECK-NEXT: %[[B:.*]] = dnn.constant dense<{{\[\[}}2.000000e+00, 0.000000e+00], [0.000000e+00, 5.000000e-01]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[C:.*]] = dnn.constant dense<[-2.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[G:.*]] = dnn.gemm %arg0, %[[B]], %[[C]] :
// EQUIV: @gemm_no_c: changed, equivalent
func.func @gemm_no_c(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %b = dnn.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %gamma = dnn.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = dnn.constant dense<0.0> : tensor<2xf32>
  %mean = dnn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = dnn.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %g = dnn.gemm %a, %b : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %y = dnn.batch_norm %g, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// The default epsilon (1e-5) is used: s = 1 / sqrt(1 + 1e-5) ~ 0.999995.
// CHECK-LABEL: func.func @default_epsilon
// CHECK-NEXT: dnn.constant dense<0.99999{{[0-9]+}}> : tensor<1x1x1xf32>
// CHECK-NEXT: dnn.constant dense<0.000000e+00> : tensor<1xf32>
// CHECK-NEXT: dnn.conv
// EQUIV: @default_epsilon: changed, equivalent
func.func @default_epsilon(%x: tensor<1x1x4xf32>) -> tensor<1x1x4xf32> {
  %w = dnn.constant dense<1.0> : tensor<1x1x1xf32>
  %one = dnn.constant dense<1.0> : tensor<1xf32>
  %zero = dnn.constant dense<0.0> : tensor<1xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<1x1x4xf32>, tensor<1x1x1xf32>) -> tensor<1x1x4xf32>
  %y = dnn.batch_norm %c, %one, %zero, %zero, %one : (tensor<1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  return %y : tensor<1x1x4xf32>
}

// Not folded: the conv result has another use.
// CHECK-LABEL: func.func @conv_two_uses
// CHECK: %[[C:.*]] = dnn.conv
// CHECK: %[[Y:.*]] = dnn.batch_norm %[[C]]
// CHECK: return %[[C]], %[[Y]]
// EQUIV: @conv_two_uses: unchanged, equivalent
func.func @conv_two_uses(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = dnn.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = dnn.constant dense<3.0> : tensor<1xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y = dnn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %c, %y : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// Not folded: the conv already clamps its output (BN after relu is not affine).
// CHECK-LABEL: func.func @conv_fused_clamp
// CHECK: dnn.conv {{.*}}clip_min
// CHECK: dnn.batch_norm
// EQUIV: @conv_fused_clamp: unchanged, equivalent
func.func @conv_fused_clamp(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = dnn.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = dnn.constant dense<3.0> : tensor<1xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, clip_min = 0.0 : f32} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y = dnn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// Not folded: weight or BN parameters are not constants.
// CHECK-LABEL: func.func @runtime_weight
// CHECK: dnn.batch_norm
// EQUIV: @runtime_weight: unchanged, equivalent
func.func @runtime_weight(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {
  %p = dnn.constant dense<3.0> : tensor<1xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y = dnn.batch_norm %c, %p, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// CHECK-LABEL: func.func @runtime_scale
// CHECK: dnn.batch_norm
// EQUIV: @runtime_scale: unchanged, equivalent
func.func @runtime_scale(%x: tensor<1x1x2x2xf32>, %gamma: tensor<1xf32>) -> tensor<1x1x2x2xf32> {
  %w = dnn.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = dnn.constant dense<3.0> : tensor<1xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y = dnn.batch_norm %c, %gamma, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// A standalone batch_norm (producer not foldable: matmul, or an argument) stays.
// CHECK-LABEL: func.func @standalone
// CHECK: dnn.matmul
// CHECK: dnn.batch_norm
// CHECK: dnn.batch_norm %arg0
// EQUIV: @standalone: unchanged, equivalent
func.func @standalone(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %p = dnn.constant dense<3.0> : tensor<2xf32>
  %m = dnn.matmul %x, %x : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = dnn.batch_norm %m, %p, %p, %p, %p : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %z = dnn.batch_norm %x, %p, %p, %p, %p : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}
