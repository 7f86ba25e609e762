//===- QuantLayer.cpp - kernel parameters and packed weights of integer layers --===//
#include "backends/c/QuantLayer.h"
#include "backends/c/OpEmitters.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <functional>

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt::cemit {

std::vector<int64_t> constantInts(Value v) {
  std::vector<int64_t> out;
  auto c = v.getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseIntElementsAttr>(c.getValue()) : DenseIntElementsAttr();
  if (!dense) return out;
  for (const APInt &i : dense.getValues<APInt>()) out.push_back(i.getSExtValue());
  return out;
}

namespace {
/// Output channel m's weight width: `weight_bits` has 1 or one entry per channel
/// (absent: 8). A pruned (0-bit) channel that -dnn-group-precision did not remove has
/// all-zero weights and runs as a 2-bit channel.
int32_t bitsOf(std::optional<ArrayRef<int64_t>> bits, int64_t m) {
  if (!bits || bits->empty()) return 8;
  int64_t b = (*bits)[bits->size() == 1 ? 0 : m];
  return b == 0 ? 2 : (int32_t)b;
}

/// Weights (int8) and bias (int32) of a layer.
LogicalResult layerConstants(Operation *op, Value weight, Value bias, std::vector<int8_t> &w,
                             std::vector<int32_t> &b) {
  if (failed(requireConstant(op, weight, "weights"))) return failure();
  for (int64_t v : constantInts(weight)) w.push_back((int8_t)v);
  if (bias) {
    if (failed(requireConstant(op, bias, "bias"))) return failure();
    for (int64_t v : constantInts(bias)) b.push_back((int32_t)v);
  }
  return success();
}
} // namespace

void multipliers(ArrayRef<double> scale, int64_t channels, std::vector<int32_t> &mult,
                 std::vector<int32_t> &shift) {
  mult.resize(channels);
  shift.resize(channels);
  for (int64_t m = 0; m < channels; ++m)
    dnn_s8_quantize_multiplier(scale[scale.size() == 1 ? 0 : m], &mult[m], &shift[m]);
}

std::string groupTable(
    CEmitContext &ctx, const std::vector<std::array<int32_t, 3>> &runs,
    const std::function<size_t(int32_t bits, int32_t m)> &packedSize,
    const std::function<void(int32_t, int32_t, int32_t, uint8_t *, dnn_s8_chan *)> &pack) {
  std::string init;
  for (const auto &[bits, m0, m] : runs) {
    std::vector<uint8_t> packed(packedSize(bits, m));
    std::vector<dnn_s8_chan> chan(m);
    pack(bits, m0, m, packed.data(), chan.data());
    std::string wn = ctx.wordArray("sub_w", packed.data(), packed.size());
    std::string cn = ctx.wordArray("sub_chan", chan.data(), chan.size() * sizeof(dnn_s8_chan));
    init += (init.empty() ? "" : ", ") + std::string("{") + std::to_string(bits) + ", " +
            std::to_string(m0) + ", " + std::to_string(m) + ", " + wn + ", (const dnn_s8_chan *)" +
            cn + "}";
  }
  return ctx.table("dnn_sub_wgroup", init, (int64_t)(runs.size() * sizeof(dnn_sub_wgroup)));
}

bool allInt8(std::optional<ArrayRef<int64_t>> bits) {
  return !bits || llvm::all_of(*bits, [](int64_t b) { return b == 8; });
}

std::vector<std::array<int32_t, 3>> precisionRuns(std::optional<ArrayRef<int64_t>> bits,
                                                  int64_t channels) {
  std::vector<std::array<int32_t, 3>> runs; // bits, m0, m
  for (int64_t m = 0; m < channels; ++m) {
    int32_t b = bitsOf(bits, m);
    if (!runs.empty() && runs.back()[0] == b) ++runs.back()[2];
    else runs.push_back({b, (int32_t)m, 1});
  }
  return runs;
}

LogicalResult windowGeometry(Operation *op, Value x, Value y, ArrayRef<int64_t> kernel,
                             ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                             ArrayRef<int64_t> pads, std::array<int32_t, 17> &g) {
  ArrayRef<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  if (xs.size() != 3 && xs.size() != 4)
    return op->emitError("C backend: unsupported rank for the int8 kernels (1-D and 2-D only)");
  bool two = xs.size() == 4;
  auto at = [&](ArrayRef<int64_t> v, int64_t dflt, size_t i2) {
    return (int32_t)(two ? v[i2] : (i2 == 0 ? dflt : v[0]));
  };
  // n c h w oh ow kh kw sh sw dh dw pt pl pb pr m
  g = {(int32_t)xs[0], (int32_t)xs.back(), two ? (int32_t)xs[1] : 1, (int32_t)xs[xs.size() - 2],
       two ? (int32_t)ys[1] : 1, (int32_t)ys[ys.size() - 2], at(kernel, 1, 0),
       (int32_t)kernel.back(), at(strides, 1, 0), (int32_t)strides.back(), at(dilations, 1, 0),
       (int32_t)dilations.back(), two ? (int32_t)pads[0] : 0, (int32_t)pads[two ? 1 : 0],
       two ? (int32_t)pads[2] : 0, (int32_t)pads[two ? 3 : 1], (int32_t)ys.back()};
  return success();
}

FailureOr<dnn_s8_conv_params> qconvParams(QConvOp op) {
  std::array<int32_t, 17> g;
  if (failed(windowGeometry(op, op.getInput(), op.getOutput(), shapeOf(op.getWeight()).drop_front(2),
                            op.getStrides(), op.getDilations(), op.getPads(), g)))
    return failure();
  return dnn_s8_conv_params{g[0], g[1], g[2], g[3], g[16], g[4], g[5], g[6], g[7], g[8], g[9], g[10],
                            g[11], g[12], g[13], g[14], g[15], (int32_t)op.getGroup(),
                            (int32_t)op.getInputZp(), (int32_t)op.getOutputZp(),
                            (int32_t)op.getActMin(), (int32_t)op.getActMax()};
}

dnn_s8_fc_params fcParams(QFullyConnectedOp op) {
  ArrayRef<int64_t> xs = shapeOf(op.getInput()), ws = shapeOf(op.getWeight());
  return dnn_s8_fc_params{(int32_t)xs[0],          (int32_t)xs[1],
                          (int32_t)ws[0],          (int32_t)op.getInputZp(),
                          (int32_t)op.getOutputZp(), (int32_t)op.getActMin(),
                          (int32_t)op.getActMax()};
}

FailureOr<LayerWeights> packConvWeights(CEmitContext &ctx, QConvOp op, const dnn_s8_conv_params &p) {
  std::vector<int8_t> w;
  std::vector<int32_t> bias, mult, shift;
  if (failed(layerConstants(op, op.getWeight(), op.getBias(), w, bias))) return failure();
  multipliers(op.getScale(), p.m, mult, shift);
  LayerWeights lw;
  if (!allInt8(op.getWeightBits())) {
    dnn_sub_conv_params sp;
    dnn_sub_conv_params_init(&sp, &p);
    auto runs = precisionRuns(op.getWeightBits(), p.m);
    lw.sub = true;
    lw.ngroups = runs.size();
    lw.groups = groupTable(
        ctx, runs, [&](int32_t bits, int32_t m) { return dnn_sub_conv_packed_size(&sp, bits, m); },
        [&](int32_t bits, int32_t m0, int32_t m, uint8_t *packed, dnn_s8_chan *chan) {
          dnn_sub_conv_pack(&sp, bits, m0, m, w.data(), bias.empty() ? nullptr : bias.data(),
                            mult.data(), shift.data(), packed, chan);
        });
    return lw;
  }
  std::vector<int8_t> packed(dnn_s8_conv_packed_size(&p));
  std::vector<dnn_s8_chan> chan(p.m);
  dnn_s8_conv_pack(&p, w.data(), bias.empty() ? nullptr : bias.data(), mult.data(), shift.data(),
                   packed.data(), chan.data());
  lw.w = ctx.wordArray("qconv_w", packed.data(), packed.size());
  lw.chan = ctx.wordArray("qconv_chan", chan.data(), chan.size() * sizeof(dnn_s8_chan));
  return lw;
}

FailureOr<LayerWeights> packFcWeights(CEmitContext &ctx, QFullyConnectedOp op,
                                      const dnn_s8_fc_params &p) {
  std::vector<int8_t> w;
  std::vector<int32_t> bias, mult, shift;
  if (failed(layerConstants(op, op.getWeight(), op.getBias(), w, bias))) return failure();
  multipliers(op.getScale(), p.out_features, mult, shift);
  LayerWeights lw;
  if (!allInt8(op.getWeightBits())) {
    dnn_sub_fc_params sp;
    dnn_sub_fc_params_init(&sp, &p);
    auto runs = precisionRuns(op.getWeightBits(), p.out_features);
    lw.sub = true;
    lw.ngroups = runs.size();
    lw.groups = groupTable(
        ctx, runs, [&](int32_t bits, int32_t n) { return dnn_sub_fc_packed_size(&sp, bits, n); },
        [&](int32_t bits, int32_t n0, int32_t n, uint8_t *packed, dnn_s8_chan *chan) {
          dnn_sub_fc_pack(&sp, bits, n0, n, w.data(), 1, bias.empty() ? nullptr : bias.data(),
                          mult.data(), shift.data(), packed, chan);
        });
    return lw;
  }
  std::vector<int8_t> packed(dnn_s8_fc_packed_size(&p));
  std::vector<dnn_s8_chan> chan(p.out_features);
  dnn_s8_fc_pack(&p, w.data(), 1, bias.empty() ? nullptr : bias.data(), mult.data(), shift.data(),
                 packed.data(), chan.data());
  lw.w = ctx.wordArray("qfc_w", packed.data(), packed.size());
  lw.chan = ctx.wordArray("qfc_chan", chan.data(), chan.size() * sizeof(dnn_s8_chan));
  return lw;
}

FailureOr<std::pair<float, int64_t>> perTensorParams(Operation *op, Value scale, Value zeroPoint) {
  if (numElements(scale) != 1 || (zeroPoint && numElements(zeroPoint) != 1))
    return op->emitError("C backend: unsupported per-axis quantization parameters");
  if (failed(requireConstant(op, scale, "scale")) ||
      (zeroPoint && failed(requireConstant(op, zeroPoint, "zero point"))))
    return failure();
  std::vector<float> sv = constantFloats(scale);
  int64_t zp = zeroPoint ? constantInts(zeroPoint).front() : 0;
  if (sv.empty() || !(sv[0] > 0.0f))
    return op->emitError("C backend: quantization scale must be positive");
  return std::make_pair(sv[0], zp);
}

} // namespace dnnopt::cemit
