//===- OutputFolder.cpp - write a set of files atomically ------------------===//
#include "backends/common/OutputFolder.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace fs = llvm::sys::fs;

namespace dnnopt {

std::string writeFolderAtomically(const std::string &dir, const FileSet &files) {
  llvm::SmallString<256> target(dir);
  if (std::error_code ec = fs::make_absolute(target)) return dir + ": " + ec.message();
  llvm::sys::path::remove_dots(target, true);
  llvm::StringRef parent = llvm::sys::path::parent_path(target);
  if (std::error_code ec = fs::create_directories(parent)) return parent.str() + ": " + ec.message();
  if (fs::exists(target)) {
    if (!fs::is_directory(target)) return dir + ": exists and is not a folder";
    // Refuse to replace a folder holding sub-folders: it is not one of our outputs.
    std::error_code ec;
    for (fs::directory_iterator it(target, ec), end; it != end && !ec; it.increment(ec))
      if (fs::is_directory(it->path()))
        return dir + ": exists and contains folders; refusing to replace it";
  }
  llvm::SmallString<256> tmp(target);
  tmp += ".dnnopt-tmp-%%%%%%";
  llvm::SmallString<256> tmpDir;
  if (std::error_code ec = fs::createUniqueDirectory(tmp, tmpDir)) return dir + ": " + ec.message();
  auto cleanup = [&] { fs::remove_directories(tmpDir); };
  for (const auto &[name, contents] : files) {
    llvm::SmallString<256> path(tmpDir);
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec) {
      os << contents;
      os.close();
      if (os.has_error()) ec = os.error();
    }
    if (ec) {
      cleanup();
      return path.str().str() + ": " + ec.message();
    }
  }
  // Swap in: move any existing folder aside, move the new one in, drop the old.
  llvm::SmallString<256> old;
  if (fs::exists(target)) {
    old = target;
    old += ".dnnopt-old";
    fs::remove_directories(old);
    if (std::error_code ec = fs::rename(target, old)) {
      cleanup();
      return dir + ": " + ec.message();
    }
  }
  if (std::error_code ec = fs::rename(tmpDir, target)) {
    if (!old.empty()) fs::rename(old, target);
    cleanup();
    return dir + ": " + ec.message();
  }
  if (!old.empty()) fs::remove_directories(old);
  return "";
}

} // namespace dnnopt
