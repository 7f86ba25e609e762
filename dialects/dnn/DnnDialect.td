//===- DnnDialect.td - dnn dialect definition -----------------------------===//
#ifndef DNNOPT_DNN_DIALECT_TD
#define DNNOPT_DNN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Dnn_Dialect : Dialect {
  let name = "dnn";
  let cppNamespace = "::dnnopt::dnn";
  let summary = "Tensor-level neural-network operations with normalized semantics";
  let description = [{
    The `dnn` dialect is dnnopt's model representation: one op per neural-network
    operation, on ranked static tensors in NC[D]HW layout. Semantics are normalized
    relative to ONNX: everything that is static in a compiled model (paddings,
    kernel sizes, slice bounds, clip bounds, target shapes) is an attribute, never a
    runtime operand, and ONNX operator-set differences are resolved by the importer.
    Weights are `dnn.constant` ops. Every op verifies its operands and infers its
    result type, so a shape mismatch is a located error.

    Quantization: `dnn.quantize_linear` / `dnn.dequantize_linear` carry scale and
    zero point as operands (per tensor, or per channel along `axis`) and the storage
    bit width as an attribute (8, 4 or 2), so sub-byte precisions use the same ops.
  }];
  let hasConstantMaterializer = 1;
}

class Dnn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Dnn_Dialect, mnemonic, traits>;

def Dnn_PadModeAttr : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>]> {
  let cppNamespace = "::dnnopt::dnn";
}

def Dnn_ResizeModeAttr : I32EnumAttr<"ResizeMode", "resize interpolation", [
    I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>]> {
  let cppNamespace = "::dnnopt::dnn";
}

def Dnn_CoordModeAttr : I32EnumAttr<"CoordMode", "resize coordinate transformation", [
    I32EnumAttrCase<"half_pixel", 0>, I32EnumAttrCase<"asymmetric", 1>,
    I32EnumAttrCase<"align_corners", 2>, I32EnumAttrCase<"pytorch_half_pixel", 3>,
    I32EnumAttrCase<"tf_half_pixel_for_nn", 4>]> {
  let cppNamespace = "::dnnopt::dnn";
}

def Dnn_NearestModeAttr : I32EnumAttr<"NearestMode", "resize nearest rounding", [
    I32EnumAttrCase<"round_prefer_floor", 0>, I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>, I32EnumAttrCase<"ceil", 3>]> {
  let cppNamespace = "::dnnopt::dnn";
}

#endif
