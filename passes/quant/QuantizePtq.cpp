//===- QuantizePtq.cpp - post-training int8 quantization from calibration data -===//
//
// -dnn-quantize-ptq turns a float model into the QDQ form quantizers export, from
// statistics the reference engine collects on calibration inputs; -dnn-lower-quant
// (run by the C backend) then makes it integer. So dnnopt's own PTQ and an
// imported quantized model take the same road to the int8 kernels.
//
//===----------------------------------------------------------------------===//
#include "engine/Interpreter.h"
#include "engine/Npy.h"
#include "passes/PassUtils.h"
#include "passes/Passes.h"
#include "passes/quant/QuantInfo.h"

#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace dnnopt {
#define GEN_PASS_DEF_DNNQUANTIZEPTQ
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;
using engine::Tensor;

namespace {

/// Running statistics of one activation tensor: min / max, and a bounded uniform
/// sample of its values for percentiles (reservoir sampling, seeded).
struct Stats {
  double lo = INFINITY, hi = -INFINITY;
  std::vector<float> sample;
  int64_t seen = 0;
};

constexpr int64_t kSampleCap = 1 << 16;

void observe(Stats &s, const Tensor &t, std::mt19937_64 &rng, bool keepSample) {
  for (float v : t.f) {
    if (!std::isfinite(v)) continue;
    s.lo = std::min(s.lo, (double)v);
    s.hi = std::max(s.hi, (double)v);
    if (!keepSample) continue;
    ++s.seen;
    if ((int64_t)s.sample.size() < kSampleCap) {
      s.sample.push_back(v);
    } else {
      std::uniform_int_distribution<int64_t> pick(0, s.seen - 1);
      int64_t j = pick(rng);
      if (j < kSampleCap) s.sample[j] = v;
    }
  }
}

/// [lo, hi] of the central `percentile` % of the values (100: min / max).
std::pair<double, double> range(Stats &s, double percentile) {
  if (percentile >= 100.0 || s.sample.empty()) return {s.lo, s.hi};
  std::sort(s.sample.begin(), s.sample.end());
  double tail = (100.0 - percentile) / 200.0;
  size_t n = s.sample.size();
  size_t a = (size_t)std::floor(tail * (double)(n - 1)), b = (size_t)std::ceil((1.0 - tail) * (double)(n - 1));
  return {s.sample[a], s.sample[b]};
}

/// Per-tensor parameters of an activation: scale, zero point, width.
struct ActParams {
  double scale = 1.0;
  int64_t zp = 0, bits = 8;
};

/// Asymmetric signed `bits`-wide parameters of [lo, hi] (widened to hold 0, so zero is
/// exact): scale (hi - lo) / (2^bits - 1), zero point round(-2^(bits-1) - lo / scale).
ActParams actParams(double lo, double hi, int64_t bits) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  double qmin = -std::ldexp(1.0, (int)bits - 1), qmax = -qmin - 1;
  double scale = (hi - lo) / (qmax - qmin);
  if (!(scale > 0) || !std::isfinite(scale)) scale = 1.0;
  double zp = std::nearbyint(qmin - lo / scale);
  return {scale, (int64_t)std::clamp(zp, qmin, qmax), bits};
}

/// A scalar zero point constant of a signed `bits`-wide type (i8, i4, i2): its type
/// makes quantize_linear's result that type.
Value zeroPointConstant(OpBuilder &b, Location loc, int64_t zp, int64_t bits) {
  auto type = RankedTensorType::get({}, b.getIntegerType((unsigned)bits));
  APInt v((unsigned)bits, (uint64_t)zp, /*isSigned=*/true);
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, ArrayRef<APInt>(v))).getResult();
}

/// The activations that stay int8 whatever `act-bits` says: the graph's inputs and
/// outputs, and what shares their parameters through ops that keep their input's
/// range (so the first layer reads int8 and the last writes int8).
llvm::DenseSet<Value> int8Borders(func::FuncOp func, bool (*keepsRange)(Operation *)) {
  llvm::DenseSet<Value> out;
  for (BlockArgument a : func.getArguments()) out.insert(a);
  func.walk([&](func::ReturnOp ret) {
    for (Value x : ret.getOperands()) {
      while (true) {
        out.insert(x);
        Operation *def = x.getDefiningOp();
        if (!def || !keepsRange(def)) break;
        x = def->getOperand(0);
      }
    }
  });
  // (The range-keeping consumers of a border tensor take its parameters anyway.)
  return out;
}

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

