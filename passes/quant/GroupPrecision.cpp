//===- GroupPrecision.cpp - contiguous precision groups, pruned channels ---===//
//
// -dnn-group-precision (docs/quantization.md, "Precision groups"). A layer whose
// output channels carry different weight widths runs one sub-byte kernel group per
// run of equal width; sorting the channels by width makes one group per width.
//
// The channels of a layer flow, in one order, through every tensor that holds them:
// a "domain" is that set of tensors (found by following channel-preserving ops in
// both directions), with
//  - sources: the qconv / qfully_connected layers computing them (output channels),
//  - carriers: ops passing them on (requantize, pools, qadd, depthwise qconv,
//    transpose, reshape),
//  - sinks: qconv (group 1) / qfully_connected layers reading them (input channels).
// One permutation is applied to the whole domain, so the network computes the same
// function. A pruned (0-bit) channel is constant; it is removed from the domain when
// it stays constant in every tensor of it (checked by evaluating the ops with the
// reference engine, on probes whose constant channels hold their exact values) and
// every sink can absorb it.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "engine/Interpreter.h"
#include "engine/Tensor.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include <algorithm>
#include <numeric>

namespace dnnopt {
#define GEN_PASS_DEF_DNNGROUPPRECISION
#include "passes/Passes.h.inc"
} // namespace dnnopt

using namespace mlir;
using namespace dnnopt;
using namespace dnnopt::dnn;
using engine::DType;
using engine::Tensor;

namespace {

int64_t product(ArrayRef<int64_t> s) {
  return std::accumulate(s.begin(), s.end(), int64_t(1), std::multiplies<int64_t>());
}

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

std::string quotedName(Operation *op) { return "'" + op->getName().getStringRef().str() + "'"; }

//===----------------------------------------------------------------------===//
// Channel layouts and permutations
//===----------------------------------------------------------------------===//

/// Where the channels sit in a tensor: index i of axis `axis` belongs to channel
/// (i / inner) % C. Channels-last tensors have {rank - 1, 1}; a flattened
/// N x (spatial * C) tensor has the channel on axis 1 with inner = the positions
/// flattened after it.
struct Layout {
  int64_t axis = 0, inner = 1;
  bool operator==(const Layout &o) const { return axis == o.axis && inner == o.inner; }
  bool operator!=(const Layout &o) const { return !(*this == o); }
};

Layout channelsLast(Value v) { return {(int64_t)shapeOf(v).size() - 1, 1}; }

/// The layout of the same channels after a reshape from `from` to `to`: the axis of
/// `to` whose elements step over the channel's flat stride; none when the channel
/// does not stay within one axis.
std::optional<Layout> reshapeLayout(ArrayRef<int64_t> from, Layout l, int64_t channels,
                                    ArrayRef<int64_t> to) {
  int64_t stride = l.inner * product(from.drop_front(l.axis + 1)), inner = 1;
  for (int64_t b = (int64_t)to.size() - 1; b >= 0; inner *= to[b], --b)
    if (inner <= stride && stride % inner == 0 && (to[b] * inner) % (stride * channels) == 0)
      return Layout{b, stride / inner};
  return std::nullopt;
}

/// The shape of `shape` with `channels` channels in layout `l` narrowed to `kept`.
SmallVector<int64_t> narrowedShape(ArrayRef<int64_t> shape, Layout l, int64_t channels,
                                   int64_t kept) {
  SmallVector<int64_t> out(shape);
  out[l.axis] = shape[l.axis] / channels * kept;
  return out;
}

/// `t` with its channels regathered: new channel i is old channel order[i] (channels
/// not in `order` are dropped).
Tensor gatherChannels(const Tensor &t, Layout l, int64_t channels, ArrayRef<int64_t> order) {
  ArrayRef<int64_t> shape(t.shape);
  int64_t pre = product(shape.take_front(l.axis)), post = product(shape.drop_front(l.axis + 1)),
          extent = shape[l.axis], kept = (int64_t)order.size(),
          outer = extent / (channels * l.inner), newExtent = outer * kept * l.inner;
  SmallVector<int64_t> ns = narrowedShape(shape, l, channels, kept);
  Tensor out(t.dtype, std::vector<int64_t>(ns.begin(), ns.end()));
  bool isFloat = engine::isFloat(t.dtype);
  for (int64_t p = 0; p < pre; ++p)
    for (int64_t e = 0; e < newExtent; ++e) {
      int64_t j = e % l.inner, i = (e / l.inner) % kept, o = e / (l.inner * kept);
      int64_t from = (p * extent + (o * channels + order[i]) * l.inner + j) * post,
              to = (p * newExtent + e) * post;
      for (int64_t q = 0; q < post; ++q) {
        if (isFloat) out.f[to + q] = t.f[from + q];
        else out.i[to + q] = t.i[from + q];
      }
    }
  return out;
}

template <typename T>
SmallVector<T> gatherVector(ArrayRef<T> v, ArrayRef<int64_t> order) {
  if (v.size() == 1) return SmallVector<T>(v);
  SmallVector<T> out;
  for (int64_t c : order) out.push_back(v[c]);
  return out;
}

/// Channel of every element of a tensor of `shape` in layout `l`, by callback.
template <typename Fn>
void forEachChannel(ArrayRef<int64_t> shape, Layout l, int64_t channels, Fn &&fn) {
  int64_t post = product(shape.drop_front(l.axis + 1)), extent = shape[l.axis];
  for (int64_t k = 0, n = product(shape); k < n; ++k)
    fn(k, ((k / post) % extent / l.inner) % channels);
}

std::optional<Tensor> constantTensor(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr))) return std::nullopt;
  FailureOr<Tensor> t = Tensor::fromAttr(attr);
  if (failed(t)) return std::nullopt;
  return *t;
}

