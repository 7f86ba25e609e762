//===- OutputFolder.cpp - write a set of files atomically ------------------===//
#include "backends/common/OutputFolder.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace fs = llvm::sys::fs;

namespace dnnopt {
namespace {

/// A FileSet key is "name" or "sub/name": no empty, "." or ".." component, no
/// absolute path, no deeper nesting.
bool isValidKey(llvm::StringRef key) {
  llvm::SmallVector<llvm::StringRef, 3> parts;
  key.split(parts, '/');
  if (parts.size() > 2 || key.contains('\\')) return false;
  for (llvm::StringRef p : parts)
    if (p.empty() || p == "." || p == "..") return false;
  return true;
}

/// "" if folder `path` looks generated: only regular files, plus (while `depth` > 0)
/// sub-folders that pass the same test one level down. Otherwise the offending entry,
/// relative to the top folder. Symlinks are not followed and count as "anything else".
std::string findForeignEntry(const llvm::Twine &path, const std::string &rel, int depth) {
  std::error_code ec;
  for (fs::directory_iterator it(path, ec, /*follow_symlinks=*/false), end; it != end && !ec; it.increment(ec)) {
    std::string name = rel + llvm::sys::path::filename(it->path()).str();
    llvm::ErrorOr<fs::basic_file_status> st = it->status();
    if (!st) return name;
    if (st->type() == fs::file_type::regular_file) continue;
    if (st->type() == fs::file_type::directory_file && depth > 0) {
      std::string inner = findForeignEntry(it->path(), name + "/", depth - 1);
      if (!inner.empty()) return inner;
      continue;
    }
    return name;
  }
  if (ec) return rel.empty() ? "." : rel;
  return "";
}

} // namespace

std::string writeFolderAtomically(const std::string &dir, const FileSet &files) {
  for (const auto &entry : files)
    if (!isValidKey(entry.first))
      return dir + ": invalid output file name '" + entry.first + "' (a name or one sub-folder: sub/name)";
  llvm::SmallString<256> target(dir);
  if (std::error_code ec = fs::make_absolute(target)) return dir + ": " + ec.message();
  llvm::sys::path::remove_dots(target, true);
  llvm::StringRef parent = llvm::sys::path::parent_path(target);
  if (std::error_code ec = fs::create_directories(parent)) return parent.str() + ": " + ec.message();
  if (fs::exists(target)) {
    if (!fs::is_directory(target)) return dir + ": exists and is not a folder";
    // Refuse to replace a folder that is not one of our outputs (a user's source
    // tree): ours hold regular files and at most one level of sub-folders.
    std::string foreign = findForeignEntry(target, "", 1);
    if (!foreign.empty())
      return dir + ": exists and does not look generated ('" + foreign +
             "' is not a regular file or is nested too deep); refusing to replace it";
  }
  llvm::SmallString<256> tmp(target);
  tmp += ".dnnopt-tmp-%%%%%%";
  llvm::SmallString<256> tmpDir;
  if (std::error_code ec = fs::createUniqueDirectory(tmp, tmpDir)) return dir + ": " + ec.message();
  auto cleanup = [&] { fs::remove_directories(tmpDir); };
  for (const auto &[name, contents] : files) {
    llvm::SmallString<256> path(tmpDir);
    llvm::sys::path::append(path, name);
    std::error_code ec = fs::create_directories(llvm::sys::path::parent_path(path));
    if (!ec) {
      llvm::raw_fd_ostream os(path, ec);
      if (!ec) {
        os << contents;
        os.close();
        if (os.has_error()) ec = os.error();
      }
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
