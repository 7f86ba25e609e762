//===- QuantizeOptions.cpp - --quantize / --calibration options ------------===//
#include "QuantizeOptions.h"

namespace cl = llvm::cl;
using namespace dnnopt::driver;

QuantizeOptions::QuantizeOptions(cl::SubCommand &sub)
    : mode("quantize",
           cl::desc("Post-training quantization of a float model: int8 (per-channel int8 weights, "
                    "per-tensor int8 activations, int8 kernels); needs --calibration"),
           cl::value_desc("int8"), cl::sub(sub)),
      calibration("calibration",
                  cl::desc("Calibration inputs for --quantize: .npz with an array per model input "
                           "(its ONNX name, or 'x' for a one-input model) of shape [N, ...]"),
                  cl::value_desc("data.npz"), cl::sub(sub)),
      percentile("calibration-percentile",
                 cl::desc("Activation ranges keep the central P % of the calibration values "
                          "(default 100: min / max)"),
                 cl::value_desc("P"), cl::init(100.0), cl::sub(sub)),
      maxSamples("calibration-samples",
                 cl::desc("Use at most N calibration samples (default: all)"), cl::value_desc("N"),
                 cl::init(0), cl::sub(sub)),
      weightBits("weight-bits",
                 cl::desc("With --quantize: weight width, 8, 4 or 2 (ternary); activations: "
                          "--act-bits (default 8)"),
                 cl::value_desc("bits"), cl::init(8), cl::sub(sub)),
      actBits("act-bits",
              cl::desc("With --quantize: width of the hidden activations, 8, 4 or 2 (packed "
                       "densely in the arena; the model's inputs and outputs stay int8; "
                       "default 8)"),
              cl::value_desc("bits"), cl::init(8), cl::sub(sub)) {}

QuantizeRequest QuantizeOptions::request() const {
  QuantizeRequest q;
  q.mode = mode;
  q.calibration = calibration;
  q.percentile = percentile;
  q.maxSamples = maxSamples;
  q.weightBits = weightBits;
  q.actBits = actBits;
  return q;
}
