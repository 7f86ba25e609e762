//===- SearchPasses.h - dnnopt's training searches as passes ------*- C++ -*-===//
#ifndef DNNOPT_PASSES_SEARCH_SEARCHPASSES_H
#define DNNOPT_PASSES_SEARCH_SEARCHPASSES_H

#include "mlir/Pass/Pass.h"

namespace dnnopt {
#define GEN_PASS_DECL
#include "passes/search/SearchPasses.h.inc"

/// registerDnnSearchPasses(): -dnn-search-pit and the other training searches.
#define GEN_PASS_REGISTRATION
#include "passes/search/SearchPasses.h.inc"
} // namespace dnnopt

#endif
