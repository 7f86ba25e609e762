//===- StoragePlan.cpp - where every tensor of a function lives ------------===//
#include "backends/common/StoragePlan.h"
#include "backends/common/MemoryPlanner.h"
#include "dialects/dnn/DnnOps.h"

#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace dnnopt::dnn;

namespace dnnopt {

int64_t elementBytes(Type t) {
  if (t.isInteger(1)) return 1;
  return std::max<int64_t>(1, (int64_t)(t.getIntOrFloatBitWidth() + 7) / 8);
}

int64_t tensorBytes(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  Type e = t.getElementType();
  // Sub-byte activations (i4, i2) are packed densely: 2 or 4 values per byte.
  if (e.isSignlessInteger(4) || e.isSignlessInteger(2))
    return (t.getNumElements() * (int64_t)e.getIntOrFloatBitWidth() + 7) / 8;
  return t.getNumElements() * elementBytes(e);
}

namespace {

bool isViewOp(Operation *op) { return isa<ReshapeOp, IdentityOp, DropoutOp>(op); }

bool isElementwise(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, PReluOp, ReluOp, SigmoidOp, TanhOp,
             HardSwishOp, ExpOp, LogOp, SqrtOp, AbsOp, NegOp, ReciprocalOp, FloorOp, CeilOp, ErfOp,
             LeakyReluOp, ClipOp, HardSigmoidOp, BatchNormOp, QAddOp, RequantizeOp>(op);
}

/// Number of leading unit dimensions before `axis` is reached, i.e. whether a piece
/// along `axis` is one contiguous range.
bool outerDimsAreUnit(ArrayRef<int64_t> shape, int64_t axis) {
  for (int64_t d = 0; d < axis; ++d)
    if (shape[d] != 1) return false;
  return true;
}

/// Byte offset of a slice that is one contiguous range of its input, or -1.
int64_t contiguousSliceOffset(SliceOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType());
  auto out = cast<RankedTensorType>(op.getOutput().getType());
  int64_t rank = in.getRank(), first = -1;
  for (int64_t d = 0; d < rank; ++d)
    if (out.getDimSize(d) != in.getDimSize(d)) {
      first = d;
      break;
    }
  if (first < 0) return 0;
  if (op.getSteps()[first] != 1 && out.getDimSize(first) > 1) return -1;
  for (int64_t d = first + 1; d < rank; ++d)
    if (out.getDimSize(d) != in.getDimSize(d)) return -1;
  if (!outerDimsAreUnit(out.getShape(), first)) return -1;
  int64_t stride = 1;
  for (int64_t d = first + 1; d < rank; ++d) stride *= in.getDimSize(d);
  return op.getStarts()[first] * stride * elementBytes(in.getElementType());
}

struct Group {
  TensorStorage::Kind kind = TensorStorage::Arena;
  int64_t index = 0;
  int64_t size = 0;
  int64_t first = 0, last = 0;
  int64_t arenaOffset = 0;
};

struct Planner {
  func::FuncOp func;
  const StoragePlanOptions &opts;
  std::vector<Operation *> order;
  llvm::DenseMap<Operation *, int64_t> step;
  std::vector<Group> groups;
  llvm::DenseMap<Value, std::pair<int64_t, int64_t>> where; // value -> (group, offset)
  llvm::DenseMap<Value, std::pair<Operation *, int64_t>> concatMember;
  llvm::DenseMap<Operation *, int64_t> concatGroup;
  StoragePlan plan;

  int64_t end() const { return (int64_t)order.size(); }

  int64_t lastUse(Value v) {
    int64_t last = -1;
    for (Operation *user : v.getUsers())
      last = std::max(last, isa<func::ReturnOp>(user) ? end() : step.lookup(user));
    return last;
  }

  int64_t newGroup(TensorStorage::Kind kind, int64_t size, int64_t first, int64_t index = 0) {
    Group g;
    g.kind = kind;
    g.size = size;
    g.first = g.last = first;
    g.index = index;
    groups.push_back(g);
    return (int64_t)groups.size() - 1;
  }

  void assign(Value v, int64_t group, int64_t offset) {
    where[v] = {group, offset};
    Group &g = groups[group];
    g.last = std::max(g.last, lastUse(v));
  }

