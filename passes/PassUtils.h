//===- PassUtils.h - helpers shared by the dnn graph passes ----*- C++ -*-===//
#ifndef DNNOPT_PASSES_PASSUTILS_H
#define DNNOPT_PASSES_PASSUTILS_H

#include "dialects/dnn/DnnOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>
#include <optional>

namespace dnnopt::passutil {

/// The f32 elements of `v` if it is produced by a constant op (dnn.constant or any
/// other ConstantLike op) whose value is readable element by element.
inline std::optional<llvm::SmallVector<float>> getF32Constant(mlir::Value v) {
  mlir::ElementsAttr attr;
  if (!v || !mlir::matchPattern(v, mlir::m_Constant(&attr))) return std::nullopt;
  if (!attr.getElementType().isF32()) return std::nullopt;
  auto values = attr.tryGetValues<float>();
  if (!values) return std::nullopt;
  return llvm::to_vector(*values);
}

/// A new dnn.constant holding `values` with the given shape (f32).
inline mlir::Value createF32Constant(mlir::OpBuilder &builder, mlir::Location loc,
                                     llvm::ArrayRef<int64_t> shape,
                                     llvm::ArrayRef<float> values) {
  auto type = mlir::RankedTensorType::get(shape, builder.getF32Type());
  auto attr = mlir::DenseElementsAttr::get(type, values);
  return dnn::ConstantOp::create(builder, loc, attr).getResult();
}

/// Whether `op` carries a fused output clamp (clip_min / clip_max).
inline bool hasFusedClamp(mlir::Operation *op) {
  return op->hasAttr("clip_min") || op->hasAttr("clip_max");
}

/// Greedy rewriting that only applies the given patterns: no folding (so a pass
/// does exactly what it describes) and no constant hoisting/CSE (so constants keep
/// their position and location). Dead ops are still erased.
inline mlir::GreedyRewriteConfig patternsOnlyConfig() {
  mlir::GreedyRewriteConfig config;
  config.enableFolding(false);
  config.enableConstantCSE(false);
  config.setRegionSimplificationLevel(mlir::GreedySimplifyRegionLevel::Disabled);
  return config;
}

} // namespace dnnopt::passutil

#endif
