//===- Pit.cpp - PIT masks, cost and export -------------------------------===//
#include "passes/search/Pit.h"

#include "dialects/dnn/DnnOps.h"
#include "engine/Tensor.h"
#include "passes/search/Ops.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <sstream>

using namespace mlir;

namespace dnnopt::search {

namespace {

float sgn(float v) { return v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f); }

bool isPassThrough(Operation *op, unsigned operand) {
  if (isa<dnn::BatchNormOp>(op)) return operand == 0;
  return isa<dnn::ReluOp, dnn::ClipOp, dnn::SigmoidOp, dnn::TanhOp, dnn::LeakyReluOp, dnn::AvgPoolOp,
             dnn::MaxPoolOp, dnn::IdentityOp, dnn::DropoutOp>(op) &&
         operand == 0;
}

struct Sink {
  Operation *op;
  int64_t factor; ///< gemm: columns per channel
};

/// Follows the channels of `v` to the ops that consume them as input channels.
bool traceSinks(Value v, std::vector<Operation *> &chain, std::vector<Sink> &sinks) {
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    unsigned n = use.getOperandNumber();
    if (isPassThrough(user, n)) {
      if (!llvm::is_contained(chain, user)) chain.push_back(user);
      if (!traceSinks(user->getResult(0), chain, sinks)) return false;
      continue;
    }
    if (auto conv = dyn_cast<dnn::ConvOp>(user)) {
      if (n != 0 || conv.getGroup() != 1) return false;
      sinks.push_back({user, 1});
      continue;
    }
    if (auto rs = dyn_cast<dnn::ReshapeOp>(user)) {
      auto in = cast<RankedTensorType>(rs.getInput().getType());
      auto out = cast<RankedTensorType>(rs.getType());
      if (in.getRank() < 3 || out.getRank() != 2 || out.getDimSize(0) != in.getDimSize(0)) return false;
      int64_t factor = 1;
      for (int64_t d = 2; d < in.getRank(); ++d) factor *= in.getDimSize(d);
      for (OpOperand &u2 : rs.getResult().getUses()) {
        auto gemm = dyn_cast<dnn::GemmOp>(u2.getOwner());
        if (!gemm || u2.getOperandNumber() != 0 || gemm.getTransA()) return false;
        if (!gemm.getB().getDefiningOp<dnn::ConstantOp>()) return false;
        sinks.push_back({gemm, factor});
      }
      if (!llvm::is_contained(chain, user)) chain.push_back(user);
      continue;
    }
    return false; // func.return, add, concat, ...: channels not prunable here
  }
  return true;
}

/// A function op computing a mask from parameters.
std::unique_ptr<Op> channelMaskOp(int64_t cout, int64_t spatialRank) {
  Shape shape{cout};
  for (int64_t i = 0; i < spatialRank; ++i) shape.push_back(1);
  return makeFunctionOp(
      "pit.channel_mask",
      [shape](ArrayRef<const Tensor *> in, Tensor &out, const RunContext &, std::string &) {
        out.reshape(shape);
        const Tensor &a = *in[0];
        for (int64_t c = 0; c < a.numel(); ++c) out[c] = (c == 0 || std::fabs(a[c]) > 0.5f) ? 1.0f : 0.0f;
        return success();
      },
      [](ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout, ArrayRef<Tensor *> gin) {
        if (!gin[0]) return;
        const Tensor &a = *in[0];
        for (int64_t c = 1; c < a.numel(); ++c) (*gin[0])[c] += sgn(a[c]) * gout[c];
      });
}

