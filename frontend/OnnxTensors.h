//===- OnnxTensors.h - ONNX element types and TensorProto payloads -*- C++ -*-===//
//
// Maps ONNX element types to MLIR types and decodes TensorProto payloads (raw_data,
// typed repeated fields, external data files) into DenseElementsAttr, checking
// every size against the declared dims so a malformed tensor never causes an
// out-of-bounds read.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_FRONTEND_ONNXTENSORS_H
#define DNNOPT_FRONTEND_ONNXTENSORS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

namespace dnnopt::onnximport {

/// Tensors with more elements than this are rejected (guards int overflow in
/// size computations and absurd allocations).
constexpr int64_t kMaxTensorElements = int64_t(1) << 31;

/// The MLIR element type of ONNX data type `dataType`, or a null type when dnnopt
/// does not support it (string, complex, undefined, unknown codes).
mlir::Type elementTypeFor(int32_t dataType, mlir::MLIRContext *ctx);

/// Printable name of an ONNX data type code ("FLOAT", "STRING", "code 42").
std::string dataTypeName(int32_t dataType);

/// Bytes per element in ONNX raw_data for a supported type (bool is one byte).
int64_t rawElementBytes(mlir::Type elementType);

/// Product of `dims`, or -1 when a dim is negative or the product exceeds
/// kMaxTensorElements.
int64_t checkedElementCount(llvm::ArrayRef<int64_t> dims);

/// Where the bytes of external tensors are read from.
struct ExternalDataContext {
  /// Folder of the model file; empty when the model came from memory, in which
  /// case external data is an error.
  std::string baseDir;
};

/// Decodes `tensor` into a DenseElementsAttr. On failure returns null and sets
/// `error` to a message (without file prefix) naming what is wrong; an error whose
/// text starts with "unsupported" is an unsupported feature rather than bad data.
mlir::DenseElementsAttr decodeTensor(const onnx::TensorProto &tensor,
                                     const ExternalDataContext &ext, mlir::MLIRContext *ctx,
                                     std::string &error);

} // namespace dnnopt::onnximport

#endif
