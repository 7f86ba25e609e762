//===- dnnopt.cpp - the dnnopt driver --------------------------------------===//
//
// `dnnopt <subcommand> ...`: the user-facing compiler driver. Each subcommand lives
// in its own file (ImportCommand.cpp, ...).
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace dnnopt::driver;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::SubCommand &import = importSubCommand();
  llvm::cl::SubCommand &report = reportSubCommand();
  llvm::cl::SubCommand &compile = compileSubCommand();
  llvm::cl::SubCommand &calibrate = calibrateSubCommand();
  llvm::cl::SubCommand &validate = validateSubCommand();
  llvm::cl::SubCommand &search = searchSubCommand();
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "dnnopt: hardware-aware compiler from ONNX to microcontroller C\n\n"
      "  dnnopt import MODEL.onnx   import, clean up and print the dnn IR with a summary\n"
      "  dnnopt compile MODEL.onnx -o DIR [--name NAME] [--target host|cortex-m4|cortex-m7]\n"
      "                             write a folder of C99 sources (NAME.h: NAME_run)\n"
      "  dnnopt validate MODEL.onnx [--inputs X.npz]\n"
      "                             build the C code on the host, run it, compare with the engine\n"
      "  dnnopt report MODEL.onnx --target T\n"
      "                             per-layer latency, energy and memory on a target\n"
      "  dnnopt calibrate MODEL.onnx=PROFILE.txt ...\n"
      "                             fit the Cortex-M latency model to measured per-layer counts\n"
      "  dnnopt search pit MODEL.onnx --data TRAIN.npz --cost params|macs --lambda L -o OUT.mlir\n"
      "                             PIT architecture search (channels, receptive field, dilation)\n\n"
      "Run `dnnopt <subcommand> --help` for the options of a subcommand.\n");
  if (import) return runImport();
  if (report) return runReport();
  if (compile) return runCompile();
  if (calibrate) return runCalibrate();
  if (validate) return runValidate();
  if (search) return runSearch();
  llvm::errs() << "dnnopt: no subcommand given; run `dnnopt --help`\n";
  return 1;
}