  /// Concats whose inputs can be written straight into the concat's buffer.
  void findInPlaceConcats() {
    if (!opts.allowViews) return;
    for (Operation *op : order) {
      auto concat = dyn_cast<ConcatOp>(op);
      if (!concat) continue;
      auto outType = cast<RankedTensorType>(concat.getType());
      if (!outerDimsAreUnit(outType.getShape(), concat.getAxis())) continue;
      bool ok = true;
      llvm::DenseSet<Value> seen;
      for (Value in : concat.getInputs()) {
        Operation *def = in.getDefiningOp();
        ok &= def && !isa<ConstantOp>(def) && !isViewOp(def) && !isa<SliceOp, SplitOp, ConcatOp>(def) &&
              def->getNumResults() == 1 && seen.insert(in).second && !concatMember.count(in);
      }
      if (!ok) continue;
      int64_t offset = 0;
      for (Value in : concat.getInputs()) {
        concatMember[in] = {op, offset};
        offset += tensorBytes(in);
      }
    }
  }

  /// Storage for a result of a compute op at `s`.
  void placeResult(Operation *op, Value r, int64_t s) {
    if (auto it = concatMember.find(r); it != concatMember.end()) {
      Operation *concat = it->second.first;
      auto [cg, inserted] = concatGroup.try_emplace(concat, 0);
      if (inserted) cg->second = newGroup(TensorStorage::Arena, tensorBytes(concat->getResult(0)), s);
      assign(r, cg->second, it->second.second);
      return;
    }
    if (opts.allowInPlace && isElementwise(op)) {
      for (Value operand : op->getOperands()) {
        auto w = where.find(operand);
        if (w == where.end() || w->second.second != 0) continue;
        Group &g = groups[w->second.first];
        if (g.kind != TensorStorage::Arena || g.size != tensorBytes(r) || g.last > s) continue;
        if (operand.getType() != r.getType() && tensorBytes(operand) != tensorBytes(r)) continue;
        assign(r, w->second.first, 0);
        return;
      }
    }
    assign(r, newGroup(TensorStorage::Arena, tensorBytes(r), s), 0);
  }