Value createConstant(OpBuilder &b, Location loc, const Tensor &t) {
  return ConstantOp::create(b, loc, t.toAttr(b.getContext())).getResult();
}

/// Replaces operand `idx` of `op` by a new constant holding `t`; the old constant
/// goes when it loses its last use (a shared weight is never modified).
void replaceConstantOperand(Operation *op, unsigned idx, const Tensor &t) {
  OpBuilder b(op);
  Value old = op->getOperand(idx);
  op->setOperand(idx, createConstant(b, old.getLoc(), t));
  if (Operation *def = old.getDefiningOp(); def && def->use_empty()) def->erase();
}

//===----------------------------------------------------------------------===//
// The ops
//===----------------------------------------------------------------------===//

/// A qconv with one output channel per input channel, each from its own input
/// channel (group = channels): it carries the channels rather than mixing them.
bool isDepthwise(Operation *op) {
  auto c = dyn_cast<QConvOp>(op);
  if (!c) return false;
  int64_t channels = shapeOf(c.getInput()).back();
  return channels > 1 && (int64_t)c.getGroup() == channels &&
         shapeOf(c.getWeight())[0] == channels;
}

/// qconv (group 1) / qfully_connected: output channels from all the input channels.
bool isLayer(Operation *op) {
  if (auto c = dyn_cast<QConvOp>(op)) return c.getGroup() == 1;
  return isa<QFullyConnectedOp>(op);
}

std::optional<ArrayRef<int64_t>> weightBits(Operation *op) {
  auto a = op->getAttrOfType<DenseI64ArrayAttr>("weight_bits");
  if (!a) return std::nullopt;
  return a.asArrayRef();
}

/// Per-channel widths that are not all equal, or that prune a channel.
bool isMixed(Operation *op) {
  auto bits = weightBits(op);
  if (!bits || bits->size() < 2) return false;
  return llvm::any_of(*bits, [&](int64_t b) { return b != bits->front() || b == 0; });
}

/// Output channel c of a layer or depthwise conv has 0-bit (all-zero) weights.
bool isPruned(Operation *op, int64_t c) {
  auto bits = weightBits(op);
  return bits && bits->size() > 1 && (*bits)[c] == 0;
}

int64_t intAttr(Operation *op, StringRef name) {
  return op->getAttrOfType<IntegerAttr>(name).getInt();
}

