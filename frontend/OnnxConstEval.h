//===- OnnxConstEval.h - import-time evaluation of static sub-graphs -*- C++ -*-===//
//
// A small tensor evaluator over int64 / double / bool values, used to fold shape
// computations (Shape -> Gather -> Concat -> Reshape, Range, Where, ...) into
// constants while importing. Kernels take already-normalized parameters (the op
// handlers resolve ONNX's negative axes, clamping and defaults first), but they
// still check their index arithmetic so they never read out of bounds.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_FRONTEND_ONNXCONSTEVAL_H
#define DNNOPT_FRONTEND_ONNXCONSTEVAL_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>
#include <vector>

namespace dnnopt::onnximport {

/// Tensors larger than this are not evaluated at import time.
constexpr int64_t kMaxEvalElements = int64_t(1) << 20;

/// A constant tensor. Integer and bool element types keep their values in `ints`
/// (bool as 0/1, unsigned 64-bit as its bit pattern), floating types in `floats`.
struct ConstTensor {
  mlir::Type elementType;
  llvm::SmallVector<int64_t> shape;
  std::vector<int64_t> ints;
  std::vector<double> floats;

  bool isFloat() const;
  int64_t numElements() const { return isFloat() ? (int64_t)floats.size() : (int64_t)ints.size(); }
  double floatAt(int64_t i) const { return isFloat() ? floats[i] : (double)ints[i]; }
  int64_t intAt(int64_t i) const;

  static ConstTensor ofInts(mlir::Type elementType, llvm::ArrayRef<int64_t> shape,
                            std::vector<int64_t> values);
  static ConstTensor ofFloats(mlir::Type elementType, llvm::ArrayRef<int64_t> shape,
                              std::vector<double> values);
};

/// Reads an attribute (at most kMaxEvalElements elements, int or float elements).
std::optional<ConstTensor> fromAttr(mlir::DenseElementsAttr attr);
/// Materializes as an attribute (values are wrapped / rounded to the element type).
mlir::DenseElementsAttr toAttr(const ConstTensor &t, mlir::MLIRContext *ctx);

enum class BinaryKind {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Max,
  Min,
  Mod,
  FMod,
  Equal,
  Less,
  Greater,
  LessOrEqual,
  GreaterOrEqual,
  And,
  Or,
  Xor
};
enum class UnaryKind { Neg, Abs, Floor, Ceil, Sqrt, Reciprocal, Relu, Exp, Log, Not, Sign };
enum class ReduceKind { Sum, Prod, Max, Min, Mean };

/// Kernels return std::nullopt and set `error` when they cannot evaluate.
using EvalResult = std::optional<ConstTensor>;

EvalResult evalBinary(BinaryKind kind, const ConstTensor &a, const ConstTensor &b,
                      std::string &error);
EvalResult evalUnary(UnaryKind kind, const ConstTensor &a, std::string &error);
EvalResult evalCast(const ConstTensor &a, mlir::Type to, std::string &error);
EvalResult evalWhere(const ConstTensor &cond, const ConstTensor &x, const ConstTensor &y,
                     std::string &error);
/// `axes` are valid, sorted and unique.
EvalResult evalReduce(ReduceKind kind, const ConstTensor &a, llvm::ArrayRef<int64_t> axes,
                      bool keepDims, std::string &error);
EvalResult evalReshape(const ConstTensor &a, llvm::ArrayRef<int64_t> shape, std::string &error);
EvalResult evalTranspose(const ConstTensor &a, llvm::ArrayRef<int64_t> perm, std::string &error);
/// Normalized slice (see dnn.slice): one start/end/step per axis.
EvalResult evalSlice(const ConstTensor &a, llvm::ArrayRef<int64_t> starts,
                     llvm::ArrayRef<int64_t> ends, llvm::ArrayRef<int64_t> steps,
                     std::string &error);
/// `indices` already made non-negative and checked against the axis.
EvalResult evalGather(const ConstTensor &data, const ConstTensor &indices, int64_t axis,
                      std::string &error);
EvalResult evalConcat(llvm::ArrayRef<const ConstTensor *> inputs, int64_t axis, std::string &error);
EvalResult evalSplit(const ConstTensor &a, int64_t axis, int64_t offset, int64_t size,
                     std::string &error);
/// Numpy (bidirectional) broadcast of `a` to `shape` (ONNX Expand).
EvalResult evalExpand(const ConstTensor &a, llvm::ArrayRef<int64_t> shape, std::string &error);
EvalResult evalTile(const ConstTensor &a, llvm::ArrayRef<int64_t> repeats, std::string &error);
EvalResult evalRange(const ConstTensor &start, const ConstTensor &limit, const ConstTensor &delta,
                     std::string &error);
/// Constant-mode padding; `pads` = begins then ends, may be negative.
EvalResult evalPad(const ConstTensor &a, llvm::ArrayRef<int64_t> pads, double value,
                   std::string &error);

} // namespace dnnopt::onnximport

#endif
