//===- DnnShapeUtils.h - shape checks shared by the dnn op families -*- C++ -*-===//
//
// Internal to the dialect: the checks DnnShapes.cpp (float ops) and DnnIntShapes.cpp
// (integer ops) share. Each reports at `loc` (when given) what is wrong.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_DNN_DNNSHAPEUTILS_H
#define DNNOPT_DIALECTS_DNN_DNNSHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <string>

namespace dnnopt::dnn::detail {

using Loc = std::optional<mlir::Location>;

/// "[1,3,?]".
std::string shapeStr(llvm::ArrayRef<int64_t> s);
/// The ranked, static tensor type of `v`, or an error naming `what`.
mlir::FailureOr<mlir::RankedTensorType> staticType(Loc loc, mlir::Value v, llvm::StringRef what);
/// Sizes and ranges of strides (>= 1), dilations (>= 1) and pads (>= 0, 2 per axis).
mlir::LogicalResult checkSpatialAttrs(Loc loc, size_t spatial, llvm::ArrayRef<int64_t> strides,
                                      llvm::ArrayRef<int64_t> dilations,
                                      llvm::ArrayRef<int64_t> pads);
/// Output shape N x M x spatial of a sliding window over `in` (N x C x spatial).
mlir::FailureOr<llvm::SmallVector<int64_t>>
windowShape(Loc loc, llvm::ArrayRef<int64_t> in, int64_t outChannels,
            llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
            llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads, bool ceilMode);
/// `v` is a 1-D tensor of `channels` elements.
mlir::LogicalResult checkPerChannel(Loc loc, mlir::Value v, int64_t channels, llvm::StringRef what);
/// Result shape N x M x spatial of a convolution of `x` (N x C x spatial) by `w`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
convShape(Loc loc, mlir::RankedTensorType x, mlir::RankedTensorType w, mlir::Value bias,
          llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations,
          llvm::ArrayRef<int64_t> pads, int64_t group);

} // namespace dnnopt::dnn::detail

#endif