std::unique_ptr<Op> timeMaskOp(int64_t K) {
  return makeFunctionOp(
      "pit.time_mask",
      [K](ArrayRef<const Tensor *> in, Tensor &out, const RunContext &, std::string &) {
        out.reshape({1, 1, K});
        std::vector<float> m = Pit::timeMask(in[0]->data, in[1]->data);
        for (int64_t j = 0; j < K; ++j) out[K - 1 - j] = m[j];
        return success();
      },
      [K](ArrayRef<const Tensor *> in, const Tensor &, const Tensor &gout, ArrayRef<Tensor *> gin) {
        const std::vector<float> &beta = in[0]->data, &gamma = in[1]->data;
        int64_t L = (int64_t)gamma.size();
        std::vector<double> tb = Pit::thetaBeta(beta), tg = Pit::thetaGamma(gamma, K);
        std::vector<double> gtb(K, 0.0), gtg(K, 0.0);
        for (int64_t j = 0; j < K; ++j) {
          double gm = gout[K - 1 - j];
          bool hb = j == 0 || tb[j] > 0.5, hg = Pit::covers(L, 0, j) || tg[j] > 0.5;
          if (j != 0) gtb[j] = gm * (hg ? 1.0 : 0.0);
          if (!Pit::covers(L, 0, j)) gtg[j] = gm * (hb ? 1.0 : 0.0);
        }
        if (gin[0]) {
          double acc = 0;
          for (int64_t i = 0; i < K; ++i) {
            acc += gtb[i]; // d theta_j / d beta_i = sign for j <= i
            (*gin[0])[i] += sgn(beta[i]) * (float)acc;
          }
        }
        if (gin[1])
          for (int64_t l = 0; l < L; ++l) {
            double acc = 0;
            for (int64_t j = 0; j < K; ++j)
              if (Pit::covers(L, l, j)) acc += gtg[j];
            (*gin[1])[l] += sgn(gamma[l]) * (float)acc;
          }
      });
}

std::vector<float> floatsOf(Value v) {
  auto cst = v.getDefiningOp<dnn::ConstantOp>();
  auto t = engine::Tensor::fromAttr(cst.getValue());
  return succeeded(t) ? t->f : std::vector<float>();
}

Value makeConst(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elem, const std::vector<float> &data) {
  auto type = RankedTensorType::get(shape, elem);
  DenseElementsAttr attr;
  if (elem.isF32()) attr = DenseElementsAttr::get(type, llvm::ArrayRef<float>(data));
  else {
    std::vector<double> d(data.begin(), data.end());
    attr = DenseElementsAttr::get(type, llvm::ArrayRef<double>(d));
  }
  return dnn::ConstantOp::create(b, loc, attr).getResult();
}

RankedTensorType withDim(Type t, int64_t axis, int64_t size) {
  auto rt = cast<RankedTensorType>(t);
  SmallVector<int64_t> s(rt.getShape());
  s[axis] = size;
  return RankedTensorType::get(s, rt.getElementType());
}

/// Slices a [C] vector operand by `keep`.
void sliceVectorOperand(OpBuilder &b, Operation *op, unsigned operand, const std::vector<int64_t> &keep) {
  Value v = op->getOperand(operand);
  std::vector<float> d = floatsOf(v), out;
  for (int64_t c : keep) out.push_back(d[c]);
  b.setInsertionPoint(op);
  Type elem = cast<RankedTensorType>(v.getType()).getElementType();
  op->setOperand(operand, makeConst(b, op->getLoc(), {(int64_t)keep.size()}, elem, out));
}

} // namespace

// -- Mask math -------------------------------------------------------------------

std::vector<double> Pit::thetaBeta(const std::vector<float> &beta) {
  std::vector<double> t(beta.size());
  double acc = 0;
  for (int64_t j = (int64_t)beta.size() - 1; j >= 0; --j) t[j] = (acc += std::fabs(beta[j]));
  return t;
}

std::vector<double> Pit::thetaGamma(const std::vector<float> &gamma, int64_t K) {
  int64_t L = (int64_t)gamma.size();
  std::vector<double> t(K, 0.0);
  for (int64_t j = 0; j < K; ++j)
    for (int64_t l = 0; l < L; ++l)
      if (covers(L, l, j)) t[j] += std::fabs(gamma[l]);
  return t;
}

double Pit::kEff(const std::vector<float> &beta, const std::vector<float> &gamma) {
  int64_t K = (int64_t)beta.size(), L = (int64_t)gamma.size();
  std::vector<double> tb = thetaBeta(beta), tg = thetaGamma(gamma, K);
  double k = 0;
  for (int64_t j = 0; j < K; ++j) {
    int64_t n = 0;
    for (int64_t l = 0; l < L; ++l) n += covers(L, l, j);
    k += tb[j] / double(K - j) * tg[j] / double(n);
  }
  return k;
}

