//===- Commands.h - subcommands of the dnnopt driver -----------*- C++ -*-===//
#ifndef DNNOPT_TOOLS_DNNOPT_COMMANDS_H
#define DNNOPT_TOOLS_DNNOPT_COMMANDS_H

#include "llvm/Support/CommandLine.h"

namespace dnnopt::driver {

/// Each subcommand owns its llvm::cl::SubCommand and options (file-static in its
/// .cpp) and runs when that subcommand was selected. Returns the process exit code.
llvm::cl::SubCommand &importSubCommand();
int runImport();

llvm::cl::SubCommand &reportSubCommand();
int runReport();

llvm::cl::SubCommand &compileSubCommand();
int runCompile();

llvm::cl::SubCommand &calibrateSubCommand();
int runCalibrate();

llvm::cl::SubCommand &validateSubCommand();
int runValidate();

llvm::cl::SubCommand &searchSubCommand();
int runSearch();

} // namespace dnnopt::driver

#endif
