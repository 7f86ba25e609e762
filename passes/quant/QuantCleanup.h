//===- QuantCleanup.h - patterns that tidy integer regions -----*- C++ -*-===//
#ifndef DNNOPT_PASSES_QUANT_QUANTCLEANUP_H
#define DNNOPT_PASSES_QUANT_QUANTCLEANUP_H

#include "mlir/IR/PatternMatch.h"

namespace dnnopt::quant {

/// Transposes move below elementwise integer ops (qadd, requantize) and cancel in
/// pairs; a requantize that only clamps (scale 1, same zero point) folds into the
/// integer op producing its input.
void populateQuantCleanupPatterns(mlir::RewritePatternSet &patterns);

} // namespace dnnopt::quant

#endif