std::vector<float> Pit::timeMask(const std::vector<float> &beta, const std::vector<float> &gamma) {
  int64_t K = (int64_t)beta.size(), L = (int64_t)gamma.size();
  std::vector<double> tb = thetaBeta(beta), tg = thetaGamma(gamma, K);
  std::vector<float> m(K);
  for (int64_t j = 0; j < K; ++j) {
    bool hb = j == 0 || tb[j] > 0.5, hg = covers(L, 0, j) || tg[j] > 0.5;
    m[j] = hb && hg ? 1.0f : 0.0f;
  }
  return m;
}

// -- Attach ----------------------------------------------------------------------

FailureOr<std::unique_ptr<Pit>> Pit::attach(IRGraph &g, std::string &error) {
  std::unique_ptr<Pit> pit(new Pit(g));
  Graph &gr = g.graph;
  llvm::DenseMap<Operation *, int> layerOf;
  std::vector<std::vector<Sink>> sinksOf;
  g.func.walk([&](dnn::ConvOp conv) {
    if (conv.getGroup() != 1) return;
    ValueId w = g.operandValue(conv, 1);
    if (w < 0 || gr.value(w).kind != ValueKind::Param) return;
    auto wt = cast<RankedTensorType>(conv.getWeight().getType());
    auto ot = cast<RankedTensorType>(conv.getType());
    PitLayer L;
    L.op = conv;
    L.name = describeOp(conv);
    if (auto loc = dyn_cast<NameLoc>(conv.getLoc())) L.name = loc.getName().str();
    L.cout = wt.getDimSize(0);
    L.cin = wt.getDimSize(1);
    L.kernel = 1;
    for (int64_t d = 2; d < wt.getRank(); ++d) L.kernel *= wt.getDimSize(d);
    L.outLen = 1;
    for (int64_t d = 2; d < ot.getRank(); ++d) L.outLen *= ot.getDimSize(d);
    L.bias = (bool)conv.getBias();
    if (wt.getRank() == 3) L.dilation = conv.getDilations()[0];
    std::vector<Sink> sinks;
    bool channels = traceSinks(conv.getResult(), L.chain, sinks);
    if (!channels) {
      L.chain.clear();
      sinks.clear();
    }
    int idx = (int)pit->layers.size();
    layerOf[conv] = idx;
    if (channels && L.cout > 1) {
      L.alpha = gr.addParam(gr.value(w).name + ".pit_alpha", Tensor({L.cout}, 1.0f), "arch");
      // The mask goes at the end of the conv's single-use chain of BatchNorm /
      // activations / pooling (conv -> BN -> ReLU -> mask): a 0/1 mask commutes with
      // them, a masked channel then reads 0 exactly where the exported network has
      // no channel (also after ops with f(0) != 0), and the straight-through gradient
      // is not cut by ReLU's zero slope at 0 (masking before the ReLU would be).
      Value at = conv.getResult();
      while (at.hasOneUse()) {
        OpOperand &use = *at.getUses().begin();
        if (!isPassThrough(use.getOwner(), use.getOperandNumber())) break;
        at = use.getOwner()->getResult(0);
      }
      ValueId target = g.valueOf.lookup(at);
      ValueId mask = gr.addNode(channelMaskOp(L.cout, ot.getRank() - 2), {L.alpha}, L.name + ".pit_channel_mask");
      gr.insertAfter(target, makeBinary(BinaryKind::Mul), {mask}, L.name + ".pit_channel");
    } else {
      sinks.clear();
    }
    // time masks: causal 1-D, stride 1
    auto pads = conv.getPads();
    if (wt.getRank() == 3 && L.kernel >= 2 && conv.getStrides()[0] == 1 && pads.size() == 2 &&
        pads[0] == (L.kernel - 1) * L.dilation && pads[1] == 0) {
      L.L = std::max<int64_t>((int64_t)std::ceil(std::log2((double)L.kernel)), 1);
      L.beta = gr.addParam(gr.value(w).name + ".pit_beta", Tensor({L.kernel}, 1.0f), "arch");
      L.gamma = gr.addParam(gr.value(w).name + ".pit_gamma", Tensor({L.L}, 1.0f), "arch");
      ValueId tm = gr.addNode(timeMaskOp(L.kernel), {L.beta, L.gamma}, L.name + ".pit_time_mask");
      gr.insertBetween(w, g.nodeOf.lookup(conv), makeBinary(BinaryKind::Mul), {tm}, L.name + ".pit_time");
    }
    pit->layers.push_back(std::move(L));
    sinksOf.push_back(std::move(sinks));
  });
  // Wire producers; gemm sinks become layers of their own.
  size_t nConv = pit->layers.size();
  for (size_t i = 0; i < nConv; ++i)
    for (const Sink &s : sinksOf[i]) {
      if (auto it = layerOf.find(s.op); it != layerOf.end()) {
        pit->layers[it->second].producer = (int)i;
        continue;
      }
      auto gemm = cast<dnn::GemmOp>(s.op);
      auto bt = cast<RankedTensorType>(gemm.getB().getType());
      PitLayer L;
      L.op = gemm;
      L.isGemm = true;
      L.name = describeOp(gemm);
      if (auto loc = dyn_cast<NameLoc>(gemm.getLoc())) L.name = loc.getName().str();
      L.cout = gemm.getTransB() ? bt.getDimSize(0) : bt.getDimSize(1);
      L.cin = pit->layers[i].cout;
      L.cinFactor = s.factor;
      L.bias = (bool)gemm.getC();
      L.producer = (int)i;
      layerOf[gemm] = (int)pit->layers.size();
      pit->layers.push_back(std::move(L));
    }
  bool any = llvm::any_of(pit->layers, [](const PitLayer &l) { return l.alpha >= 0 || l.beta >= 0; });
  if (!any) {
    error = "PIT: the model has no searchable convolution (group-1 conv whose channels reach only "
            "BatchNorm / activations / pooling / convs / Flatten+Gemm, or a causal 1-D conv)";
    return failure();
  }
  return pit;
}

