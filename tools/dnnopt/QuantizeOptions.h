//===- QuantizeOptions.h - --quantize / --calibration options --*- C++ -*-===//
//
// The post-training quantization options shared by the subcommands that compile
// (`compile`, `validate`): one declaration, attached to each subcommand.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_TOOLS_DNNOPT_QUANTIZEOPTIONS_H
#define DNNOPT_TOOLS_DNNOPT_QUANTIZEOPTIONS_H

#include "LoadModel.h"

#include "llvm/Support/CommandLine.h"

namespace dnnopt::driver {

struct QuantizeOptions {
  llvm::cl::opt<std::string> mode;
  llvm::cl::opt<std::string> calibration;
  llvm::cl::opt<double> percentile;
  llvm::cl::opt<unsigned> maxSamples;
  llvm::cl::opt<unsigned> weightBits;
  llvm::cl::opt<unsigned> actBits;

  explicit QuantizeOptions(llvm::cl::SubCommand &sub);
  QuantizeRequest request() const;
};

} // namespace dnnopt::driver

#endif
