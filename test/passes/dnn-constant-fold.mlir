// RUN: dnnopt-opt %s -dnn-constant-fold | FileCheck %s
// RUN: dnnopt-opt %s -dnn-constant-fold -mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// RUN: dnnopt-pass-equiv %s --pipeline=dnn-constant-fold | FileCheck %s --check-prefix=EQUIV

// Elementwise arithmetic with broadcasting; the inputs become dead and go away.
// The folded constant takes the place and location of the op it replaces.
// CHECK-LABEL: func.func @arith
// CHECK-NEXT: %[[C:.*]] = dnn.constant dense<{{\[\[}}1.100000e+01, 2.100000e+01, 3.100000e+01], [1.200000e+01, 2.200000e+01, 3.200000e+01]]> : tensor<2x3xf32>
// CHECK-NEXT: return %[[C]]
// LOC-LABEL: func.func @arith
// LOC: dnn.constant {{.*}} loc(#[[SUM:loc[0-9]*]])
// LOC: #[[SUM]] = loc("sum")
// EQUIV: @arith: changed, equivalent
func.func @arith() -> tensor<2x3xf32> {
  %a = dnn.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = dnn.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %s = dnn.add %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("sum")
  %unused = dnn.constant dense<7.0> : tensor<3xf32>
  return %s : tensor<2x3xf32>
}

// A chain folds completely: relu(neg(x) * 2) with integer division alongside.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[F:.*]] = dnn.constant dense<[0.000000e+00, 4.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[I:.*]] = dnn.constant dense<[-3, 3, 0]> : tensor<3xi64>
// CHECK-NEXT: return %[[F]], %[[I]]
// EQUIV: @chain: changed, equivalent
func.func @chain() -> (tensor<3xf32>, tensor<3xi64>) {
  %x = dnn.constant dense<[1.0, -2.0, 0.5]> : tensor<3xf32>
  %two = dnn.constant dense<2.0> : tensor<f32>
  %n = dnn.neg %x : tensor<3xf32>
  %m = dnn.mul %n, %two : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %r = dnn.relu %m : tensor<3xf32>
  %p = dnn.constant dense<[-7, 7, 1]> : tensor<3xi64>
  %q = dnn.constant dense<[2, 2, 3]> : tensor<3xi64>
  %d = dnn.div %p, %q : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %r, %d : tensor<3xf32>, tensor<3xi64>
}

