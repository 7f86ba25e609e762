// RUN: dnnopt-opt %s -dnn-fold-pad | FileCheck %s
// RUN: dnnopt-pass-equiv %s --pipeline=dnn-fold-pad | FileCheck %s --check-prefix=EQUIV

// dnn.pad amounts are [N, C, H, W] begins then ends; conv/pool pads are
// [H, W] begins then ends. conv pads [1, 1, 0, 0] + pad (H 1/3, W 2/4).
// CHECK-LABEL: func.func @conv
// CHECK-NEXT: %[[W:.*]] = dnn.constant
// CHECK-NEXT: %[[C:.*]] = dnn.conv %arg0, %[[W]] {dilations = array<i64: 1, 1>, pads = array<i64: 2, 3, 3, 4>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x7x9xf32>
// CHECK-NEXT: return %[[C]]
// EQUIV: @conv: changed, equivalent
func.func @conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x7x9xf32> {
  %w = dnn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[-1.0, 0.5], [0.25, 2.0]]]]> : tensor<2x1x2x2xf32>
  %p = dnn.pad %x {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x7x9xf32>
  %c = dnn.conv %p, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x1x7x9xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x7x9xf32>
  return %c : tensor<1x2x7x9xf32>
}

// 1-D conv with stride and dilation.
// CHECK-LABEL: func.func @conv1d
// CHECK: dnn.conv %arg0, %{{.*}} {dilations = array<i64: 2>, pads = array<i64: 2, 1>, strides = array<i64: 2>}
// CHECK-NOT: dnn.pad
// EQUIV: @conv1d: changed, equivalent
func.func @conv1d(%x: tensor<1x2x8xf32>) -> tensor<1x1x4xf32> {
  %w = dnn.constant dense<[[[1.0, -1.0, 2.0], [0.5, 1.0, -2.0]]]> : tensor<1x2x3xf32>
  %p = dnn.pad %x {pads = array<i64: 0, 0, 2, 0, 0, 1>, value = 0.0 : f32} : (tensor<1x2x8xf32>) -> tensor<1x2x11xf32>
  %c = dnn.conv %p, %w {strides = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: 0, 0>} : (tensor<1x2x11xf32>, tensor<1x2x3xf32>) -> tensor<1x1x4xf32>
  return %c : tensor<1x1x4xf32>
}

// max_pool: only a -inf pad is an implicit pad.
// CHECK-LABEL: func.func @max_pool
// CHECK-NEXT: %[[M:.*]] = dnn.max_pool %arg0 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NEXT: return %[[M]]
// EQUIV: @max_pool: changed, equivalent
func.func @max_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x2xf32> {
  %p = dnn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 1>, value = 0xFF800000 : f32} : (tensor<1x2x4x4xf32>) -> tensor<1x2x6x5xf32>
  %m = dnn.max_pool %p {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x6x5xf32>) -> tensor<1x2x3x2xf32>
  return %m : tensor<1x2x3x2xf32>
}

