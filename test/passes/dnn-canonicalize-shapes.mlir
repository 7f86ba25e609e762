// RUN: dnnopt-opt %s -dnn-canonicalize-shapes | FileCheck %s
// RUN: dnnopt-pass-equiv %s --pipeline=dnn-canonicalize-shapes | FileCheck %s --check-prefix=EQUIV

// reshape(reshape(x)) is one reshape; a reshape back to the input shape vanishes.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-NEXT: %[[R:.*]] = dnn.reshape %arg0 {shape = array<i64: 3, 4>} : (tensor<2x6xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[S:.*]] = dnn.sigmoid %[[R]]
// CHECK-NEXT: return %[[S]], %arg0
// EQUIV: @reshape_chain: changed, equivalent
func.func @reshape_chain(%x: tensor<2x6xf32>) -> (tensor<3x4xf32>, tensor<2x6xf32>) {
  %a = dnn.reshape %x {shape = array<i64: 12>} : (tensor<2x6xf32>) -> tensor<12xf32>
  %b = dnn.reshape %a {shape = array<i64: 1, 12>} : (tensor<12xf32>) -> tensor<1x12xf32>
  %c = dnn.reshape %b {shape = array<i64: 3, 4>} : (tensor<1x12xf32>) -> tensor<3x4xf32>
  %s = dnn.sigmoid %c : tensor<3x4xf32>
  %d = dnn.reshape %b {shape = array<i64: 2, 6>} : (tensor<1x12xf32>) -> tensor<2x6xf32>
  return %s, %d : tensor<3x4xf32>, tensor<2x6xf32>
}

// A single-use constant is reshaped in place; one with other uses is not copied.
// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT: %[[C:.*]] = dnn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[D:.*]] = dnn.constant dense<[5.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[R:.*]] = dnn.reshape %[[D]] {shape = array<i64: 2, 1>}
// CHECK-NEXT: return %[[C]], %[[D]], %[[R]]
// EQUIV: @reshape_constant: changed, equivalent
func.func @reshape_constant() -> (tensor<2x2xf32>, tensor<2xf32>, tensor<2x1xf32>) {
  %c = dnn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %r = dnn.reshape %c {shape = array<i64: 2, 2>} : (tensor<4xf32>) -> tensor<2x2xf32>
  %d = dnn.constant dense<[5.0, 6.0]> : tensor<2xf32>
  %s = dnn.reshape %d {shape = array<i64: 2, 1>} : (tensor<2xf32>) -> tensor<2x1xf32>
  return %r, %d, %s : tensor<2x2xf32>, tensor<2xf32>, tensor<2x1xf32>
}

// transpose(transpose(x, p), q) = transpose(x, p[q[i]]); inverse pairs vanish.
// p = [0, 2, 3, 1] (NCHW -> NHWC), q = [0, 2, 1, 3]: composed [0, 3, 2, 1].
// CHECK-LABEL: func.func @transpose_chain
// CHECK-NEXT: %[[T:.*]] = dnn.transpose %arg0 {perm = array<i64: 0, 3, 2, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x4x3x2xf32>
// CHECK-NEXT: return %[[T]], %arg0
// EQUIV: @transpose_chain: changed, equivalent
func.func @transpose_chain(%x: tensor<1x2x3x4xf32>) -> (tensor<1x4x3x2xf32>, tensor<1x2x3x4xf32>) {
  %a = dnn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32>
  %b = dnn.transpose %a {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x3x4x2xf32>) -> tensor<1x4x3x2xf32>
  %c = dnn.transpose %a {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x3x4x2xf32>) -> tensor<1x2x3x4xf32>
  return %b, %c : tensor<1x4x3x2xf32>, tensor<1x2x3x4xf32>
}

// Identity permutation vanishes; moving only unit axes is a reshape.
// CHECK-LABEL: func.func @transpose_trivial
// CHECK-NEXT: %[[R:.*]] = dnn.reshape %arg0 {shape = array<i64: 3, 1, 4, 1>} : (tensor<1x3x4x1xf32>) -> tensor<3x1x4x1xf32>
// CHECK-NEXT: return %arg0, %[[R]]
// EQUIV: @transpose_trivial: changed, equivalent
func.func @transpose_trivial(%x: tensor<1x3x4x1xf32>) -> (tensor<1x3x4x1xf32>, tensor<3x1x4x1xf32>) {
  %a = dnn.transpose %x {perm = array<i64: 0, 1, 2, 3>} : (tensor<1x3x4x1xf32>) -> tensor<1x3x4x1xf32>
  %b = dnn.transpose %x {perm = array<i64: 1, 3, 2, 0>} : (tensor<1x3x4x1xf32>) -> tensor<3x1x4x1xf32>
  return %a, %b : tensor<1x3x4x1xf32>, tensor<3x1x4x1xf32>
}

// Not simplified: a transpose that reorders non-unit axes, even among unit ones.
// CHECK-LABEL: func.func @transpose_real
// CHECK-NEXT: dnn.transpose %arg0 {perm = array<i64: 0, 2, 1, 3>}
// EQUIV: @transpose_real: unchanged, equivalent
func.func @transpose_real(%x: tensor<1x3x4x1xf32>) -> tensor<1x4x3x1xf32> {
  %a = dnn.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x3x4x1xf32>) -> tensor<1x4x3x1xf32>
  return %a : tensor<1x4x3x1xf32>
}

// Single-input concat and one-piece split are their input.
// CHECK-LABEL: func.func @concat_split
// CHECK-NEXT: %[[N:.*]] = dnn.neg %arg0
// CHECK-NEXT: %[[S:.*]]:2 = dnn.split %arg0
// CHECK-NEXT: return %[[N]], %[[S]]#0
// EQUIV: @concat_split: changed, equivalent
func.func @concat_split(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>) {
  %c = dnn.concat %x {axis = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %s = dnn.split %c {axis = 0 : i64, sizes = array<i64: 2>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %n = dnn.neg %s : tensor<2x4xf32>
  %p:2 = dnn.split %x {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<2x4xf32>) -> (tensor<2x1xf32>, tensor<2x3xf32>)
  return %n, %p#0 : tensor<2x4xf32>, tensor<2x1xf32>
}