/// Ops whose output has the range of their first input: it keeps the input's
/// quantization parameters (no requantization in integer code).
bool keepsInputRange(Operation *op) {
  return isa<MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, GlobalMaxPoolOp, ReshapeOp, TransposeOp>(op);
}

/// Per-channel symmetric weights of `bits` bits (8, 4 or 2): the weight operand
/// becomes dequantize_linear(int8 constant, scales) along `axis`, values in
/// [-(2^(bits-1) - 1), 2^(bits-1) - 1] (2 bits: ternary).
void quantizeWeights(OpOperand &operand, int64_t axis, int64_t bits) {
  const double qmax = (double)((int64_t(1) << (bits - 1)) - 1);
  Value w = operand.get();
  auto values = passutil::getF32Constant(w);
  if (!values) return;
  auto type = cast<RankedTensorType>(w.getType());
  int64_t channels = type.getDimSize(axis), inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d) inner *= type.getDimSize(d);
  std::vector<double> maxAbs(channels, 0.0);
  for (size_t k = 0; k < values->size(); ++k) {
    int64_t c = (int64_t)(k / inner) % channels;
    maxAbs[c] = std::max(maxAbs[c], (double)std::fabs((*values)[k]));
  }
  std::vector<float> scales(channels);
  for (int64_t c = 0; c < channels; ++c) scales[c] = maxAbs[c] > 0 ? (float)(maxAbs[c] / qmax) : 1.0f;
  std::vector<int8_t> q(values->size());
  for (size_t k = 0; k < values->size(); ++k) {
    int64_t c = (int64_t)(k / inner) % channels;
    double v = std::nearbyint((double)(*values)[k] / (double)scales[c]);
    q[k] = (int8_t)std::clamp(v, -qmax, qmax);
  }
  OpBuilder b(operand.getOwner());
  Location loc = w.getLoc();
  Value qc = quant::createI8Constant(b, loc, type.getShape(), q);
  Value sc = passutil::createF32Constant(b, loc, {channels}, scales);
  Value dq = DequantizeLinearOp::create(b, loc, ValueRange{qc, sc},
                                        {b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                                         b.getNamedAttr("bits", b.getI64IntegerAttr(bits))})
                 .getResult();
  operand.set(dq);
}

struct DnnQuantizePtq : ::dnnopt::impl::DnnQuantizePtqBase<DnnQuantizePtq> {
  using DnnQuantizePtqBase::DnnQuantizePtqBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    if (funcs.size() != 1) {
      module.emitError("dnn-quantize-ptq: expected one function, found ") << funcs.size();
      return signalPassFailure();
    }
    func::FuncOp func = funcs.front();
    Operation *quantOp = nullptr;
    func.walk([&](Operation *op) {
      if (!quantOp && isa<QuantizeLinearOp, DequantizeLinearOp, QLinearConvOp, QLinearMatMulOp>(op))
        quantOp = op;
    });
    if (quantOp) {
      quantOp->emitError("dnn-quantize-ptq: the model is already quantized (it has QuantizeLinear / "
                         "DequantizeLinear / QLinear ops)");
      return signalPassFailure();
    }
    if (calibration.empty()) {
      func.emitError("dnn-quantize-ptq: no calibration data (calibration=FILE.npz)");
      return signalPassFailure();
    }
    if (weightBits != 8 && weightBits != 4 && weightBits != 2) {
      func.emitError("dnn-quantize-ptq: weight-bits must be 8, 4 or 2, got ") << (int64_t)weightBits;
      return signalPassFailure();
    }
    if (actBits != 8 && actBits != 4 && actBits != 2) {
      func.emitError("dnn-quantize-ptq: act-bits must be 8, 4 or 2, got ") << (int64_t)actBits;
      return signalPassFailure();
    }
    if (!(percentile > 0.0 && percentile <= 100.0)) {
      func.emitError("dnn-quantize-ptq: percentile must be in (0, 100], got ") << percentile;
      return signalPassFailure();
    }

    auto samples = calibrationInputs(func);
    if (failed(samples)) return signalPassFailure();

    // 1. Statistics of every float activation over the calibration set.
    llvm::DenseMap<Value, Stats> stats;
    std::mt19937_64 rng(0x5eed);
    for (const std::vector<Tensor> &inputs : *samples) {
      std::string err;
      auto r = engine::runFunction(func, inputs, err, [&](Value v, const Tensor &t) {
        if (isFloatTensor(v) && !v.getDefiningOp<ConstantOp>())
          observe(stats[v], t, rng, percentile < 100.0);
      });
      if (failed(r)) {
        func.emitError("dnn-quantize-ptq: calibration run failed: ") << err;
        return signalPassFailure();
      }
    }

