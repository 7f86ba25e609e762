//===- FromIR.cpp - dnn IR <-> search graph ---------------------------------===//
#include "passes/search/FromIR.h"
#include "passes/search/Ops.h"

#include "dialects/dnn/DnnOps.h"
#include "engine/Tensor.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using llvm::failure;
using llvm::success;

namespace dnnopt::search {

std::string describeOp(Operation *op) {
  std::string s = op->getName().getStringRef().str();
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty()) loc = fused.getLocations()[0];
  if (auto name = dyn_cast<NameLoc>(loc)) return s + " (node '" + name.getName().str() + "')";
  std::string l;
  llvm::raw_string_ostream os(l);
  loc.print(os);
  return s + " (" + l + ")";
}

ValueId IRGraph::operandValue(Operation *op, unsigned operand) const {
  if (operand >= op->getNumOperands()) return -1;
  auto it = valueOf.find(op->getOperand(operand));
  return it == valueOf.end() ? -1 : it->second;
}

namespace {

enum class Role { Constant = 0, Buffer = 1, Param = 2 };

/// The role a constant plays as operand `i` of `user`.
Role roleOf(Operation *user, unsigned i) {
  if (isa<dnn::ConvOp, dnn::GemmOp>(user)) return i >= 1 ? Role::Param : Role::Constant;
  if (isa<dnn::MatMulOp>(user)) return Role::Param;
  if (isa<dnn::BatchNormOp>(user)) return i == 1 || i == 2 ? Role::Param : i >= 3 ? Role::Buffer : Role::Constant;
  return Role::Constant;
}

Shape shapeOf(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return Shape(t.getShape().begin(), t.getShape().end());
}

std::string nodeLabel(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty()) loc = fused.getLocations()[0];
  if (auto name = dyn_cast<NameLoc>(loc)) return name.getName().str();
  return op->getName().getStringRef().str();
}

class Builder {
public:
  Builder(IRGraph &g, const FromIROptions &o, std::string &e) : g(g), opts(o), error(e) {}

  LogicalResult run(func::FuncOp func) {
    g.func = func;
    if (func.getBody().empty()) return fail(func, "the function has no body");
    // The IR batch: the common leading dimension of the arguments.
    for (BlockArgument arg : func.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!type || type.getRank() < 1 || !type.getElementType().isF32())
        return fail(func, "argument " + std::to_string(arg.getArgNumber()) +
                              " must be a float32 tensor with a leading batch dimension");
      if (arg.getArgNumber() == 0) g.irBatch = type.getDimSize(0);
      else if (type.getDimSize(0) != g.irBatch)
        return fail(func, "the arguments differ in their leading (batch) dimension");
      Shape sample(type.getShape().begin() + 1, type.getShape().end());
      auto nameAttr = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "dnn.name");
      std::string name = nameAttr ? nameAttr.str() : "input" + std::to_string(arg.getArgNumber());
      g.inputNames.push_back(name);
      g.inputSamples.push_back(sample);
      g.valueOf[arg] = g.graph.addInput(name, sample);
      batched.insert(arg);
    }
    for (Operation &op : func.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (Value v : ret.getOperands()) {
          if (!batched.count(v)) return fail(&op, "a result does not depend on the inputs");
          Shape s = shapeOf(v);
          g.outputSamples.push_back(Shape(s.begin() + 1, s.end()));
          g.graph.addOutput(g.valueOf.lookup(v));
        }
        continue;
      }
      if (isa<dnn::ConstantOp>(op)) continue; // created on first use
      if (failed(convert(&op))) return failure();
    }
    return success();
  }