// avg_pool without pads of its own: the explicit zeros count, so the folded pool
// gets count_include_pad = true.
// CHECK-LABEL: func.func @avg_pool_no_own_pads
// CHECK-NEXT: %[[A:.*]] = dnn.avg_pool %arg0 {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK-NEXT: return %[[A]]
// EQUIV: @avg_pool_no_own_pads: changed, equivalent
func.func @avg_pool_no_own_pads(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %p = dnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32>
  %a = dnn.avg_pool %p {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x4x4xf32>
  return %a : tensor<1x1x4x4xf32>
}

// avg_pool that already counts its pads: amounts add up.
// CHECK-LABEL: func.func @avg_pool_include
// CHECK-NEXT: %[[A:.*]] = dnn.avg_pool %arg0 {count_include_pad = true, kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NEXT: return %[[A]]
// EQUIV: @avg_pool_include: changed, equivalent
func.func @avg_pool_include(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x2xf32> {
  %p = dnn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 0, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
  %a = dnn.avg_pool %p {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>, count_include_pad = true} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x2xf32>
  return %a : tensor<1x1x3x2xf32>
}

// Not folded: avg_pool excludes its own pads from the average but would have to
// include the explicit ones.
// CHECK-LABEL: func.func @avg_pool_exclude_own_pads
// CHECK: dnn.pad
// CHECK: dnn.avg_pool {{.*}}pads = array<i64: 1, 1, 1, 1>
// EQUIV: @avg_pool_exclude_own_pads: unchanged, equivalent
func.func @avg_pool_exclude_own_pads(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32> {
  %p = dnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32>
  %a = dnn.avg_pool %p {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x6xf32>
  return %a : tensor<1x1x6x6xf32>
}

// Not folded: wrong pad value for the consumer (max_pool with 0, conv with 1).
// CHECK-LABEL: func.func @wrong_value
// CHECK: dnn.pad
// CHECK: dnn.max_pool {{.*}}pads = array<i64: 0, 0, 0, 0>
// CHECK: dnn.pad
// CHECK: dnn.conv {{.*}}pads = array<i64: 0, 0, 0, 0>
// EQUIV: @wrong_value: unchanged, equivalent
func.func @wrong_value(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32>) {
  %p = dnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %m = dnn.max_pool %p {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  %w = dnn.constant dense<1.0> : tensor<1x1x1x1xf32>
  %q = dnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.0 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %c = dnn.conv %q, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %m, %c : tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32>
}

// Not folded: padding the channel axis, cropping (negative amount), reflect mode,
// and a pad with a second use.
// CHECK-LABEL: func.func @not_foldable
// CHECK-COUNT-4: dnn.pad
// CHECK-NOT: dnn.pad
// EQUIV: @not_foldable: unchanged, equivalent
func.func @not_foldable(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x3x4xf32>, tensor<1x1x6x4xf32>, tensor<1x1x6x4xf32>, tensor<1x1x6x4xf32>) {
  %w = dnn.constant dense<1.0> : tensor<1x2x1x1xf32>
  %pc = dnn.pad %x {pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32>
  %c0 = dnn.conv %pc, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  %w1 = dnn.constant dense<1.0> : tensor<1x1x1x1xf32>
  %pn = dnn.pad %x {pads = array<i64: 0, 0, -1, 0, 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x4xf32>
  %c1 = dnn.conv %pn, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x3x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x4xf32>
  %pr = dnn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>, mode = 1 : i32} : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x4xf32>
  %c2 = dnn.conv %pr, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x6x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x6x4xf32>
  %pu = dnn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 1, 0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x4xf32>
  %c3 = dnn.conv %pu, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x6x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x6x4xf32>
  return %c0, %c1, %c2, %c3, %pu : tensor<1x1x4x4xf32>, tensor<1x1x3x4xf32>, tensor<1x1x6x4xf32>, tensor<1x1x6x4xf32>, tensor<1x1x6x4xf32>
}

// Not folded: ceil_mode pools (the last-window rule depends on where the padding
// is) and conv_transpose (its pads crop the output).
// CHECK-LABEL: func.func @ceil_mode_and_conv_transpose
// CHECK: dnn.pad
// CHECK: dnn.max_pool {{.*}}ceil_mode = true
// CHECK: dnn.pad
// CHECK: dnn.conv_transpose
// EQUIV: @ceil_mode_and_conv_transpose: unchanged, equivalent
func.func @ceil_mode_and_conv_transpose(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x6x6xf32>) {
  %p = dnn.pad %x {pads = array<i64: 0, 0, 0, 0, 0, 0, 1, 1>, value = 0xFF800000 : f32} : (tensor<1x1x4x4xf32>) -> tensor<1x1x5x5xf32>
  %m = dnn.max_pool %p {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %w = dnn.constant dense<1.0> : tensor<1x1x1x1xf32>
  %q = dnn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32>
  %t = dnn.conv_transpose %q, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x1x6x6xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x6x6xf32>
  return %m, %t : tensor<1x1x3x3xf32>, tensor<1x1x6x6xf32>
}