bool hasPadding(Operation *op) {
  auto c = dyn_cast<QConvOp>(op);
  return c && llvm::any_of(c.getPads(), [](int64_t p) { return p != 0; });
}

//===----------------------------------------------------------------------===//
// Domains
//===----------------------------------------------------------------------===//

struct Domain {
  int64_t channels = 0;
  llvm::MapVector<Value, Layout> values; ///< the tensors holding the channels
  llvm::SetVector<Operation *> sources, carriers, sinks;
  /// Constant operands of carriers (qadd) permuted with the channels, and their layout.
  SmallVector<std::tuple<Operation *, unsigned, Layout>> constants;
  /// Why the channels cannot be permuted ("reach 'dnn.concat', which ..."); empty
  /// when they can.
  std::string blocked;
};

class DomainBuilder {
public:
  explicit DomainBuilder(Domain &d) : d(d) {}

  void build(Value seed) {
    add(seed, channelsLast(seed));
    while (!work.empty() && d.blocked.empty()) {
      Value v = work.pop_back_val();
      Layout l = d.values.lookup(v);
      visitDefinition(v, l);
      for (OpOperand &use : v.getUses()) visitUse(use, l);
    }
  }

private:
  Domain &d;
  SmallVector<Value> work;

  void block(std::string why) {
    if (d.blocked.empty()) d.blocked = std::move(why);
  }
  /// They reach `op`, which `what` ("cannot take them permuted").
  void blockAt(Operation *op, StringRef what) {
    block("reach " + quotedName(op) + ", which " + what.str());
  }

  void add(Value v, Layout l) {
    auto [it, inserted] = d.values.insert({v, l});
    if (!inserted) {
      if (it->second != l) block("meet themselves on two different axes of a tensor");
      return;
    }
    work.push_back(v);
  }

  bool requireChannelsLast(Operation *op, Value v, Layout l) {
    if (l == channelsLast(v) && shapeOf(v).back() == d.channels) return true;
    blockAt(op, "reads them on another axis than its channel axis");
    return false;
  }

  bool requireConstantParams(Operation *op) {
    for (unsigned i = 1; i < op->getNumOperands(); ++i)
      if (!constantTensor(op->getOperand(i))) {
        blockAt(op, "has non-constant weights or bias");
        return false;
      }
    return true;
  }

  /// Where `v` comes from: a layer (a source), a carrier (whose inputs join), or
  /// something that cannot be permuted.
  void visitDefinition(Value v, Layout l) {
    Operation *def = v.getDefiningOp();
    if (!def) return block("also come from a function argument");
    if (isLayer(def)) {
      if (requireChannelsLast(def, v, l) && requireConstantParams(def)) d.sources.insert(def);
      return;
    }
    if (isDepthwise(def) || isa<RequantizeOp, QMaxPoolOp, QAvgPoolOp, QGlobalAvgPoolOp>(def)) {
      if (!isa<RequantizeOp>(def) && !requireChannelsLast(def, v, l)) return;
      if (isDepthwise(def) && !requireConstantParams(def)) return;
      d.carriers.insert(def);
      return add(def->getOperand(0), l);
    }
    if (isa<QAddOp>(def)) {
      d.carriers.insert(def);
      for (unsigned i = 0; i < 2; ++i) {
        Value x = def->getOperand(i);
        if (shapeOf(x) == shapeOf(v) && !constantTensor(x)) {
          add(x, l);
        } else if (constantTensor(x)) {
          int64_t n = product(shapeOf(x));
          if (shapeOf(x) == shapeOf(v)) d.constants.push_back({def, i, l});
          else if (n == d.channels && shapeOf(x).back() == n && l == channelsLast(v))
            d.constants.push_back({def, i, channelsLast(x)});
          else if (n != 1) return blockAt(def, "broadcasts an operand across them");
        } else {
          return blockAt(def, "broadcasts an operand across them");
        }
      }
      return;
    }
    if (auto t = dyn_cast<TransposeOp>(def)) {
      d.carriers.insert(def);
      return add(t.getInput(), Layout{t.getPerm()[l.axis], l.inner});
    }
    if (auto r = dyn_cast<ReshapeOp>(def)) {
      auto in = reshapeLayout(shapeOf(v), l, d.channels, shapeOf(r.getInput()));
      if (!in) return blockAt(def, "spreads them over several axes");
      d.carriers.insert(def);
      return add(r.getInput(), *in);
    }
    block("also come from " + quotedName(def) + ", which cannot permute them");
  }

