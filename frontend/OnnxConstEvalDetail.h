//===- OnnxConstEvalDetail.h - helpers shared by the evaluator kernels -*- C++ -*-===//
#ifndef DNNOPT_FRONTEND_ONNXCONSTEVALDETAIL_H
#define DNNOPT_FRONTEND_ONNXCONSTEVALDETAIL_H

#include "frontend/OnnxConstEval.h"

namespace dnnopt::onnximport::detail {

/// Float to integer, truncating toward zero; NaN and out-of-range values
/// saturate instead of being undefined behavior.
int64_t satInt(double v);
/// Wraps `v` to the width and signedness of the integer type `elt` (bool: v != 0).
int64_t wrapInt(mlir::Type elt, int64_t v);
/// Rounds `v` to the precision of the float type `elt`.
double roundFloat(mlir::Type elt, double v);
/// Element count of `shape`, or -1 when it exceeds kMaxEvalElements or a dim is
/// negative or above kMaxTensorElements.
int64_t boundedCount(llvm::ArrayRef<int64_t> shape);
/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);
/// False (with `error` set) when `shape` is too large to evaluate.
bool checkSize(llvm::ArrayRef<int64_t> shape, std::string &error);
/// The tensor of `shape` whose element i is `src`'s element `index[i]`; every
/// index is bounds-checked.
EvalResult pick(const ConstTensor &src, llvm::ArrayRef<int64_t> shape,
                llvm::ArrayRef<int64_t> index, std::string &error);
/// For each element of `out`, the flat index of the (numpy-broadcast) element of
/// a tensor of shape `in` it reads.
std::vector<int64_t> broadcastIndex(llvm::ArrayRef<int64_t> out, llvm::ArrayRef<int64_t> in);
/// Numpy broadcast of two shapes (error if incompatible or too large).
std::optional<llvm::SmallVector<int64_t>> broadcast(llvm::ArrayRef<int64_t> a,
                                                    llvm::ArrayRef<int64_t> b, std::string &error);

} // namespace dnnopt::onnximport::detail

#endif
