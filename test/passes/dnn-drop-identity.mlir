// RUN: dnnopt-opt %s -dnn-drop-identity | FileCheck %s
// RUN: dnnopt-pass-equiv %s --pipeline=dnn-drop-identity | FileCheck %s --check-prefix=EQUIV

// CHECK-LABEL: func.func @identity
// CHECK-NEXT: %[[R:.*]] = dnn.relu %arg0
// CHECK-NEXT: return %[[R]]
// EQUIV: @identity: changed, equivalent
func.func @identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %i = dnn.identity %x : tensor<2x3xf32>
  %r = dnn.relu %i : tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @dropout_chain
// CHECK-NEXT: %[[S:.*]] = dnn.sigmoid %arg0
// CHECK-NEXT: return %[[S]], %arg0
// EQUIV: @dropout_chain: changed, equivalent
func.func @dropout_chain(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = dnn.dropout %x {ratio = 0.25 : f32} : tensor<4xf32>
  %b = dnn.identity %a : tensor<4xf32>
  %c = dnn.dropout %b : tensor<4xf32>
  %s = dnn.sigmoid %c : tensor<4xf32>
  return %s, %c : tensor<4xf32>, tensor<4xf32>
}

// Integer tensors and constants too.
// CHECK-LABEL: func.func @constant_input
// CHECK-NEXT: %[[C:.*]] = dnn.constant dense<[1, 2]> : tensor<2xi64>
// CHECK-NEXT: return %[[C]]
// EQUIV: @constant_input: changed, equivalent
func.func @constant_input() -> tensor<2xi64> {
  %c = dnn.constant dense<[1, 2]> : tensor<2xi64>
  %i = dnn.identity %c : tensor<2xi64>
  return %i : tensor<2xi64>
}

// Nothing else is touched (this pass does not fold or simplify shapes).
// CHECK-LABEL: func.func @others_untouched
// CHECK-NEXT: dnn.reshape %arg0
// CHECK-NEXT: dnn.relu
// CHECK-NEXT: return
// EQUIV: @others_untouched: unchanged, equivalent
func.func @others_untouched(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = dnn.reshape %x {shape = array<i64: 4>} : (tensor<4xf32>) -> tensor<4xf32>
  %s = dnn.relu %r : tensor<4xf32>
  return %s : tensor<4xf32>
}