  /// What reads `use`'s value: a sink, a carrier (whose result joins), or an op that
  /// cannot take permuted channels.
  void visitUse(OpOperand &use, Layout l) {
    Operation *u = use.getOwner();
    Value v = use.get();
    if (isa<QConvOp, QFullyConnectedOp>(u) && use.getOperandNumber() != 0)
      return blockAt(u, "reads them as weights or bias");
    if (isDepthwise(u) || isa<RequantizeOp, QMaxPoolOp, QAvgPoolOp, QGlobalAvgPoolOp, QAddOp>(u))
      return add(u->getResult(0), l);
    if (auto c = dyn_cast<QConvOp>(u)) {
      if (c.getGroup() != 1) return blockAt(u, "is a grouped convolution");
      if (requireChannelsLast(u, v, l) && requireConstantParams(u)) d.sinks.insert(u);
      return;
    }
    if (isa<QFullyConnectedOp>(u)) {
      if (l.axis != 1) return blockAt(u, "reads them on another axis than its features");
      if (requireConstantParams(u)) d.sinks.insert(u);
      return;
    }
    if (auto t = dyn_cast<TransposeOp>(u)) {
      ArrayRef<int64_t> perm = t.getPerm();
      int64_t axis = std::find(perm.begin(), perm.end(), l.axis) - perm.begin();
      return add(t.getOutput(), Layout{axis, l.inner});
    }
    if (auto r = dyn_cast<ReshapeOp>(u)) {
      auto out = reshapeLayout(shapeOf(v), l, d.channels, shapeOf(r.getOutput()));
      if (!out) return blockAt(u, "spreads them over several axes");
      return add(r.getOutput(), *out);
    }
    if (u->hasTrait<OpTrait::IsTerminator>()) return blockAt(u, "returns them (a graph output)");
    blockAt(u, "cannot take them permuted");
  }
};

/// The domain of the output channels of `layer`.
Domain buildDomain(Operation *layer) {
  Domain d;
  Value out = layer->getResult(0);
  d.channels = shapeOf(out).back();
  DomainBuilder(d).build(out);
  if (!d.blocked.empty()) return d;
  Block *block = layer->getBlock();
  for (auto &[v, l] : d.values)
    if (v.getDefiningOp()->getBlock() != block) {
      d.blocked = "reach " + quotedName(v.getDefiningOp()) + " in another block";
      return d;
    }
  // Program order, so producers are evaluated before their users.
  auto before = [](const std::pair<Value, Layout> &a, const std::pair<Value, Layout> &b) {
    return a.first.getDefiningOp()->isBeforeInBlock(b.first.getDefiningOp());
  };
  auto vec = d.values.takeVector();
  std::stable_sort(vec.begin(), vec.end(), before);
  for (auto &[v, l] : vec) d.values.insert({v, l});
  return d;
}

/// Layers and depthwise convs of the domain with per-channel widths, in program order.
SmallVector<Operation *> mixedOps(const Domain &d) {
  SmallVector<Operation *> ops;
  for (auto &[v, l] : d.values) {
    Operation *def = v.getDefiningOp();
    if ((d.sources.contains(def) || isDepthwise(def)) && weightBits(def) &&
        weightBits(def)->size() > 1)
      ops.push_back(def);
  }
  return ops;
}

//===----------------------------------------------------------------------===//
// Pruned channels: constant values through the domain
//===----------------------------------------------------------------------===//

/// For every tensor of the domain, the value of each channel that is the same at
/// every position (std::nullopt: varies or unknown).
using ChannelValues = DenseMap<Value, SmallVector<std::optional<int64_t>>>;