private:
  LogicalResult fail(Operation *op, const std::string &msg) {
    error = describeOp(op) + ": " + msg;
    return failure();
  }

  /// Graph value of operand i of op (constants become Params / Buffers / Constants).
  FailureOr<ValueId> operand(Operation *op, unsigned i) {
    Value v = op->getOperand(i);
    if (auto it = g.valueOf.find(v); it != g.valueOf.end()) return it->second;
    auto cst = v.getDefiningOp<dnn::ConstantOp>();
    if (!cst) {
      (void)fail(op, "operand " + std::to_string(i) + " has no value");
      return failure();
    }
    auto t = engine::Tensor::fromAttr(cst.getValue());
    if (failed(t) || !engine::isFloat(t->dtype)) {
      (void)fail(op, "operand " + std::to_string(i) + " is a non-float constant");
      return failure();
    }
    Role role = Role::Constant;
    for (OpOperand &use : cst->getUses()) role = std::max(role, roleOf(use.getOwner(), use.getOperandNumber()));
    if (role == Role::Param && !opts.trainable) role = Role::Constant;
    static const char *suffix[] = {"weight", "bias", "scale", "mean", "var"};
    static const unsigned bnSuffix[] = {0, 2, 1, 3, 4}; // x, scale, bias, mean, var
    std::string what = isa<dnn::BatchNormOp>(op) && i > 0 ? suffix[bnSuffix[std::min(i, 4u)]]
                       : i == 1                  ? suffix[0]
                       : i == 2                  ? suffix[1]
                                                 : "const" + std::to_string(i);
    std::string name = uniqueName(nodeLabel(op) + "." + what);
    Tensor data(Shape(t->shape.begin(), t->shape.end()), std::move(t->f));
    ValueId id = role == Role::Param    ? g.graph.addParam(name, std::move(data), opts.weightGroup)
                 : role == Role::Buffer ? g.graph.addBuffer(name, std::move(data))
                                        : g.graph.addConstant(name, std::move(data));
    g.valueOf[v] = id;
    g.constants.emplace_back(cst, id);
    return id;
  }

  std::string uniqueName(const std::string &base) {
    std::string n = base;
    for (int k = 2; names.count(n); ++k) n = base + "#" + std::to_string(k);
    names.insert(n);
    return n;
  }

  bool isB(Operation *op, unsigned i) { return i < op->getNumOperands() && batched.count(op->getOperand(i)); }

  /// Converts one op into node(s).
  LogicalResult convert(Operation *op) {
    if (op->getNumResults() != 1) return fail(op, "the search engine does not support this op");
    Value result = op->getResult(0);
    bool anyB = false;
    for (unsigned i = 0; i < op->getNumOperands(); ++i) anyB |= isB(op, i);
    auto rtype = dyn_cast<RankedTensorType>(result.getType());
    if (!rtype || !rtype.getElementType().isF32())
      return fail(op, "the search engine only trains float32 models");
    Shape rshape(rtype.getShape().begin(), rtype.getShape().end());

    // Identity-like ops: alias the input.
    if (isa<dnn::IdentityOp, dnn::DropoutOp>(op)) {
      auto in = operand(op, 0);
      if (failed(in)) return failure();
      g.valueOf[result] = *in;
      if (anyB) batched.insert(result);
      return success();
    }

    std::unique_ptr<Op> node;
    auto noBatchAxis0 = [&](const std::string &what) { return fail(op, what + " along the batch axis"); };
    if (auto c = dyn_cast<dnn::ConvOp>(op)) {
      if (isB(op, 1) || isB(op, 2)) return fail(op, "weights computed from the input are not supported");
      ConvAttrs a;
      a.strides.assign(c.getStrides().begin(), c.getStrides().end());
      a.dilations.assign(c.getDilations().begin(), c.getDilations().end());
      a.pads.assign(c.getPads().begin(), c.getPads().end());
      a.group = c.getGroup();
      node = makeConv(a);
    } else if (auto m = dyn_cast<dnn::GemmOp>(op)) {
      if (isB(op, 0) && m.getTransA()) return noBatchAxis0("gemm with trans_a reduces");
      if (isB(op, 1) || isB(op, 2)) return fail(op, "gemm with an input-dependent B or C is not supported");
      GemmAttrs a;
      a.transA = m.getTransA();
      a.transB = m.getTransB();
      a.alpha = m.getAlpha().convertToFloat();
      a.beta = m.getBeta().convertToFloat();
      node = makeGemm(a);
    } else if (isa<dnn::MatMulOp>(op)) {
      auto as = shapeOf(op->getOperand(0)), bs = shapeOf(op->getOperand(1));
      if (isB(op, 0) && as.size() < 2) return noBatchAxis0("matmul reduces");
      if (isB(op, 1) && (bs.size() < 3 || !isB(op, 0)))
        return fail(op, "matmul with an input-dependent right operand is only supported batch by batch");
      node = makeMatMul();
    } else if (auto bn = dyn_cast<dnn::BatchNormOp>(op)) {
      for (unsigned i = 1; i < 5; ++i)
        if (isB(op, i)) return fail(op, "input-dependent batch-norm parameters are not supported");
      BatchNormAttrs a;
      a.epsilon = bn.getEpsilon().convertToFloat();
      a.momentum = opts.bnMomentum;
      node = makeBatchNorm(a);
    } else if (isa<dnn::AddOp, dnn::SubOp, dnn::MulOp, dnn::DivOp>(op)) {
      // An operand without the batch must broadcast along axis 0.
      for (unsigned i = 0; i < 2; ++i) {
        if (isB(op, i) || !anyB) continue;
        Shape s = shapeOf(op->getOperand(i));
        if (s.size() == rshape.size() && s[0] != 1)
          return fail(op, "operand " + std::to_string(i) + " " + shapeStr(s) +
                              " does not broadcast along the batch axis");
      }
      BinaryKind k = isa<dnn::AddOp>(op)   ? BinaryKind::Add
                     : isa<dnn::SubOp>(op) ? BinaryKind::Sub
                     : isa<dnn::MulOp>(op) ? BinaryKind::Mul
                                           : BinaryKind::Div;
      node = makeBinary(k);
    } else if (isa<dnn::ReluOp>(op)) node = makeUnary(UnaryKind::Relu);
    else if (isa<dnn::SigmoidOp>(op)) node = makeUnary(UnaryKind::Sigmoid);
    else if (isa<dnn::TanhOp>(op)) node = makeUnary(UnaryKind::Tanh);
    else if (isa<dnn::AbsOp>(op)) node = makeUnary(UnaryKind::Abs);
    else if (isa<dnn::NegOp>(op)) node = makeUnary(UnaryKind::Neg);
    else if (isa<dnn::ExpOp>(op)) node = makeUnary(UnaryKind::Exp);
    else if (isa<dnn::LogOp>(op)) node = makeUnary(UnaryKind::Log);
    else if (isa<dnn::SqrtOp>(op)) node = makeUnary(UnaryKind::Sqrt);
    else if (auto l = dyn_cast<dnn::LeakyReluOp>(op)) node = makeLeakyRelu(l.getAlpha().convertToFloat());
    else if (auto c = dyn_cast<dnn::ClipOp>(op))
      node = makeClip(c.getMin().convertToFloat(), c.getMax().convertToFloat());
    else if (auto s = dyn_cast<dnn::SoftmaxOp>(op)) {
      if (anyB && s.getAxis() == 0) return noBatchAxis0("softmax");
      node = makeSoftmax(s.getAxis(), false);
    } else if (auto s = dyn_cast<dnn::LogSoftmaxOp>(op)) {
      if (anyB && s.getAxis() == 0) return noBatchAxis0("log_softmax");
      node = makeSoftmax(s.getAxis(), true);
    } else if (auto p = dyn_cast<dnn::MaxPoolOp>(op)) {
      PoolAttrs a;
      a.kernel.assign(p.getKernelShape().begin(), p.getKernelShape().end());
      a.strides.assign(p.getStrides().begin(), p.getStrides().end());
      a.dilations.assign(p.getDilations().begin(), p.getDilations().end());
      a.pads.assign(p.getPads().begin(), p.getPads().end());
      a.ceilMode = p.getCeilMode();
      node = makeMaxPool(a);
    } else if (auto p = dyn_cast<dnn::AvgPoolOp>(op)) {
      PoolAttrs a;
      a.kernel.assign(p.getKernelShape().begin(), p.getKernelShape().end());
      a.strides.assign(p.getStrides().begin(), p.getStrides().end());
      a.pads.assign(p.getPads().begin(), p.getPads().end());
      a.ceilMode = p.getCeilMode();
      a.countIncludePad = p.getCountIncludePad();
      node = makeAvgPool(a);
    } else if (isa<dnn::GlobalAvgPoolOp>(op)) node = makeGlobalPool(false);
    else if (isa<dnn::GlobalMaxPoolOp>(op)) node = makeGlobalPool(true);
    else if (isa<dnn::ReshapeOp>(op)) {
      Shape target = rshape;
      if (anyB) {
        if (target.empty() || target[0] != g.irBatch)
          return fail(op, "reshape from " + shapeStr(shapeOf(op->getOperand(0))) + " to " + shapeStr(target) +
                              " changes the batch dimension");
        target[0] = -1;
      }
      node = makeReshape(target);
    } else if (auto t = dyn_cast<dnn::TransposeOp>(op)) {
      if (anyB && (t.getPerm().empty() || t.getPerm()[0] != 0)) return noBatchAxis0("transpose moves data");
      node = makeTranspose(std::vector<int64_t>(t.getPerm().begin(), t.getPerm().end()));
    } else if (auto c = dyn_cast<dnn::ConcatOp>(op)) {
      if (anyB) {
        if (c.getAxis() == 0) return noBatchAxis0("concat");
        for (unsigned i = 0; i < op->getNumOperands(); ++i)
          if (!isB(op, i)) return fail(op, "concat of input-dependent and constant tensors is not supported");
      }
      node = makeConcat(c.getAxis());
    } else if (auto p = dyn_cast<dnn::PadOp>(op)) {
      size_t r = rshape.size();
      if (anyB && (p.getPads()[0] != 0 || p.getPads()[r] != 0)) return noBatchAxis0("pad");
      PadMode mode = p.getMode() == dnn::PadMode::edge      ? PadMode::Edge
                     : p.getMode() == dnn::PadMode::reflect ? PadMode::Reflect
                                                            : PadMode::Constant;
      node = makePad(std::vector<int64_t>(p.getPads().begin(), p.getPads().end()), mode,
                     p.getValue().convertToFloat());
    } else if (auto s = dyn_cast<dnn::SliceOp>(op)) {
      std::vector<int64_t> starts(s.getStarts().begin(), s.getStarts().end()),
          ends(s.getEnds().begin(), s.getEnds().end()), steps(s.getSteps().begin(), s.getSteps().end());
      if (anyB) {
        if (starts[0] != 0 || steps[0] != 1 || ends[0] < g.irBatch) return noBatchAxis0("slice");
        // Keep the whole batch, whatever its run-time size.
        node = makeBatchSlice(starts, ends, steps);
      } else {
        node = makeSlice(starts, ends, steps);
      }
    } else {
      return fail(op, "the search engine does not support this op");
    }

    std::vector<ValueId> ins;
    for (unsigned i = 0; i < op->getNumOperands(); ++i) {
      auto v = operand(op, i);
      if (failed(v)) return failure();
      ins.push_back(*v);
    }
    ValueId out = g.graph.addNode(std::move(node), ins, nodeLabel(op));
    g.nodeOf[op] = g.graph.value(out).producer;
    if (anyB) {
      if (rshape.empty() || rshape[0] != g.irBatch) return fail(op, "the result changes the batch dimension");
      batched.insert(result);
    }
    // A fused clamp becomes its own node.
    auto lo = op->getAttrOfType<FloatAttr>("clip_min"), hi = op->getAttrOfType<FloatAttr>("clip_max");
    if (lo || hi) {
      float l = lo ? (float)lo.getValueAsDouble() : -INFINITY, h = hi ? (float)hi.getValueAsDouble() : INFINITY;
      std::unique_ptr<Op> clamp = l == 0.0f && std::isinf(h) && h > 0 ? makeUnary(UnaryKind::Relu) : makeClip(l, h);
      out = g.graph.addNode(std::move(clamp), {out}, nodeLabel(op) + ".clamp");
    }
    g.valueOf[result] = out;
    return success();
  }

  std::unique_ptr<Op> makeBatchSlice(std::vector<int64_t> starts, std::vector<int64_t> ends,
                                     std::vector<int64_t> steps);

  IRGraph &g;
  const FromIROptions &opts;
  std::string &error;
  llvm::DenseSet<Value> batched;
  llvm::StringSet<> names;
};