// -- Cost ------------------------------------------------------------------------

double Pit::cost(PitCost kind, bool addGrad, double scale) {
  Graph &gr = ir.graph;
  size_t n = layers.size();
  std::vector<double> coutEff(n), gCout(n, 0.0), kEffs(n), gK(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const PitLayer &l = layers[i];
    if (l.alpha >= 0) {
      double s = 0;
      for (float a : gr.data(l.alpha).data) s += std::fabs(a);
      coutEff[i] = s;
    } else coutEff[i] = (double)l.cout;
    kEffs[i] = l.beta >= 0 ? kEff(gr.data(l.beta).data, gr.data(l.gamma).data) : (double)l.kernel;
  }
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    const PitLayer &l = layers[i];
    double cin = l.producer >= 0 ? coutEff[l.producer] : (double)l.cin;
    double m = kind == PitCost::Macs ? (double)l.outLen : 1.0;
    double f = (double)l.cinFactor, b = l.bias ? 1.0 : 0.0;
    total += coutEff[i] * (cin * kEffs[i] * f + b) * m;
    gCout[i] += (cin * kEffs[i] * f + b) * m;
    if (l.producer >= 0) gCout[l.producer] += coutEff[i] * kEffs[i] * f * m;
    gK[i] += coutEff[i] * cin * f * m;
  }
  if (!addGrad) return total;
  for (size_t i = 0; i < n; ++i) {
    const PitLayer &l = layers[i];
    if (l.alpha >= 0) {
      Tensor &a = gr.data(l.alpha), &ga = gr.grad(l.alpha);
      if (ga.numel() != a.numel()) ga.reshape(a.shape, 0.0f);
      for (int64_t c = 0; c < a.numel(); ++c) ga[c] += (float)(scale * gCout[i] * sgn(a[c]));
    }
    if (l.beta >= 0) {
      const std::vector<float> &beta = gr.data(l.beta).data, &gamma = gr.data(l.gamma).data;
      int64_t K = l.kernel, L = l.L;
      std::vector<double> tb = thetaBeta(beta), tg = thetaGamma(gamma, K);
      std::vector<double> cnt(K, 0.0);
      for (int64_t j = 0; j < K; ++j)
        for (int64_t q = 0; q < L; ++q) cnt[j] += covers(L, q, j);
      Tensor &gb = gr.grad(l.beta), &gg = gr.grad(l.gamma);
      if (gb.numel() != K) gb.reshape({K}, 0.0f);
      if (gg.numel() != L) gg.reshape({L}, 0.0f);
      double acc = 0;
      for (int64_t i2 = 0; i2 < K; ++i2) {
        acc += tg[i2] / cnt[i2] / double(K - i2); // dk/dtheta_beta_j for j <= i2
        gb[i2] += (float)(scale * gK[i] * sgn(beta[i2]) * acc);
      }
      for (int64_t q = 0; q < L; ++q) {
        double s = 0;
        for (int64_t j = 0; j < K; ++j)
          if (covers(L, q, j)) s += tb[j] / double(K - j) / cnt[j];
        gg[q] += (float)(scale * gK[i] * sgn(gamma[q]) * s);
      }
    }
  }
  return total;
}