/// Evaluates the domain's ops in program order on probe tensors: a source's input is
/// its zero point (a pruned channel's output does not depend on it), a carrier's
/// domain operands are the probes of their producers. A channel is constant in a
/// result when it was constant in the domain operands (or is a pruned channel of the
/// op) and the evaluated result holds one value at every position of it; this is
/// exact because these ops compute channel c from channel c alone.
ChannelValues constantChannels(const Domain &d, std::string &error) {
  ChannelValues constants;
  DenseMap<Value, Tensor> probes;
  for (auto &[v, l] : d.values) {
    Operation *def = v.getDefiningOp();
    std::vector<Tensor> held;
    held.reserve(def->getNumOperands());
    SmallVector<const Tensor *> operands;
    SmallVector<bool> known(d.channels, true);
    for (Value x : def->getOperands()) {
      if (auto it = probes.find(x); it != probes.end()) {
        operands.push_back(&it->second);
        for (int64_t c = 0; c < d.channels; ++c) known[c] = known[c] && constants[x][c].has_value();
      } else if (auto t = constantTensor(x)) {
        held.push_back(std::move(*t));
        operands.push_back(&held.back());
      } else {
        std::vector<int64_t> s(shapeOf(x).begin(), shapeOf(x).end());
        held.emplace_back(DType::I8, s);
        std::fill(held.back().i.begin(), held.back().i.end(), intAttr(def, "input_zp"));
        operands.push_back(&held.back());
      }
    }
    bool source = d.sources.contains(def);
    for (int64_t c = 0; c < d.channels; ++c)
      known[c] = source ? isPruned(def, c) : known[c] || isPruned(def, c);
    std::vector<Tensor> results;
    if (failed(engine::evaluateOp(def, operands, results, error))) {
      error = quotedName(def) + ": " + error;
      return ChannelValues();
    }
    SmallVector<std::optional<int64_t>> value(d.channels);
    SmallVector<bool> seen(d.channels, false);
    forEachChannel(shapeOf(v), l, d.channels, [&](int64_t k, int64_t c) {
      if (!known[c]) return;
      int64_t x = results[0].i[k];
      if (!seen[c]) value[c] = x;
      else if (value[c] != x) known[c] = false;
      seen[c] = true;
    });
    for (int64_t c = 0; c < d.channels; ++c)
      if (!known[c]) value[c] = std::nullopt;
    constants[v] = std::move(value);
    probes[v] = std::move(results[0]);
  }
  return constants;
}