/// A slice that keeps the whole (run-time) batch axis.
class BatchSliceOp : public Op {
public:
  BatchSliceOp(std::vector<int64_t> s, std::vector<int64_t> e, std::vector<int64_t> t)
      : starts(std::move(s)), ends(std::move(e)), steps(std::move(t)) {}
  std::string kind() const override { return "slice"; }
  LogicalResult forward(llvm::ArrayRef<const Tensor *> in, Tensor &out, const RunContext &ctx,
                        std::string &err) override {
    if (!inner || batch != in[0]->shape[0]) {
      batch = in[0]->shape[0];
      std::vector<int64_t> e = ends;
      e[0] = batch;
      inner = makeSlice(starts, e, steps);
    }
    return inner->forward(in, out, ctx, err);
  }
  void backward(llvm::ArrayRef<const Tensor *> in, const Tensor &out, const Tensor &gout,
                llvm::ArrayRef<Tensor *> gin) override {
    inner->backward(in, out, gout, gin);
  }

private:
  std::vector<int64_t> starts, ends, steps;
  int64_t batch = -1;
  std::unique_ptr<Op> inner;
};

std::unique_ptr<Op> Builder::makeBatchSlice(std::vector<int64_t> starts, std::vector<int64_t> ends,
                                            std::vector<int64_t> steps) {
  return std::make_unique<BatchSliceOp>(std::move(starts), std::move(ends), std::move(steps));
}

} // namespace