PitDecision Pit::decide(int i) const {
  const PitLayer &l = layers[i];
  const Graph &gr = ir.graph;
  PitDecision d;
  for (int64_t c = 0; c < l.cout; ++c)
    if (l.alpha < 0 || c == 0 || std::fabs(gr.data(l.alpha)[c]) > 0.5f) d.keepOut.push_back(c);
  d.kernel = l.kernel;
  d.dilation = l.dilation;
  if (l.beta < 0) {
    for (int64_t t = 0; t < l.kernel; ++t) d.taps.push_back(t);
    return d;
  }
  const std::vector<float> &beta = gr.data(l.beta).data, &gamma = gr.data(l.gamma).data;
  int64_t K = l.kernel;
  std::vector<float> m = timeMask(beta, gamma);
  std::vector<double> tg = thetaGamma(gamma, K);
  int64_t run = 0, longest = 0;
  for (int64_t j = 0; j < K; ++j) {
    bool hg = covers(l.L, 0, j) || tg[j] > 0.5;
    run = hg ? 0 : run + 1;
    longest = std::max(longest, run);
  }
  for (int64_t j = K - 1; j >= 0; --j)
    if (m[j] > 0) d.taps.push_back(K - 1 - j);
  d.kernel = (int64_t)d.taps.size();
  d.dilation = d.kernel > 1 ? (longest + 1) * l.dilation : l.dilation;
  return d;
}

double Pit::exportedCost(PitCost kind) const {
  double total = 0;
  std::vector<PitDecision> ds;
  for (size_t i = 0; i < layers.size(); ++i) ds.push_back(decide((int)i));
  for (size_t i = 0; i < layers.size(); ++i) {
    const PitLayer &l = layers[i];
    double cin = l.producer >= 0 ? (double)ds[l.producer].keepOut.size() : (double)l.cin;
    double m = kind == PitCost::Macs ? (double)l.outLen : 1.0;
    total += (double)ds[i].keepOut.size() * (cin * ds[i].kernel * l.cinFactor + (l.bias ? 1 : 0)) * m;
  }
  return total;
}

std::string Pit::keptSummary() const {
  std::ostringstream os;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].isGemm) continue;
    PitDecision d = decide((int)i);
    if (i) os << ' ';
    os << d.keepOut.size();
    if (layers[i].beta >= 0) os << "/k" << d.kernel << "d" << d.dilation;
  }
  return os.str();
}

// -- Export ----------------------------------------------------------------------

