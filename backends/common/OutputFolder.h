//===- OutputFolder.h - write a set of files atomically --------*- C++ -*-===//
//
// The compiler's output is a folder of generated files. It is written as a whole:
// the files go to a temporary sibling folder which then replaces DIR, so a failed
// or interrupted compile never leaves a half-written DIR behind.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_COMMON_OUTPUTFOLDER_H
#define DNNOPT_BACKENDS_COMMON_OUTPUTFOLDER_H

#include <map>
#include <string>

namespace dnnopt {

/// File name (no directories) -> contents; std::map keeps the order deterministic.
using FileSet = std::map<std::string, std::string>;

/// Replaces folder `dir` by exactly `files`. If `dir` exists it must be a folder
/// that looks generated (only regular files). Returns "" or an error.
std::string writeFolderAtomically(const std::string &dir, const FileSet &files);

} // namespace dnnopt

#endif