/// The constant `sink` adds to its accumulators for the removed input channels:
/// (value - input_zp) * weight summed over the removed channels' weights.
SmallVector<int64_t> removedContribution(Operation *sink, const Tensor &w, Layout l,
                                         int64_t channels, ArrayRef<bool> removed,
                                         ArrayRef<std::optional<int64_t>> value) {
  int64_t rows = w.shape[0], per = product(ArrayRef<int64_t>(w.shape).drop_front()),
          izp = intAttr(sink, "input_zp");
  SmallVector<int64_t> add(rows, 0);
  forEachChannel(w.shape, l, channels, [&](int64_t k, int64_t c) {
    if (removed[c]) add[k / per] += (*value[c] - izp) * w.i[k];
  });
  return add;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

std::string channelList(ArrayRef<int64_t> cs) {
  std::string s;
  for (int64_t c : cs) s += (s.empty() ? "" : ", ") + std::to_string(c);
  return s;
}

struct DnnGroupPrecision : ::dnnopt::impl::DnnGroupPrecisionBase<DnnGroupPrecision> {
  void runOnOperation() override {
    SmallVector<Operation *> layers;
    getOperation()->walk([&](Operation *op) {
      if (isa<QConvOp, QFullyConnectedOp>(op) && isMixed(op)) layers.push_back(op);
    });
    DenseSet<Operation *> done;
    for (Operation *layer : layers) {
      if (done.contains(layer)) continue;
      Domain d;
      if (isLayer(layer) || isDepthwise(layer)) d = buildDomain(layer);
      else d.blocked = "belong to the groups of a grouped convolution";
      for (Operation *op : mixedOps(d)) done.insert(op);
      done.insert(layer);
      if (failed(regroup(d, layer))) return signalPassFailure();
    }
  }

  /// 0-bit widths of `op` at channels not `removed` become 2 (all-zero 2-bit
  /// channels); returns those channels.
  static SmallVector<int64_t> keepPrunedAsTwoBits(Operation *op, ArrayRef<bool> removed) {
    SmallVector<int64_t> bits(*weightBits(op)), changed;
    for (int64_t c = 0; c < (int64_t)bits.size(); ++c)
      if (bits[c] == 0 && !removed[c]) {
        bits[c] = 2;
        changed.push_back(c);
      }
    if (!changed.empty())
      op->setAttr("weight_bits", DenseI64ArrayAttr::get(op->getContext(), bits));
    return changed;
  }

  LogicalResult regroup(Domain &d, Operation *layer) {
    SmallVector<Operation *> mixed = mixedOps(d);
    if (!d.blocked.empty()) {
      // Left in channel order: one group per run of equal width.
      if (!llvm::is_contained(mixed, layer)) mixed.insert(mixed.begin(), layer);
      for (Operation *op : mixed) {
        if (!isMixed(op)) continue;
        SmallVector<bool> none(weightBits(op)->size(), false);
        SmallVector<int64_t> pruned = keepPrunedAsTwoBits(op, none);
        auto diag = op->emitRemark()
                    << "precision groups left in channel order: its output channels "
                    << d.blocked;
        if (!pruned.empty())
          diag << "; pruned channels " << channelList(pruned)
               << " kept as all-zero 2-bit channels";
      }
      return success();
    }

    // Which pruned channels can go: constant everywhere, and absorbed by every sink.
    int64_t C = d.channels;
    bool anyPruned = llvm::any_of(mixed, [](Operation *op) {
      return llvm::is_contained(*weightBits(op), 0);
    });
    SmallVector<bool> removed(C, anyPruned);
    SmallVector<std::string> why(C);
    ChannelValues values;
    if (anyPruned) {
      std::string error;
      values = constantChannels(d, error);
      if (!error.empty()) return layer->emitError("dnn-group-precision: ") << error;
    }
    for (int64_t c = 0; c < C && anyPruned; ++c) {
      for (auto &[v, l] : d.values)
        if (removed[c] && !values[v][c]) {
          removed[c] = false;
          why[c] = "its value varies after " + quotedName(v.getDefiningOp());
        }
      for (Operation *sink : d.sinks) {
        Value in = sink->getOperand(0);
        if (removed[c] && hasPadding(sink) && *values[in][c] != intAttr(sink, "input_zp")) {
          removed[c] = false;
          why[c] = quotedName(sink) + " pads its input and the channel's value " +
                   std::to_string(*values[in][c]) + " is not its input zero point " +
                   std::to_string(intAttr(sink, "input_zp"));
        }
      }
    }
    if (anyPruned && llvm::all_of(removed, [](bool r) { return r; })) {
      removed.assign(C, false);
      why.assign(C, "every channel is pruned");
    }
    // Biases with the removed channels' constant contributions folded in.
    SmallVector<std::pair<Operation *, Tensor>> biases;
    bool anyRemoved = llvm::any_of(removed, [](bool r) { return r; });
    for (Operation *sink : anyRemoved ? d.sinks.getArrayRef() : ArrayRef<Operation *>()) {
      Value in = sink->getOperand(0);
      Tensor w = *constantTensor(sink->getOperand(1));
      Layout wl{1, d.values.lookup(in).inner}; // input channels: axis 1 of the weights
      SmallVector<int64_t> add = removedContribution(sink, w, wl, C, removed, values[in]);
      bool hasBias = sink->getNumOperands() > 2;
      if (!hasBias && llvm::all_of(add, [](int64_t a) { return a == 0; })) continue;
      Tensor bias(DType::I32, {w.shape[0]});
      if (hasBias) bias = *constantTensor(sink->getOperand(2));
      for (int64_t m = 0; m < w.shape[0]; ++m) bias.i[m] += add[m];
      if (llvm::any_of(bias.i, [](int64_t b) { return b != (int64_t)(int32_t)b; })) {
        for (int64_t c = 0; c < C; ++c)
          if (removed[c])
            why[c] = "its contribution overflows the int32 bias of " + quotedName(sink);
        removed.assign(C, false);
        biases.clear();
        break;
      }
      biases.push_back({sink, std::move(bias)});
    }

    // Kept pruned channels run as all-zero 2-bit channels.
    for (Operation *op : mixed) {
      SmallVector<int64_t> kept = keepPrunedAsTwoBits(op, removed);
      if (kept.empty()) continue;
      op->emitRemark() << "pruned channels " << channelList(kept)
                       << " kept as all-zero 2-bit channels: " << why[kept.front()];
    }

    // Stable sort by the widths of every mixed op (program order), widest first.
    SmallVector<int64_t> order;
    for (int64_t c = 0; c < C; ++c)
      if (!removed[c]) order.push_back(c);
    auto key = [&](int64_t c) {
      SmallVector<int64_t> k;
      for (Operation *op : mixed) k.push_back((*weightBits(op))[c]);
      return k;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return key(a) > key(b); });
    bool identity = (int64_t)order.size() == C &&
                    llvm::all_of(llvm::enumerate(order), [](auto e) {
                      return (int64_t)e.index() == e.value();
                    });
    if (identity) return success();
    apply(d, order, biases);
    return success();
  }

  /// Output channels of a layer or depthwise conv in the new order.
  static void permuteOutputChannels(Operation *op, int64_t C, ArrayRef<int64_t> order) {
    MLIRContext *ctx = op->getContext();
    for (unsigned i = 1; i < op->getNumOperands(); ++i)
      replaceConstantOperand(
          op, i, gatherChannels(*constantTensor(op->getOperand(i)), {0, 1}, C, order));
    op->setAttr("scale", DenseF64ArrayAttr::get(
                             ctx, gatherVector(op->getAttrOfType<DenseF64ArrayAttr>("scale")
                                                   .asArrayRef(), order)));
    if (auto bits = weightBits(op))
      op->setAttr("weight_bits", DenseI64ArrayAttr::get(ctx, gatherVector(*bits, order)));
  }

  /// Applies the new channel order (and removals) to every op of the domain. Sink
  /// biases (with the removed channels folded in, computed before any change) go
  /// first: a layer can be both a sink and a source of one domain (x + conv(x)).
  static void apply(Domain &d, ArrayRef<int64_t> order,
                    ArrayRef<std::pair<Operation *, Tensor>> biases) {
    int64_t C = d.channels, kept = (int64_t)order.size();
    for (auto &[sink, bias] : biases) {
      if (sink->getNumOperands() > 2) {
        replaceConstantOperand(sink, 2, bias);
      } else {
        OpBuilder b(sink);
        sink->insertOperands(2, {createConstant(b, sink->getLoc(), bias)});
      }
    }
    for (Operation *sink : d.sinks) {
      Layout l = d.values.lookup(sink->getOperand(0));
      replaceConstantOperand(sink, 1, gatherChannels(*constantTensor(sink->getOperand(1)),
                                                     {1, l.inner}, C, order));
    }
    for (Operation *op : d.sources) permuteOutputChannels(op, C, order);
    for (Operation *op : d.carriers)
      if (auto dw = dyn_cast<QConvOp>(op)) {
        permuteOutputChannels(op, C, order);
        dw.setGroup(kept);
      }
    for (auto &[op, idx, l] : d.constants)
      replaceConstantOperand(
          op, idx, gatherChannels(*constantTensor(op->getOperand(idx)), l, C, order));
    for (auto &[v, l] : d.values) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape = narrowedShape(type.getShape(), l, C, kept);
      v.setType(RankedTensorType::get(shape, type.getElementType()));
      if (auto r = dyn_cast<ReshapeOp>(v.getDefiningOp()))
        r.setShapeAttr(DenseI64ArrayAttr::get(r.getContext(), shape));
    }
  }
};

} // namespace
