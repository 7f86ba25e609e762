//===- QuantCleanup.h - patterns that tidy integer regions -----*- C++ -*-===//
#ifndef DNNOPT_PASSES_QUANT_QUANTCLEANUP_H
#define DNNOPT_PASSES_QUANT_QUANTCLEANUP_H

#include "mlir/IR/PatternMatch.h"

namespace dnnopt::quant {

/// Transposes move below elementwise integer ops (qadd, requantize) and cancel in
/// pairs; a requantize folds into the integer op producing its input (exactly when
/// it only clamps; otherwise with one rounding instead of two).
void populateQuantCleanupPatterns(mlir::RewritePatternSet &patterns);

} // namespace dnnopt::quant

#endif