llvm::FailureOr<std::unique_ptr<IRGraph>> buildGraph(func::FuncOp func, const FromIROptions &options,
                                                     std::string &error) {
  auto g = std::make_unique<IRGraph>();
  Builder b(*g, options, error);
  if (failed(b.run(func))) return failure();
  return g;
}

LogicalResult writeBack(const IRGraph &g, std::string &error) {
  for (auto [op, v] : g.constants) {
    const ValueInfo &info = g.graph.value(v);
    if (info.kind != ValueKind::Param && info.kind != ValueKind::Buffer) continue;
    auto cst = cast<dnn::ConstantOp>(op);
    auto type = cast<RankedTensorType>(cst.getType());
    if (type.getNumElements() != info.data.numel()) {
      error = describeOp(op) + ": parameter '" + info.name + "' has " + std::to_string(info.data.numel()) +
              " elements, the constant " + std::to_string(type.getNumElements());
      return failure();
    }
    DenseElementsAttr attr;
    if (type.getElementType().isF32()) attr = DenseElementsAttr::get(type, llvm::ArrayRef<float>(info.data.data));
    else {
      std::vector<double> d(info.data.data.begin(), info.data.data.end());
      attr = DenseElementsAttr::get(type, llvm::ArrayRef<double>(d));
    }
    cst.setValueAttr(attr);
  }
  return success();
}

} // namespace dnnopt::search