    // 2. Weights: per-channel symmetric int8.
    func.walk([&](Operation *op) {
      if (auto c = dyn_cast<ConvOp>(op)) quantizeWeights(c->getOpOperand(1), 0, weightBits);
      else if (auto g = dyn_cast<GemmOp>(op))
        quantizeWeights(g->getOpOperand(1), g.getTransB() ? 0 : 1, weightBits);
      else if (auto m = dyn_cast<MatMulOp>(op);
               m && cast<RankedTensorType>(m.getB().getType()).getRank() == 2)
        quantizeWeights(m->getOpOperand(1), 1, weightBits);
    });

    // 3. Activations: quantize_linear -> dequantize_linear after every producer.
    SmallVector<Value> activations;
    for (BlockArgument a : func.getArguments())
      if (isFloatTensor(a)) activations.push_back(a);
    func.walk([&](Operation *op) {
      if (isa<ConstantOp, DequantizeLinearOp>(op)) return;
      for (Value r : op->getResults())
        if (isFloatTensor(r)) activations.push_back(r);
    });
    // All parameters first, on the float graph: an op that keeps its input's range
    // (pooling, layout) takes its input's parameters, so an average pool stays on one
    // scale and lowers to the integer kernel.
    // Hidden activations get `act-bits` bits, the borders int8.
    llvm::DenseSet<Value> borders = int8Borders(func, keepsInputRange);
    llvm::DenseMap<Value, ActParams> params;
    for (Value v : activations) {
      Operation *def = v.getDefiningOp();
      if (def && keepsInputRange(def) && params.count(def->getOperand(0))) {
        params[v] = params[def->getOperand(0)];
      } else {
        auto it = stats.find(v);
        if (it == stats.end() || !(it->second.lo <= it->second.hi)) continue;
        auto [lo, hi] = range(it->second, percentile);
        params[v] = actParams(lo, hi, borders.contains(v) ? 8 : (int64_t)actBits);
      }
    }
    for (Value v : activations) {
      if (!params.count(v)) continue;
      Operation *def = v.getDefiningOp();
      auto [scale, zp, bits] = params[v];
      OpBuilder b(func.getContext());
      if (def) b.setInsertionPointAfter(def);
      else b.setInsertionPointToStart(&func.getBody().front());
      Location loc = def ? def->getLoc() : func.getLoc();
      Value s = passutil::createF32Constant(b, loc, {}, {(float)scale});
      Value z = zeroPointConstant(b, loc, zp, bits);
      NamedAttribute attrs[] = {b.getNamedAttr("axis", b.getI64IntegerAttr(1)),
                                b.getNamedAttr("bits", b.getI64IntegerAttr(bits))};
      Value q = QuantizeLinearOp::create(b, loc, ValueRange{v, s, z}, attrs).getResult();
      Value d = DequantizeLinearOp::create(b, loc, ValueRange{q, s, z}, attrs).getResult();
      v.replaceAllUsesExcept(d, q.getDefiningOp());
    }

