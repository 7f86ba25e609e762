//===- TextOutput.h - small output helpers shared by dnnopt's subcommands -*- C++ -*-===//
#ifndef DNNOPT_TOOLS_DNNOPT_TEXTOUTPUT_H
#define DNNOPT_TOOLS_DNNOPT_TEXTOUTPUT_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace dnnopt::driver {

/// `v` with exactly `decimals` digits after the point.
std::string fixed(double v, int decimals);
/// Escapes &, <, > and " for XML / SVG text and attributes.
std::string xmlEscape(llvm::StringRef s);
/// Writes a whole file through `write`, atomically (a temporary renamed at the
/// end: never half-written). On failure prints "`cmd`: <reason>" and returns false.
bool writeFile(llvm::StringRef path, llvm::StringRef cmd, llvm::function_ref<void(llvm::raw_ostream &)> write);

} // namespace dnnopt::driver

#endif
