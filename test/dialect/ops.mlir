// RUN: dnnopt-opt %s | FileCheck %s
// RUN: dnnopt-opt %s | dnnopt-opt | FileCheck %s
// RUN: dnnopt-opt %s -mlir-print-op-generic | dnnopt-opt | FileCheck %s

// Every dnn op parses, verifies, prints in its custom form and parses back
// (also from the generic form). Default-valued attributes are elided.

// CHECK-LABEL: func.func @plumbing(
// CHECK-NEXT: dnn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT: dnn.identity %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.dropout %arg0 {ratio = 2.500000e-01 : f32} : tensor<2x3xf32>
// CHECK-NEXT: dnn.cast %arg0 : tensor<2x3xf32> -> tensor<2x3xi64>
// CHECK-NEXT: dnn.cast %arg1 : tensor<2x3xi64> -> tensor<2x3xf32>
// CHECK-NEXT: return %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}} : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>
func.func @plumbing(%x: tensor<2x3xf32>, %i: tensor<2x3xi64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) {
  %c = dnn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %id = dnn.identity %x : tensor<2x3xf32>
  %d = dnn.dropout %x {ratio = 0.25 : f32} : tensor<2x3xf32>
  %ci = dnn.cast %x : tensor<2x3xf32> -> tensor<2x3xi64>
  %cf = dnn.cast %i : tensor<2x3xi64> -> tensor<2x3xf32>
  return %c, %id, %d, %ci, %cf : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @linear(
// CHECK-NEXT: dnn.conv %arg0, %arg1, %arg2 {clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32, dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
// CHECK-NEXT: dnn.conv_transpose %arg0, %arg3 {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x16x16xf32>
// CHECK-NEXT: dnn.gemm %arg4, %arg5, %arg6 {alpha = 5.000000e-01 : f32, beta = 2.000000e+00 : f32, trans_b = true} : (tensor<3x5xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: dnn.matmul %arg7, %arg8 {clip_min = 0.000000e+00 : f32} : (tensor<2x3x5xf32>, tensor<5x7xf32>) -> tensor<2x3x7xf32>
// CHECK-NEXT: dnn.batch_norm %arg0, %arg9, %arg9, %arg9, %arg9 {epsilon = 1.000000e-03 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: return %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}} : tensor<1x8x4x4xf32>, tensor<1x6x16x16xf32>, tensor<3x4xf32>, tensor<2x3x7xf32>, tensor<1x4x8x8xf32>
func.func @linear(%x: tensor<1x4x8x8xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>, %wt: tensor<4x3x2x2xf32>, %a: tensor<3x5xf32>, %bm: tensor<4x5xf32>, %c: tensor<4xf32>, %m3: tensor<2x3x5xf32>, %m2: tensor<5x7xf32>, %p: tensor<4xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x6x16x16xf32>, tensor<3x4xf32>, tensor<2x3x7xf32>, tensor<1x4x8x8xf32>) {
  %conv = dnn.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, group = 2, clip_min = 0.0 : f32, clip_max = 6.0 : f32} : (tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %ct = dnn.conv_transpose %x, %wt {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, output_padding = array<i64: 1, 1>, group = 2} : (tensor<1x4x8x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x16x16xf32>
  %g = dnn.gemm %a, %bm, %c {trans_b = true, alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<3x5xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %mm = dnn.matmul %m3, %m2 {clip_min = 0.0 : f32} : (tensor<2x3x5xf32>, tensor<5x7xf32>) -> tensor<2x3x7xf32>
  %bn = dnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %conv, %ct, %g, %mm, %bn : tensor<1x8x4x4xf32>, tensor<1x6x16x16xf32>, tensor<3x4xf32>, tensor<2x3x7xf32>, tensor<1x4x8x8xf32>
}

// CHECK-LABEL: func.func @binary(
// CHECK-NEXT: dnn.add %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: dnn.sub %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: dnn.mul %arg1, %arg0 {clip_max = 1.000000e+00 : f32} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: dnn.div %arg2, %arg2 : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
// CHECK-NEXT: dnn.max %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: dnn.min %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: dnn.pow %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: dnn.prelu %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return
func.func @binary(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %i: tensor<4xi64>) {
  %0 = dnn.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = dnn.sub %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = dnn.mul %y, %x {clip_max = 1.0 : f32} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = dnn.div %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %4 = dnn.max %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = dnn.min %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %6 = dnn.pow %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %7 = dnn.prelu %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @unary(
// CHECK-NEXT: dnn.relu %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.sigmoid %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.tanh %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.hard_swish %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.exp %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.log %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.sqrt %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.abs %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.neg %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.reciprocal %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.floor %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.ceil %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.erf %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.leaky_relu %arg0 {alpha = 2.000000e-01 : f32} : tensor<2x3xf32>
// CHECK-NEXT: dnn.clip %arg0 {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<2x3xf32>
// CHECK-NEXT: dnn.clip %arg0 : tensor<2x3xf32>
// CHECK-NEXT: dnn.hard_sigmoid %arg0 {alpha = 2.500000e-01 : f32} : tensor<2x3xf32>
// CHECK-NEXT: dnn.softmax %arg0 {axis = 1 : i64} : tensor<2x3xf32>
// CHECK-NEXT: dnn.log_softmax %arg0 {axis = 0 : i64} : tensor<2x3xf32>
// CHECK-NEXT: return
func.func @unary(%x: tensor<2x3xf32>) {
  %0 = dnn.relu %x : tensor<2x3xf32>
  %1 = dnn.sigmoid %x : tensor<2x3xf32>
  %2 = dnn.tanh %x : tensor<2x3xf32>
  %3 = dnn.hard_swish %x : tensor<2x3xf32>
  %4 = dnn.exp %x : tensor<2x3xf32>
  %5 = dnn.log %x : tensor<2x3xf32>
  %6 = dnn.sqrt %x : tensor<2x3xf32>
  %7 = dnn.abs %x : tensor<2x3xf32>
  %8 = dnn.neg %x : tensor<2x3xf32>
  %9 = dnn.reciprocal %x : tensor<2x3xf32>
  %10 = dnn.floor %x : tensor<2x3xf32>
  %11 = dnn.ceil %x : tensor<2x3xf32>
  %12 = dnn.erf %x : tensor<2x3xf32>
  %13 = dnn.leaky_relu %x {alpha = 0.2 : f32} : tensor<2x3xf32>
  %14 = dnn.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  %15 = dnn.clip %x : tensor<2x3xf32>
  %16 = dnn.hard_sigmoid %x {alpha = 0.25 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  %17 = dnn.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  %18 = dnn.log_softmax %x {axis = 0 : i64} : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @pooling(
// CHECK-NEXT: dnn.max_pool %arg0 {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: dnn.avg_pool %arg0 {count_include_pad = true, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: dnn.global_avg_pool %arg0 : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
// CHECK-NEXT: dnn.global_max_pool %arg0 : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
// CHECK-NEXT: dnn.reduce_mean %arg0 {axes = array<i64: 2, 3>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
// CHECK-NEXT: dnn.reduce_max %arg0 {axes = array<i64: 1>, keepdims = false} : (tensor<1x2x7x7xf32>) -> tensor<1x7x7xf32>
// CHECK-NEXT: dnn.reduce_min %arg0 {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x2x7x7xf32>) -> tensor<f32>
// CHECK-NEXT: dnn.reduce_sum %arg0 {axes = array<i64: 3>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x1xf32>
// CHECK-NEXT: dnn.reduce_prod %arg0 {axes = array<i64: 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x7xf32>
// CHECK-NEXT: return
func.func @pooling(%x: tensor<1x2x7x7xf32>) {
  %0 = dnn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  %1 = dnn.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, count_include_pad = true} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  %2 = dnn.global_avg_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  %3 = dnn.global_max_pool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  %4 = dnn.reduce_mean %x {axes = array<i64: 2, 3>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  %5 = dnn.reduce_max %x {axes = array<i64: 1>, keepdims = false} : (tensor<1x2x7x7xf32>) -> tensor<1x7x7xf32>
  %6 = dnn.reduce_min %x {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x2x7x7xf32>) -> tensor<f32>
  %7 = dnn.reduce_sum %x {axes = array<i64: 3>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x1xf32>
  %8 = dnn.reduce_prod %x {axes = array<i64: 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x7xf32>
  return
}

// CHECK-LABEL: func.func @data_movement(
// CHECK-NEXT: dnn.reshape %arg0 {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// CHECK-NEXT: dnn.transpose %arg0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: dnn.concat %arg0, %arg0 {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
// CHECK-NEXT: dnn.split %arg0 {axis = 2 : i64, sizes = array<i64: 1, 3>} : (tensor<2x3x4xf32>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
// CHECK-NEXT: dnn.slice %arg0 {ends = array<i64: 2, -1, 0>, starts = array<i64: 0, 2, 3>, steps = array<i64: 1, -1, -2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
// CHECK-NEXT: dnn.pad %arg0 {pads = array<i64: 0, 1, 2, 0, 0, -1>, value = 1.500000e+00 : f32} : (tensor<2x3x4xf32>) -> tensor<2x4x5xf32>
// CHECK-NEXT: dnn.pad %arg0 {mode = 1 : i32, pads = array<i64: 0, 0, 1, 0, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x7xf32>
// CHECK-NEXT: dnn.pad %arg0 {mode = 2 : i32, pads = array<i64: 1, 0, 0, 1, 0, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
// CHECK-NEXT: dnn.gather %arg0, %arg1 {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x3x5xf32>
// CHECK-NEXT: dnn.resize %arg2 {coord_mode = 1 : i32, mode = 0 : i32, nearest_mode = 2 : i32, scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
// CHECK-NEXT: dnn.resize %arg2 {coord_mode = 0 : i32, mode = 1 : i32, scales = array<f32: 1.000000e+00, 1.000000e+00, 5.000000e-01, 5.000000e-01>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
// CHECK-NEXT: return
func.func @data_movement(%x: tensor<2x3x4xf32>, %idx: tensor<5xi64>, %img: tensor<1x3x4x4xf32>) {
  %0 = dnn.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = dnn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %2 = dnn.concat %x, %x {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %3:2 = dnn.split %x {axis = 2 : i64, sizes = array<i64: 1, 3>} : (tensor<2x3x4xf32>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  %4 = dnn.slice %x {starts = array<i64: 0, 2, 3>, ends = array<i64: 2, -1, 0>, steps = array<i64: 1, -1, -2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  %5 = dnn.pad %x {pads = array<i64: 0, 1, 2, 0, 0, -1>, mode = 0 : i32, value = 1.5 : f32} : (tensor<2x3x4xf32>) -> tensor<2x4x5xf32>
  %6 = dnn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 2>, mode = 1 : i32} : (tensor<2x3x4xf32>) -> tensor<2x3x7xf32>
  %7 = dnn.pad %x {pads = array<i64: 1, 0, 0, 1, 0, 0>, mode = 2 : i32} : (tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
  %8 = dnn.gather %x, %idx {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x3x5xf32>
  %9 = dnn.resize %img {scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = 0 : i32, coord_mode = 1 : i32, nearest_mode = 2 : i32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  %10 = dnn.resize %img {scales = array<f32: 1.0, 1.0, 0.5, 0.5>, mode = 1 : i32, coord_mode = 0 : i32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return
}

// CHECK-LABEL: func.func @quant(
// CHECK-NEXT: dnn.quantize_linear %arg0, %arg1, %arg2 : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
// CHECK-NEXT: dnn.quantize_linear %arg0, %arg3 {bits = 4 : i64} : (tensor<1x2x4x4xf32>, tensor<2xf32>) -> tensor<1x2x4x4xui8>
// CHECK-NEXT: dnn.dequantize_linear %arg5, %arg1, %arg2 : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: dnn.dequantize_linear %{{[0-9]+}}, %arg3 {bits = 2 : i64} : (tensor<1x2x4x4xi8>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: dnn.qlinear_conv %arg5, %arg1, %arg2, %arg6, %arg1, %arg2, %arg1, %arg2, %arg7 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>, tensor<3x2x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>, tensor<3xi32>) -> tensor<1x3x4x4xi8>
// CHECK-NEXT: dnn.qlinear_matmul %arg8, %arg1, %arg10, %arg9, %arg1, %arg10, %arg1, %arg10 : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
// CHECK-NEXT: return
func.func @quant(%x: tensor<1x2x4x4xf32>, %s: tensor<f32>, %zp: tensor<i8>, %sc: tensor<2xf32>, %zpc: tensor<2xui8>, %q: tensor<1x2x4x4xi8>, %w: tensor<3x2x1x1xi8>, %b: tensor<3xi32>, %qa: tensor<2x4xui8>, %qb: tensor<4x3xui8>, %zpu: tensor<ui8>) {
  %0 = dnn.quantize_linear %x, %s, %zp : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %1 = dnn.quantize_linear %x, %sc {axis = 1 : i64, bits = 4 : i64} : (tensor<1x2x4x4xf32>, tensor<2xf32>) -> tensor<1x2x4x4xui8>
  %2 = dnn.dequantize_linear %q, %s, %zp : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %3 = dnn.dequantize_linear %0, %sc {bits = 2 : i64} : (tensor<1x2x4x4xi8>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %4 = dnn.qlinear_conv %q, %s, %zp, %w, %s, %zp, %s, %zp, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>, tensor<3x2x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>, tensor<3xi32>) -> tensor<1x3x4x4xi8>
  %5 = dnn.qlinear_matmul %qa, %s, %zpu, %qb, %s, %zpu, %s, %zpu : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return
}