    // 4. Biases: int32 at input_scale * weight_scale[m], as quantizers export them.
    func.walk([&](Operation *op) {
      if (auto c = dyn_cast<ConvOp>(op); c && c.getBias())
        quantizeBias(c->getOpOperand(2), c.getInput(), c.getWeight());
      else if (auto g = dyn_cast<GemmOp>(op); g && g.getC())
        quantizeBias(g->getOpOperand(2), g.getA(), g.getB());
    });
    // The float weights and biases replaced above.
    SmallVector<Operation *> dead;
    func.walk([&](ConstantOp c) {
      if (c->use_empty()) dead.push_back(c);
    });
    for (Operation *op : dead) op->erase();
  }

  /// A float constant bias becomes dequantize_linear(int32, x_scale * w_scale[m]).
  static void quantizeBias(OpOperand &bias, Value x, Value w) {
    auto b = passutil::getF32Constant(bias.get());
    auto xdq = x.getDefiningOp<DequantizeLinearOp>();
    auto wdq = w.getDefiningOp<DequantizeLinearOp>();
    if (!b || !xdq || !wdq) return;
    auto xs = quant::constantScalar(xdq.getScale());
    auto ws = quant::constantValues(wdq.getScale());
    if (!xs || !ws || (ws->size() != 1 && ws->size() != b->size())) return;
    std::vector<int32_t> q(b->size());
    std::vector<float> scales(b->size());
    for (size_t m = 0; m < b->size(); ++m) {
      scales[m] = (float)(*xs * (*ws)[ws->size() == 1 ? 0 : m]);
      double v = std::nearbyint((double)(*b)[m] / (double)scales[m]);
      if (!(std::fabs(v) < 1073741824.0)) return; // keep a bias int32 cannot hold in float
      q[m] = (int32_t)v;
    }
    auto type = cast<RankedTensorType>(bias.get().getType());
    OpBuilder bld(bias.getOwner());
    Location loc = bias.get().getLoc();
    Value qc = quant::createI32Constant(bld, loc, type.getShape(), q);
    int64_t n = (int64_t)scales.size();
    Value sc = passutil::createF32Constant(bld, loc, {n}, scales);
    int64_t axis = type.getRank() - 1;
    bias.set(DequantizeLinearOp::create(bld, loc, ValueRange{qc, sc},
                                        {bld.getNamedAttr("axis", bld.getI64IntegerAttr(axis)),
                                         bld.getNamedAttr("bits", bld.getI64IntegerAttr(32))})
                 .getResult());
  }

  /// The calibration samples: one vector of inputs per sample. Each model input
  /// reads the array of its name (or `x` when the model has one input) of shape
  /// [N, ...] matching the input's shape with N in place of its batch of 1.
  FailureOr<std::vector<std::vector<Tensor>>> calibrationInputs(func::FuncOp func) {
    std::string err;
    auto arrays = engine::readNpz(calibration, err);
    if (failed(arrays)) {
      func.emitError("dnn-quantize-ptq: ") << err;
      return failure();
    }
    std::vector<std::vector<Tensor>> samples;
    int64_t count = -1;
    std::vector<const Tensor *> sources;
    for (BlockArgument a : func.getArguments()) {
      auto type = cast<RankedTensorType>(a.getType());
      auto nameAttr = func.getArgAttrOfType<StringAttr>(a.getArgNumber(), "dnn.name");
      std::string name = nameAttr ? nameAttr.str() : "input" + std::to_string(a.getArgNumber());
      auto it = arrays->find(name);
      if (it == arrays->end() && func.getNumArguments() == 1) it = arrays->find("x");
      if (it == arrays->end()) {
        func.emitError("dnn-quantize-ptq: ") << calibration << " has no array '" << name << "'"
                                              << (func.getNumArguments() == 1 ? " or 'x'" : "")
                                              << " for the model input '" << name << "'";
        return failure();
      }
      const Tensor &t = it->second;
      std::vector<int64_t> want(type.getShape().begin(), type.getShape().end());
      bool fits = engine::isFloat(t.dtype) && !want.empty() && want[0] == 1 &&
                  t.rank() == (int64_t)want.size() &&
                  std::equal(want.begin() + 1, want.end(), t.shape.begin() + 1);
      if (!fits) {
        std::string expect = "[N";
        for (size_t d = 1; d < want.size(); ++d) expect += "," + std::to_string(want[d]);
        func.emitError("dnn-quantize-ptq: calibration array '")
            << it->first << "' is " << engine::dtypeName(t.dtype) << " "
            << engine::shapeString(t.shape) << "; the model input '" << name << "' is "
            << engine::shapeString(std::vector<int64_t>(type.getShape().begin(), type.getShape().end()))
            << ", so the calibration data must be float " << expect << "]";
        return failure();
      }
      if (count >= 0 && t.shape[0] != count) {
        func.emitError("dnn-quantize-ptq: calibration arrays hold different numbers of samples");
        return failure();
      }
      count = t.shape[0];
      sources.push_back(&t);
    }
    if (count <= 0) {
      func.emitError("dnn-quantize-ptq: ") << calibration << " holds no samples";
      return failure();
    }
    if (maxSamples > 0) count = std::min<int64_t>(count, maxSamples);
    for (int64_t n = 0; n < count; ++n) {
      std::vector<Tensor> inputs;
      for (const Tensor *src : sources) {
        std::vector<int64_t> shape = src->shape;
        shape[0] = 1;
        Tensor t(engine::DType::F32, shape);
        int64_t per = t.numel();
        for (int64_t k = 0; k < per; ++k) t.f[k] = (float)src->at(n * per + k);
        inputs.push_back(std::move(t));
      }
      samples.push_back(std::move(inputs));
    }
    return samples;
  }
};

} // namespace
