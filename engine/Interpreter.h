//===- Interpreter.h - reference evaluation of dnn IR ----------*- C++ -*-===//
//
// Evaluates a `func.func` of dnn ops on host tensors. This is dnnopt's reference
// semantics: `dnnopt validate` compares generated C against it, and the ONNX
// conformance test compares it against the ONNX test data. Written for clarity
// first; every op follows its ONNX definition (see DnnOps.td for the normalized
// attributes).
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_INTERPRETER_H
#define DNNOPT_ENGINE_INTERPRETER_H

#include "engine/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace dnnopt::engine {

/// Called with every argument and op result as it is computed (e.g. to collect
/// activation statistics for quantization).
using ValueObserver = llvm::function_ref<void(mlir::Value, const Tensor &)>;

/// Runs `func` on `inputs` (one per argument, shapes and element types must match).
/// On failure returns failure and sets `error` (naming the op's location).
mlir::FailureOr<std::vector<Tensor>> runFunction(mlir::func::FuncOp func,
                                                 const std::vector<Tensor> &inputs,
                                                 std::string &error,
                                                 ValueObserver observe = nullptr);

/// Evaluates one dnn op on its operand values (null for absent optional operands).
mlir::LogicalResult evaluateOp(mlir::Operation *op, llvm::ArrayRef<const Tensor *> operands,
                               std::vector<Tensor> &results, std::string &error);

} // namespace dnnopt::engine

#endif
