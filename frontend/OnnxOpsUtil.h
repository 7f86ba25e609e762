//===- OnnxOpsUtil.h - helpers shared by the op handlers ---------*- C++ -*-===//
#ifndef DNNOPT_FRONTEND_ONNXOPSUTIL_H
#define DNNOPT_FRONTEND_ONNXOPSUTIL_H

#include "frontend/OnnxNode.h"

namespace dnnopt::onnximport {

/// Attribute values such as strides, pads and repeats are limited to this
/// magnitude so that shape arithmetic on them cannot overflow.
constexpr int64_t kMaxAttrMagnitude = int64_t(1) << 31;

/// Resolves a possibly negative `axis` against `rank` ([-rank, rank-1]); reports
/// an error naming `what` when out of range.
std::optional<int64_t> normalizeAxis(NodeImporter &n, int64_t axis, int64_t rank,
                                     llvm::StringRef what = "axis");
/// Normalizes, sorts and checks `axes` for duplicates.
std::optional<llvm::SmallVector<int64_t>> normalizeAxes(NodeImporter &n,
                                                        llvm::ArrayRef<int64_t> axes, int64_t rank);

/// Kernel, strides, dilations and explicit pads of a sliding-window op (Conv,
/// pools), with ONNX `auto_pad` resolved against the input's spatial sizes.
struct WindowParams {
  llvm::SmallVector<int64_t> kernel, strides, dilations, pads;
};
/// `x` is N x C x spatial...; `kernel` the window size per spatial axis.
std::optional<WindowParams> windowParams(NodeImporter &n, mlir::RankedTensorType x,
                                         llvm::ArrayRef<int64_t> kernel);

/// Checks every value of an integer attribute list is within
/// [minValue, kMaxAttrMagnitude] (a reported error otherwise).
bool checkAttrRange(NodeImporter &n, llvm::StringRef name, llvm::ArrayRef<int64_t> values,
                    int64_t minValue);

/// A rank-0 constant of element type `elt` holding `value`.
mlir::DenseElementsAttr scalarAttr(mlir::Type elt, double value);

/// `dnn.reshape` of `v` to `shape` (no-op when the shape is unchanged).
mlir::Value reshapeTo(NodeImporter &n, mlir::Value v, llvm::ArrayRef<int64_t> shape);

std::string shapeStr(llvm::ArrayRef<int64_t> shape);

} // namespace dnnopt::onnximport

#endif