  LogicalResult run() {
    for (auto [i, op] : llvm::enumerate(order)) step[op] = (int64_t)i;
    for (BlockArgument arg : func.getArguments())
      assign(arg, newGroup(TensorStorage::Input, tensorBytes(arg), -1, arg.getArgNumber()), 0);
    findInPlaceConcats();

    for (Operation *op : order) {
      int64_t s = step[op];
      if (auto c = dyn_cast<ConstantOp>(op)) {
        assign(c, newGroup(TensorStorage::Constant, tensorBytes(c), s), 0);
        continue;
      }
      if (opts.allowViews && isViewOp(op)) {
        auto [g, off] = where.lookup(op->getOperand(0));
        assign(op->getResult(0), g, off);
        plan.elided.insert(op);
        continue;
      }
      if (auto slice = dyn_cast<SliceOp>(op); slice && opts.allowViews) {
        int64_t off = contiguousSliceOffset(slice);
        if (off >= 0) {
          auto [g, base] = where.lookup(slice.getInput());
          assign(slice, g, base + off);
          plan.elided.insert(op);
          continue;
        }
      }
      if (auto split = dyn_cast<SplitOp>(op); split && opts.allowViews &&
          outerDimsAreUnit(cast<RankedTensorType>(split.getInput().getType()).getShape(), split.getAxis())) {
        auto [g, base] = where.lookup(split.getInput());
        int64_t off = base;
        for (Value r : split.getOutputs()) {
          assign(r, g, off);
          off += tensorBytes(r);
        }
        plan.elided.insert(op);
        continue;
      }
      if (auto concat = dyn_cast<ConcatOp>(op); concat && concatGroup.count(op)) {
        assign(concat, concatGroup[op], 0);
        plan.elided.insert(op);
        continue;
      }
      plan.schedule.push_back(op);
      for (Value r : op->getResults()) placeResult(op, r, s);
    }
    // A group that holds exactly one graph output, of its whole size, lives in the
    // caller's output buffer; every other output is copied at the end.
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    llvm::DenseMap<int64_t, int64_t> outputsInGroup;
    for (Value v : ret.getOperands()) ++outputsInGroup[where.lookup(v).first];
    for (auto [j, v] : llvm::enumerate(ret.getOperands())) {
      auto [g, off] = where.lookup(v);
      Group &grp = groups[g];
      if (grp.kind == TensorStorage::Arena && off == 0 && grp.size == tensorBytes(v) &&
          outputsInGroup[g] == 1) {
        grp.kind = TensorStorage::Output;
        grp.index = (int64_t)j;
      } else {
        plan.outputCopies.push_back({v, (int64_t)j});
      }
    }
    // Scratch buffers: arena memory live during one step only.
    llvm::DenseMap<Operation *, int64_t> scratchGroup;
    if (opts.scratchBytes)
      for (Operation *op : plan.schedule)
        if (int64_t bytes = opts.scratchBytes(op); bytes > 0)
          scratchGroup[op] = newGroup(TensorStorage::Arena, bytes, step[op]);
    // Place the arena groups.
    std::vector<PlannedBuffer> buffers;
    std::vector<int64_t> ids;
    for (auto [i, g] : llvm::enumerate(groups)) {
      if (g.kind != TensorStorage::Arena) continue;
      PlannedBuffer b;
      b.size = g.size;
      b.first = g.first;
      b.last = std::max(g.last, g.first);
      buffers.push_back(b);
      ids.push_back((int64_t)i);
      plan.naiveArena += (g.size + opts.alignment - 1) / opts.alignment * opts.alignment;
    }
    MemoryPlan mp = planArena(buffers, opts.alignment);
    for (auto [k, id] : llvm::enumerate(ids)) groups[id].arenaOffset = buffers[k].offset;
    for (auto [op, g] : scratchGroup) plan.scratchOffset[op] = groups[g].arenaOffset;
    plan.arenaSize = mp.arenaSize;
    plan.lowerBound = mp.lowerBound;
    for (auto &[v, loc] : where) {
      const Group &g = groups[loc.first];
      TensorStorage ts;
      ts.kind = g.kind;
      ts.index = g.index;
      ts.offset = loc.second + (g.kind == TensorStorage::Arena ? g.arenaOffset : 0);
      plan.storage[v] = ts;
    }
    return success();
  }
};

/// List scheduling that prefers, among ready ops, the one that frees the most
/// bytes net of what it allocates (ties: original order).
std::vector<Operation *> memoryAwareOrder(func::FuncOp func) {
  std::vector<Operation *> ops;
  for (Operation &op : func.getBody().front().without_terminator()) ops.push_back(&op);
  llvm::DenseMap<Operation *, int64_t> pendingOperands, index;
  llvm::DenseMap<Value, int64_t> pendingUsers;
  for (auto [i, op] : llvm::enumerate(ops)) {
    index[op] = (int64_t)i;
    llvm::DenseSet<Operation *> producers;
    for (Value v : op->getOperands())
      if (Operation *d = v.getDefiningOp()) producers.insert(d);
    pendingOperands[op] = (int64_t)producers.size();
    for (Value r : op->getResults())
      pendingUsers[r] = std::distance(r.getUsers().begin(), r.getUsers().end());
  }
  std::vector<Operation *> ready, order;
  for (Operation *op : ops)
    if (pendingOperands[op] == 0) ready.push_back(op);
  while (!ready.empty()) {
    auto score = [&](Operation *op) {
      int64_t delta = 0;
      if (isa<ConstantOp>(op)) return std::numeric_limits<int64_t>::min();
      for (Value r : op->getResults()) delta += tensorBytes(r);
      llvm::DenseSet<Value> counted;
      for (Value v : op->getOperands())
        if (v.getDefiningOp() && !isa<ConstantOp>(v.getDefiningOp()) && counted.insert(v).second) {
          int64_t uses = 0;
          for (Operation *u : v.getUsers()) uses += u == op;
          if (pendingUsers[v] == uses) delta -= tensorBytes(v);
        }
      return delta;
    };
    auto best = std::min_element(ready.begin(), ready.end(), [&](Operation *a, Operation *b) {
      int64_t sa = score(a), sb = score(b);
      return sa != sb ? sa < sb : index[a] < index[b];
    });
    Operation *op = *best;
    ready.erase(best);
    order.push_back(op);
    for (Value v : op->getOperands())
      if (v.getDefiningOp()) --pendingUsers[v];
    llvm::DenseSet<Operation *> users;
    for (Value r : op->getResults())
      for (Operation *u : r.getUsers()) users.insert(u);
    for (Operation *u : users) {
      if (isa<func::ReturnOp>(u)) continue;
      if (--pendingOperands[u] == 0) ready.push_back(u);
    }
  }
  return order;
}
} // namespace

FailureOr<StoragePlan> planStorage(func::FuncOp func, const StoragePlanOptions &options) {
  if (!func.getBody().hasOneBlock()) return failure();
  std::vector<Operation *> original;
  for (Operation &op : func.getBody().front().without_terminator()) original.push_back(&op);
  std::vector<std::vector<Operation *>> candidates{original};
  std::vector<Operation *> greedy = memoryAwareOrder(func);
  if (greedy.size() == original.size() && greedy != original) candidates.push_back(greedy);

  std::optional<StoragePlan> best;
  for (auto &order : candidates) {
    Planner p{func, options, order, {}, {}, {}, {}, {}, {}};
    if (failed(p.run())) return failure();
    if (!best || p.plan.arenaSize < best->arenaSize) best = std::move(p.plan);
  }
  return std::move(*best);
}

} // namespace dnnopt
