//===- TextOutput.cpp - small output helpers shared by dnnopt's subcommands -===//
#include "TextOutput.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdio>

std::string dnnopt::driver::fixed(double v, int decimals) {
  char buf[48];
  snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string dnnopt::driver::xmlEscape(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  }
  return out;
}

bool dnnopt::driver::writeFile(llvm::StringRef path, llvm::StringRef cmd,
                               llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::string err;
  auto out = mlir::openOutputFile(path, &err);
  if (!out) {
    llvm::errs() << cmd << ": " << err << "\n";
    return false;
  }
  write(out->os());
  out->keep();
  return true;
}
