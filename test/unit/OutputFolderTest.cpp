//===- OutputFolderTest.cpp - atomic write of a generated folder -----------===//
#include "backends/common/OutputFolder.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace dnnopt;
namespace fs = llvm::sys::fs;

namespace {
/// A fresh temporary folder, removed with everything in it at the end of the test.
class OutputFolderTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_FALSE(fs::createUniqueDirectory("dnnopt-outfolder", root)); }
  void TearDown() override { fs::remove_directories(root); }

  std::string path(const std::string &rel) const {
    llvm::SmallString<256> p(root);
    llvm::sys::path::append(p, rel);
    return p.str().str();
  }
  std::string read(const std::string &rel) const {
    auto buf = llvm::MemoryBuffer::getFile(path(rel));
    return buf ? (*buf)->getBuffer().str() : "<missing>";
  }
  void write(const std::string &rel, const std::string &contents) const {
    fs::create_directories(llvm::sys::path::parent_path(path(rel)));
    std::error_code ec;
    llvm::raw_fd_ostream os(path(rel), ec);
    os << contents;
  }
  /// Names in the root folder (checks that no temporary sibling is left behind).
  std::vector<std::string> rootEntries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; it != end && !ec; it.increment(ec))
      names.push_back(llvm::sys::path::filename(it->path()).str());
    std::sort(names.begin(), names.end());
    return names;
  }

  llvm::SmallString<256> root;
};
} // namespace

TEST_F(OutputFolderTest, WritesFilesAndOneSubfolderLevel) {
  FileSet files = {{"m.h", "h"}, {"m.c", "c"}, {"example/main.c", "main"}, {"example/Makefile", "all:"}};
  EXPECT_EQ(writeFolderAtomically(path("out"), files), "");
  EXPECT_EQ(read("out/m.h"), "h");
  EXPECT_EQ(read("out/example/main.c"), "main");
  EXPECT_EQ(read("out/example/Makefile"), "all:");
  EXPECT_EQ(rootEntries(), std::vector<std::string>{"out"});
}

TEST_F(OutputFolderTest, ReplacesAPreviousOutputExactly) {
  ASSERT_EQ(writeFolderAtomically(path("out"), {{"a.c", "1"}, {"example/main.c", "1"}, {"example/old.c", "1"}}), "");
  // Build products in the sub-folder (a built example) are still regular files.
  write("out/example/m.elf", "elf");
  EXPECT_EQ(writeFolderAtomically(path("out"), {{"a.c", "2"}, {"example/main.c", "2"}}), "");
  EXPECT_EQ(read("out/a.c"), "2");
  EXPECT_EQ(read("out/example/main.c"), "2");
  EXPECT_FALSE(fs::exists(path("out/example/old.c")));
  EXPECT_FALSE(fs::exists(path("out/example/m.elf")));
  // Without example/ this time: the sub-folder goes away.
  EXPECT_EQ(writeFolderAtomically(path("out"), {{"a.c", "3"}}), "");
  EXPECT_FALSE(fs::exists(path("out/example")));
  EXPECT_EQ(rootEntries(), std::vector<std::string>{"out"});
}

TEST_F(OutputFolderTest, RefusesFoldersThatDoNotLookGenerated) {
  // Two levels of folders: a source tree, not one of our outputs.
  write("src/main.c", "user code");
  write("src/lib/deep/x.c", "user code");
  std::string err = writeFolderAtomically(path("src"), {{"a.c", "x"}});
  EXPECT_NE(err.find("refusing to replace it"), std::string::npos) << err;
  EXPECT_NE(err.find("lib/deep"), std::string::npos) << err;
  EXPECT_EQ(read("src/main.c"), "user code");
  EXPECT_EQ(read("src/lib/deep/x.c"), "user code");

  // A symlink is not a regular file.
  write("linked/a.c", "x");
  ASSERT_FALSE(fs::create_link(path("src/main.c"), path("linked/link.c")));
  EXPECT_NE(writeFolderAtomically(path("linked"), {{"a.c", "y"}}), "");
  EXPECT_EQ(read("linked/a.c"), "x");

  // A file where the folder should be.
  write("file", "x");
  EXPECT_NE(writeFolderAtomically(path("file"), {{"a.c", "y"}}), "");
  EXPECT_EQ(read("file"), "x");
  EXPECT_EQ(rootEntries(), (std::vector<std::string>{"file", "linked", "src"}));
}

TEST_F(OutputFolderTest, RejectsBadFileNames) {
  write("out/a.c", "old");
  for (const char *bad : {"a/b/c.c", "../escape.c", "/abs.c", "sub/", "sub//x.c", "./x.c", ""}) {
    std::string err = writeFolderAtomically(path("out"), {{"a.c", "new"}, {bad, "x"}});
    EXPECT_NE(err.find("invalid output file name"), std::string::npos) << bad << ": " << err;
  }
  EXPECT_EQ(read("out/a.c"), "old");
  EXPECT_FALSE(fs::exists(path("escape.c")));
  EXPECT_EQ(rootEntries(), std::vector<std::string>{"out"});
}
