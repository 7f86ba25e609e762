//===- Tensor.h - host tensors for the reference engine --------*- C++ -*-===//
//
// A dense, row-major host tensor. Floating-point data is held as float, integer
// and boolean data as int64 (values keep their declared element type's range).
// This is the value type of dnnopt's reference engine: the interpreter behind
// `dnnopt validate`, constant evaluation, and the search engine's forward pass.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_TENSOR_H
#define DNNOPT_ENGINE_TENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dnnopt::engine {

enum class DType { F32, F64, I8, U8, I16, U16, I32, U32, I64, Bool };

/// Element type of an MLIR type; failure for types the engine does not handle.
mlir::FailureOr<DType> dtypeOf(mlir::Type elementType);
mlir::Type mlirTypeOf(DType d, mlir::MLIRContext *ctx);
const char *dtypeName(DType d);
inline bool isFloat(DType d) { return d == DType::F32 || d == DType::F64; }

struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<float> f;   ///< data when isFloat(dtype)
  std::vector<int64_t> i; ///< data otherwise

  Tensor() = default;
  Tensor(DType d, std::vector<int64_t> s);
  static Tensor floats(std::vector<int64_t> s, std::vector<float> v);

  int64_t numel() const;
  int64_t rank() const { return (int64_t)shape.size(); }
  /// Element `k` as double, whatever the storage.
  double at(int64_t k) const { return isFloat(dtype) ? (double)f[k] : (double)i[k]; }
  /// Stores `v` at `k`, converting (integers saturate to the dtype's range, NaN -> 0).
  void set(int64_t k, double v);
  std::vector<int64_t> strides() const;

  static mlir::FailureOr<Tensor> fromAttr(mlir::ElementsAttr attr);
  mlir::DenseElementsAttr toAttr(mlir::MLIRContext *ctx) const;
};

/// Bytes of one element of `d` (bool: 1).
size_t dtypeSize(DType d);
/// The elements of `t` as dense little-endian bytes of its dtype (what C code and
/// .npy files hold).
std::string toRawBytes(const Tensor &t);
/// A tensor of dtype `d` and `shape` read from dense little-endian bytes; `bytes`
/// must hold at least numel * dtypeSize(d) bytes.
Tensor fromRawBytes(DType d, std::vector<int64_t> shape, const unsigned char *bytes);

/// Integer range of a dtype (for saturation), as doubles.
double dtypeMin(DType d);
double dtypeMax(DType d);

std::string shapeString(const std::vector<int64_t> &shape);

} // namespace dnnopt::engine

#endif
