// RUN: dnnopt-opt %s -dnn-fuse-activation | FileCheck %s
// RUN: dnnopt-pass-equiv %s --pipeline=dnn-fuse-activation | FileCheck %s --check-prefix=EQUIV

// CHECK-LABEL: func.func @conv_relu
// CHECK-NEXT: %[[W:.*]] = dnn.constant
// CHECK-NEXT: %[[C:.*]] = dnn.conv %arg0, %[[W]] {clip_min = 0.000000e+00 : f32, dilations
// CHECK-NOT: clip_max
// CHECK-NEXT: return %[[C]]
// EQUIV: @conv_relu: changed, equivalent
func.func @conv_relu(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = dnn.constant dense<[[[[1.0, -1.0], [2.0, 0.5]]], [[[-1.0, 0.0], [0.5, -2.0]]]]> : tensor<2x1x2x2xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x2x2xf32>
  %r = dnn.relu %c : tensor<1x2x2x2xf32>
  return %r : tensor<1x2x2x2xf32>
}

// relu6 as clip [0, 6] on a gemm.
// CHECK-LABEL: func.func @gemm_relu6
// CHECK-NEXT: %[[G:.*]] = dnn.gemm %arg0, %arg1 {clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[G]]
// EQUIV: @gemm_relu6: changed, equivalent
func.func @gemm_relu6(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %g = dnn.gemm %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %r = dnn.clip %g {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// Every producer kind: conv_transpose, matmul, batch_norm, add.
// CHECK-LABEL: func.func @producers
// CHECK: dnn.conv_transpose {{.*}}clip_min = 0.000000e+00 : f32
// CHECK: dnn.matmul %arg1, %arg1 {clip_max = 1.000000e+00 : f32, clip_min = -1.000000e+00 : f32}
// CHECK: dnn.batch_norm {{.*}}clip_min = 0.000000e+00 : f32
// CHECK: dnn.add %arg1, %arg1 {clip_max = 2.000000e+00 : f32}
// CHECK-NOT: dnn.relu
// CHECK-NOT: dnn.clip
// CHECK: return
// EQUIV: @producers: changed, equivalent
func.func @producers(%x: tensor<1x1x2x2xf32>, %m: tensor<2x2xf32>) -> (tensor<1x1x3x3xf32>, tensor<2x2xf32>, tensor<1x1x2x2xf32>, tensor<2x2xf32>) {
  %w = dnn.constant dense<0.5> : tensor<1x1x2x2xf32>
  %t = dnn.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  %t1 = dnn.relu %t : tensor<1x1x3x3xf32>
  %mm = dnn.matmul %m, %m : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %mm1 = dnn.clip %mm {min = -1.0 : f32, max = 1.0 : f32} : tensor<2x2xf32>
  %p = dnn.constant dense<2.0> : tensor<1xf32>
  %bn = dnn.batch_norm %x, %p, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %bn1 = dnn.relu %bn : tensor<1x1x2x2xf32>
  %s = dnn.add %m, %m : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %s1 = dnn.clip %s {max = 2.0 : f32} : tensor<2x2xf32>
  return %t1, %mm1, %bn1, %s1 : tensor<1x1x3x3xf32>, tensor<2x2xf32>, tensor<1x1x2x2xf32>, tensor<2x2xf32>
}

// An existing clamp is intersected: [0, 6] with [1, 10] is [1, 6]; [-1, 3] with
// relu is [0, 3].
// CHECK-LABEL: func.func @intersect
// CHECK: dnn.add %arg0, %arg0 {clip_max = 6.000000e+00 : f32, clip_min = 1.000000e+00 : f32}
// CHECK: dnn.add %arg0, %arg0 {clip_max = 3.000000e+00 : f32, clip_min = 0.000000e+00 : f32}
// CHECK-NOT: dnn.clip
// CHECK-NOT: dnn.relu
// EQUIV: @intersect: changed, equivalent
func.func @intersect(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = dnn.add %x, %x {clip_min = 0.0 : f32, clip_max = 6.0 : f32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %a1 = dnn.clip %a {min = 1.0 : f32, max = 10.0 : f32} : tensor<4xf32>
  %b = dnn.add %x, %x {clip_min = -1.0 : f32, clip_max = 3.0 : f32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b1 = dnn.relu %b : tensor<4xf32>
  return %a1, %b1 : tensor<4xf32>, tensor<4xf32>
}

// relu(clip(x)) fuses twice.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[A:.*]] = dnn.add %arg0, %arg0 {clip_max = 4.000000e+00 : f32, clip_min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[A]]
// EQUIV: @chain: changed, equivalent
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = dnn.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = dnn.clip %a {min = -2.0 : f32, max = 4.0 : f32} : tensor<4xf32>
  %r = dnn.relu %c : tensor<4xf32>
  return %r : tensor<4xf32>
}

// Not fused: the producer's result has another use.
// CHECK-LABEL: func.func @two_uses
// CHECK: %[[A:.*]] = dnn.add %arg0, %arg0 :
// CHECK: %[[R:.*]] = dnn.relu %[[A]]
// CHECK: return %[[A]], %[[R]]
// EQUIV: @two_uses: unchanged, equivalent
func.func @two_uses(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = dnn.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = dnn.relu %a : tensor<4xf32>
  return %a, %r : tensor<4xf32>, tensor<4xf32>
}

// Not fused: disjoint clamps ([0, 1] then [2, 3] is the constant 2).
// CHECK-LABEL: func.func @disjoint
// CHECK: dnn.add %arg0, %arg0 {clip_max = 1.000000e+00 : f32, clip_min = 0.000000e+00 : f32}
// CHECK: dnn.clip
// EQUIV: @disjoint: unchanged, equivalent
func.func @disjoint(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = dnn.add %x, %x {clip_min = 0.0 : f32, clip_max = 1.0 : f32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = dnn.clip %a {min = 2.0 : f32, max = 3.0 : f32} : tensor<4xf32>
  return %c : tensor<4xf32>
}

// Not fused: leaky_relu is not a clamp; sub, max_pool and arguments carry no clamp;
// integer tensors are not clamped.
// CHECK-LABEL: func.func @not_fusable
// CHECK: dnn.leaky_relu
// CHECK: dnn.sub %arg0, %arg0 :
// CHECK: dnn.relu
// CHECK: dnn.relu %arg0
// CHECK: dnn.add %arg1, %arg1 :
// CHECK: dnn.relu
// EQUIV: @not_fusable: unchanged, equivalent
func.func @not_fusable(%x: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>) {
  %a = dnn.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = dnn.leaky_relu %a : tensor<4xf32>
  %s = dnn.sub %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s1 = dnn.relu %s : tensor<4xf32>
  %r = dnn.relu %x : tensor<4xf32>
  %n = dnn.add %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %n1 = dnn.relu %n : tensor<4xi64>
  return %l, %s1, %r, %n1 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>
}
