// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 %dnnopt_src_root/test/driver/Inputs/write_npz.py %t/cal.npz x:float32:4x2x3x3
// RUN: dnnopt-opt %s -split-input-file -verify-diagnostics -dnn-quantize-ptq="calibration=%t/cal.npz" | FileCheck %s
// RUN: python3 %dnnopt_src_root/test/driver/Inputs/write_npz.py %t/bad.npz x:float32:4x3x3x3
// RUN: not dnnopt-opt %s -split-input-file -dnn-quantize-ptq="calibration=%t/bad.npz" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not dnnopt-opt %s -split-input-file -dnn-quantize-ptq 2>&1 | FileCheck %s --check-prefix=NODATA

// Calibration values are ((k * 7) % 13 - 6) / 8 over 72 elements: min -0.75, max 0.75.
// The input gets scale 1.5 / 255 and zero point round(-128 + 0.75 / scale) = 0; the
// conv weights per-channel int8 (scale max|w| / 127), the bias int32 at
// x_scale * w_scale[m]; the relu-fused conv output starts at 0 (zero point -128); the
// max pool keeps its input's parameters.
// CHECK-LABEL: func.func @conv_relu_pool
// CHECK: %[[XS:.*]] = dnn.constant dense<0.00588235306> : tensor<f32>
// CHECK: %[[XZ:.*]] = dnn.constant dense<0> : tensor<i8>
// CHECK: %[[XQ:.*]] = dnn.quantize_linear %arg0, %[[XS]], %[[XZ]]
// CHECK: %[[XD:.*]] = dnn.dequantize_linear %[[XQ]], %[[XS]], %[[XZ]]
// CHECK: %[[W:.*]] = dnn.constant dense<{{\[\[\[\[}}127, -127]], {{\[\[}}64, 0]]], {{\[\[\[}}0, 127]], {{\[\[}}-127, 0]]]]> : tensor<2x2x1x2xi8>
// CHECK: %[[WS:.*]] = dnn.constant dense<[0.0157480314, 0.00787401571]> : tensor<2xf32>
// CHECK: %[[WD:.*]] = dnn.dequantize_linear %[[W]], %[[WS]] {axis = 0 : i64}
// CHECK: %[[B:.*]] = dnn.constant dense<[1079, -2159]> : tensor<2xi32>
// CHECK: %[[BD:.*]] = dnn.dequantize_linear %[[B]], %{{.*}} {axis = 0 : i64, bits = 32 : i64}
// CHECK: %[[C:.*]] = dnn.conv %[[XD]], %[[WD]], %[[BD]] {clip_min = 0.000000e+00 : f32
// CHECK: %[[CZ:.*]] = dnn.constant dense<-128> : tensor<i8>
// CHECK: %[[CQ:.*]] = dnn.quantize_linear %[[C]], %[[CS:[^,]*]], %[[CZ]]
// CHECK: %[[CD:.*]] = dnn.dequantize_linear %[[CQ]], %[[CS]], %[[CZ]]
// CHECK: %[[P:.*]] = dnn.max_pool %[[CD]]
// CHECK: %[[PS:.*]] = dnn.constant dense<0.00823529344> : tensor<f32>
// CHECK: %[[PZ:.*]] = dnn.constant dense<-128> : tensor<i8>
// CHECK: dnn.quantize_linear %[[P]], %[[PS]], %[[PZ]]
func.func @conv_relu_pool(%x: tensor<1x2x3x3xf32> {dnn.name = "x"}) -> tensor<1x2x1x1xf32> {
  %w = dnn.constant dense<[[[[2.0, -2.0]], [[1.0, 0.0]]], [[[0.0, 1.0]], [[-1.0, 0.0]]]]> : tensor<2x2x1x2xf32>
  %b = dnn.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %c = dnn.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, clip_min = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2x2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  %p = dnn.max_pool %c {kernel_shape = array<i64: 3, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x2xf32>) -> tensor<1x2x1x1xf32>
  return %p : tensor<1x2x1x1xf32>
}

// SHAPE: calibration array 'x' is f32 [4,3,3,3]; the model input 'x' is [1,2,3,3], so the calibration data must be float [N,2,3,3]
// NODATA: no calibration data (calibration=FILE.npz)

// -----

// An already quantized model is refused.
func.func @quantized(%x: tensor<4xi8> {dnn.name = "x"}) -> tensor<4xf32> {
  %s = dnn.constant dense<0.5> : tensor<f32>
  // expected-error @+1 {{the model is already quantized}}
  %d = dnn.dequantize_linear %x, %s : (tensor<4xi8>, tensor<f32>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}