LogicalResult Pit::exportIR(std::string &error) {
  if (failed(writeBack(ir, error))) return failure();
  std::vector<PitDecision> ds;
  for (size_t i = 0; i < layers.size(); ++i) ds.push_back(decide((int)i));
  OpBuilder b(ir.func.getContext());
  for (size_t i = 0; i < layers.size(); ++i) {
    const PitLayer &l = layers[i];
    const PitDecision &d = ds[i];
    std::vector<int64_t> keepIn;
    if (l.producer >= 0) keepIn = ds[l.producer].keepOut;
    else
      for (int64_t c = 0; c < l.cin; ++c) keepIn.push_back(c);
    if (l.isGemm) {
      auto gemm = cast<dnn::GemmOp>(l.op);
      Value bv = gemm.getB();
      auto bt = cast<RankedTensorType>(bv.getType());
      std::vector<float> w = floatsOf(bv), out;
      std::vector<int64_t> cols;
      for (int64_t c : keepIn)
        for (int64_t t = 0; t < l.cinFactor; ++t) cols.push_back(c * l.cinFactor + t);
      int64_t K = bt.getDimSize(gemm.getTransB() ? 1 : 0), N = l.cout;
      SmallVector<int64_t> shape;
      if (gemm.getTransB()) {
        for (int64_t r = 0; r < N; ++r)
          for (int64_t c : cols) out.push_back(w[r * K + c]);
        shape = {N, (int64_t)cols.size()};
      } else {
        for (int64_t c : cols)
          for (int64_t r = 0; r < N; ++r) out.push_back(w[c * N + r]);
        shape = {(int64_t)cols.size(), N};
      }
      b.setInsertionPoint(gemm);
      gemm->setOperand(1, makeConst(b, gemm.getLoc(), shape, bt.getElementType(), out));
      continue;
    }
    auto conv = cast<dnn::ConvOp>(l.op);
    auto wt = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t cin = wt.getDimSize(1), ksz = l.kernel;
    std::vector<float> w = floatsOf(conv.getWeight()), out;
    if (w.empty()) {
      error = describeOp(conv) + ": PIT export needs a constant weight";
      return failure();
    }
    for (int64_t co : d.keepOut)
      for (int64_t ci : keepIn)
        for (int64_t t : d.taps) out.push_back(w[(co * cin + ci) * ksz + t]);
    SmallVector<int64_t> shape{(int64_t)d.keepOut.size(), (int64_t)keepIn.size()};
    if (wt.getRank() == 3) shape.push_back(d.kernel);
    else
      for (int64_t a = 2; a < wt.getRank(); ++a) shape.push_back(wt.getDimSize(a));
    b.setInsertionPoint(conv);
    conv->setOperand(1, makeConst(b, conv.getLoc(), shape, wt.getElementType(), out));
    if (conv.getBias()) sliceVectorOperand(b, conv, 2, d.keepOut);
    if (l.beta >= 0) {
      conv.setDilations({d.dilation});
      conv.setPads({(d.kernel - 1) * d.dilation, 0});
    }
    int64_t cout = (int64_t)d.keepOut.size();
    conv.getResult().setType(withDim(conv.getType(), 1, cout));
    if (l.alpha < 0) continue;
    for (Operation *op : l.chain) {
      if (isa<dnn::BatchNormOp>(op))
        for (unsigned k = 1; k <= 4; ++k) sliceVectorOperand(b, op, k, d.keepOut);
      if (auto rs = dyn_cast<dnn::ReshapeOp>(op)) {
        auto in = cast<RankedTensorType>(rs.getInput().getType());
        int64_t per = 1;
        for (int64_t a = 2; a < in.getRank(); ++a) per *= in.getDimSize(a);
        rs.setShape({in.getDimSize(0), cout * per});
        rs.getResult().setType(withDim(rs.getType(), 1, cout * per));
        continue;
      }
      op->getResult(0).setType(withDim(op->getResult(0).getType(), 1, cout));
    }
  }
  // gemm result types do not change; drop dead constants.
  SmallVector<Operation *> dead;
  ir.func.walk([&](dnn::ConstantOp c) {
    if (c->use_empty()) dead.push_back(c);
  });
  for (Operation *op : dead) op->erase();
  if (failed(verify(ir.func))) {
    error = "PIT export produced an invalid function";
    return failure();
  }
  return success();
}

} // namespace dnnopt::search
