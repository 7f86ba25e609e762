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

/// Relative path -> contents; std::map keeps the order deterministic. A path is a
/// file name ("model.c") or one sub-folder level ("example/main.c").
using FileSet = std::map<std::string, std::string>;

/// Replaces folder `dir` by exactly `files`. If `dir` exists it must be a folder
/// that looks generated: regular files, and sub-folders holding only regular files
/// (anything else, e.g. a source tree with deeper folders or symlinks, is refused).
/// Returns "" or an error; on error `dir` is left as it was.
std::string writeFolderAtomically(const std::string &dir, const FileSet &files);

} // namespace dnnopt

#endif
