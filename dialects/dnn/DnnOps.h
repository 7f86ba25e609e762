//===- DnnOps.h - dnn dialect operations -----------------------*- C++ -*-===//
#ifndef DNNOPT_DIALECTS_DNN_DNNOPS_H
#define DNNOPT_DIALECTS_DNN_DNNOPS_H

#include "dialects/dnn/DnnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

#include "dialects/dnn/DnnEnums.h.inc"

#define GET_OP_CLASSES
#include "dialects/dnn/DnnOps.h.inc"

namespace dnnopt::dnn {

/// Shape of the numpy broadcast of `a` and `b`, or failure if they do not broadcast.
mlir::FailureOr<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                            llvm::ArrayRef<int64_t> b);

/// Flat index into a tensor of `shape`, broadcast (numpy, right-aligned) to `out`,
/// read for flat output index `flat`.
int64_t broadcastIndex(llvm::ArrayRef<int64_t> out, llvm::ArrayRef<int64_t> shape, int64_t flat);

/// Output extent of one spatial axis of a sliding window (conv / pool); returns a
/// value < 1 when the window does not fit.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                         int64_t padBegin, int64_t padEnd, bool ceilMode);

} // namespace dnnopt::dnn

#endif