// Data movement: reshape, transpose, cast, concat, slice, gather, pad, split.
// CHECK-LABEL: func.func @data_movement
// CHECK-DAG: %[[R:.*]] = dnn.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
// CHECK-DAG: %[[T:.*]] = dnn.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
// CHECK-DAG: %[[F:.*]] = dnn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[CC:.*]] = dnn.constant dense<{{\[\[}}1, 2, 3, 1, 4], [4, 5, 6, 9, 16]]> : tensor<2x5xi64>
// CHECK-DAG: %[[S:.*]] = dnn.constant dense<{{\[\[}}6, 4]]> : tensor<1x2xi64>
// CHECK-DAG: %[[G:.*]] = dnn.constant dense<{{\[\[}}3, 1], [6, 4]]> : tensor<2x2xi64>
// CHECK-DAG: %[[P:.*]] = dnn.constant dense<{{\[\[}}-1.000000e+00, -1.000000e+00, -1.000000e+00, -1.000000e+00], [-1.000000e+00, 1.000000e+00, 2.000000e+00, -1.000000e+00], [-1.000000e+00, 4.000000e+00, 5.000000e+00, -1.000000e+00]]> : tensor<3x4xf32>
// CHECK-DAG: %[[S0:.*]] = dnn.constant dense<{{\[\[}}1], [4]]> : tensor<2x1xi64>
// CHECK-DAG: %[[S1:.*]] = dnn.constant dense<{{\[\[}}2, 3], [5, 6]]> : tensor<2x2xi64>
// CHECK: return %[[R]], %[[T]], %[[F]], %[[CC]], %[[S]], %[[G]], %[[P]], %[[S0]], %[[S1]]
// CHECK-NOT: dnn.reshape
// EQUIV: @data_movement: changed, equivalent
func.func @data_movement() -> (tensor<6xi64>, tensor<3x2xi64>, tensor<2x3xf32>, tensor<2x5xi64>, tensor<1x2xi64>, tensor<2x2xi64>, tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x2xi64>) {
  %m = dnn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %r = dnn.reshape %m {shape = array<i64: 6>} : (tensor<2x3xi64>) -> tensor<6xi64>
  %t = dnn.transpose %m {perm = array<i64: 1, 0>} : (tensor<2x3xi64>) -> tensor<3x2xi64>
  %f = dnn.cast %m : tensor<2x3xi64> -> tensor<2x3xf32>
  %other = dnn.constant dense<[[1, 4], [9, 16]]> : tensor<2x2xi64>
  %cc = dnn.concat %m, %other {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2x2xi64>) -> tensor<2x5xi64>
  // Rows from 1 down to 1, columns 2 then 0 (negative step).
  %s = dnn.slice %m {starts = array<i64: 1, 2>, ends = array<i64: 2, -1>, steps = array<i64: 1, -2>} : (tensor<2x3xi64>) -> tensor<1x2xi64>
  %idx = dnn.constant dense<[-1, 0]> : tensor<2xi32>
  %g = dnn.gather %m, %idx {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2xi32>) -> tensor<2x2xi64>
  %fs = dnn.slice %f {starts = array<i64: 0, 0>, ends = array<i64: 2, 2>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %p = dnn.pad %fs {pads = array<i64: 1, 1, 0, 1>, value = -1.0 : f32} : (tensor<2x2xf32>) -> tensor<3x4xf32>
  %s0, %s1 = dnn.split %m {axis = 1 : i64, sizes = array<i64: 1, 2>} : (tensor<2x3xi64>) -> (tensor<2x1xi64>, tensor<2x2xi64>)
  return %r, %t, %f, %cc, %s, %g, %p, %s0, %s1 : tensor<6xi64>, tensor<3x2xi64>, tensor<2x3xf32>, tensor<2x5xi64>, tensor<1x2xi64>, tensor<2x2xi64>, tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x2xi64>
}

// Transpose of a rank-3 f32 constant: out[k, i, 0] = in[i, 0, k].
// CHECK-LABEL: func.func @transpose_3d
// CHECK-NEXT: %[[T:.*]] = dnn.constant dense<{{\[\[\[}}1.000000e+00], [4.000000e+00]], {{\[\[}}2.000000e+00], [5.000000e+00]], {{\[\[}}3.000000e+00], [6.000000e+00]]]> : tensor<3x2x1xf32>
// CHECK-NEXT: return %[[T]]
// EQUIV: @transpose_3d: changed, equivalent
func.func @transpose_3d() -> tensor<3x2x1xf32> {
  %c = dnn.constant dense<[[[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]]]> : tensor<2x1x3xf32>
  %t = dnn.transpose %c {perm = array<i64: 2, 0, 1>} : (tensor<2x1x3xf32>) -> tensor<3x2x1xf32>
  return %t : tensor<3x2x1xf32>
}

// Activations with attributes: clip, leaky_relu, hard_sigmoid.
// CHECK-LABEL: func.func @activations
// CHECK-DAG: dnn.constant dense<[-1.000000e+00, 5.000000e-01, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dnn.constant dense<[-2.000000e-01, 5.000000e-01, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: dnn.constant dense<[0.000000e+00, 7.500000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK-NOT: dnn.clip
// EQUIV: @activations: changed, equivalent
func.func @activations() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = dnn.constant dense<[-2.0, 0.5, 3.0]> : tensor<3xf32>
  %c = dnn.clip %x {min = -1.0 : f32, max = 2.0 : f32} : tensor<3xf32>
  %l = dnn.leaky_relu %x {alpha = 0.1 : f32} : tensor<3xf32>
  %h = dnn.hard_sigmoid %x {alpha = 0.5 : f32, beta = 0.5 : f32} : tensor<3xf32>
  return %c, %l, %h : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// Identities fold to their input; ops on runtime values stay. A folded constant
// stays where its op was (constants are not hoisted to the top).
// CHECK-LABEL: func.func @partial
// CHECK-NEXT: %[[N:.*]] = dnn.neg %arg0
// CHECK-NEXT: %[[C:.*]] = dnn.constant dense<3.000000e+00> : tensor<4xf32>
// CHECK-NEXT: %[[A:.*]] = dnn.add %[[N]], %[[C]]
// CHECK-NEXT: return %[[A]]
// EQUIV: @partial: changed, equivalent
func.func @partial(%x: tensor<4xf32>) -> tensor<4xf32> {
  %i = dnn.identity %x : tensor<4xf32>
  %n = dnn.neg %i : tensor<4xf32>
  %one = dnn.constant dense<1.0> : tensor<4xf32>
  %two = dnn.constant dense<2.0> : tensor<4xf32>
  %three = dnn.add %one, %two : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = dnn.add %n, %three : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// Not folded: a fused clamp, integer division by zero, and what depends on it.
// CHECK-LABEL: func.func @not_folded
// CHECK: dnn.add {{.*}}clip_min
// CHECK: dnn.div
// CHECK: dnn.gather
// EQUIV: @not_folded: unchanged, equivalent
func.func @not_folded() -> (tensor<2xf32>, tensor<2xi64>) {
  %a = dnn.constant dense<[-1.0, 1.0]> : tensor<2xf32>
  %s = dnn.add %a, %a {clip_min = 0.0 : f32} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %p = dnn.constant dense<[4, 5]> : tensor<2xi64>
  %z = dnn.constant dense<[1, 0]> : tensor<2xi64>
  %d = dnn.div %p, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %idx = dnn.constant dense<[0, 1]> : tensor<2xi64>
  %g = dnn.gather %d, %idx {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %s, %g : tensor<2xf32>, tensor<2xi64>
}
