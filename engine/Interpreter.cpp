//===- Interpreter.cpp - reference evaluation of dnn IR --------------------===//
#include "engine/Interpreter.h"
#include "engine/EvalOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace dnnopt::engine {

Tensor resultLike(Value result) {
  auto type = cast<RankedTensorType>(result.getType());
  DType d = succeeded(dtypeOf(type.getElementType())) ? *dtypeOf(type.getElementType()) : DType::F32;
  return Tensor(d, std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
}

void applyFusedClamp(Operation *op, Tensor &t) {
  auto lo = op->getAttrOfType<FloatAttr>("clip_min");
  auto hi = op->getAttrOfType<FloatAttr>("clip_max");
  if (!lo && !hi) return;
  double l = lo ? lo.getValueAsDouble() : -INFINITY, h = hi ? hi.getValueAsDouble() : INFINITY;
  for (int64_t k = 0, n = t.numel(); k < n; ++k) t.set(k, std::fmin(std::fmax(t.at(k), l), h));
}

Window makeWindow(const std::vector<int64_t> &inShape, const std::vector<int64_t> &outShape,
                  ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  ArrayRef<int64_t> pads) {
  Window w;
  size_t s = inShape.size() - 2, off = 3 - s;
  for (size_t i = 0; i < s; ++i) {
    w.in[off + i] = inShape[2 + i];
    w.out[off + i] = outShape[2 + i];
    w.k[off + i] = kernel[i];
    w.stride[off + i] = strides.empty() ? 1 : strides[i];
    w.dil[off + i] = dilations.empty() ? 1 : dilations[i];
    w.padBegin[off + i] = pads.empty() ? 0 : pads[i];
  }
  return w;
}

LogicalResult evaluateOp(Operation *op, ArrayRef<const Tensor *> operands,
                         std::vector<Tensor> &results, std::string &error) {
  for (auto *family : {evalLinear, evalElementwise, evalPoolReduce, evalLayout, evalQuant, evalInt})
    if (auto r = family(op, operands, results, error)) return *r;
  error = "the reference engine cannot evaluate " + op->getName().getStringRef().str();
  return failure();
}

FailureOr<std::vector<Tensor>> runFunction(func::FuncOp func, const std::vector<Tensor> &inputs,
                                           std::string &error, ValueObserver observe) {
  if (func.getNumArguments() != inputs.size()) {
    error = "expected " + std::to_string(func.getNumArguments()) + " inputs, got " +
            std::to_string(inputs.size());
    return failure();
  }
  llvm::DenseMap<Value, Tensor> values;
  for (auto [arg, t] : llvm::zip(func.getArguments(), inputs)) {
    auto type = cast<RankedTensorType>(arg.getType());
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    auto dt = dtypeOf(type.getElementType());
    if (shape != t.shape || failed(dt) || *dt != t.dtype) {
      error = "input " + std::to_string(arg.getArgNumber()) + " has shape " + shapeString(t.shape) +
              " " + dtypeName(t.dtype) + ", the model expects " + shapeString(shape) + " " +
              (succeeded(dt) ? dtypeName(*dt) : "?");
      return failure();
    }
    values[arg] = t;
    if (observe) observe(arg, t);
  }
  // Drop a value once its last user ran, to keep memory flat on deep models.
  llvm::DenseMap<Value, unsigned> remainingUses;
  for (Block &block : func.getBody())
    for (Operation &op : block)
      for (Value v : op.getOperands()) ++remainingUses[v];

  std::vector<Tensor> outputs;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) outputs.push_back(values.lookup(v));
      break;
    }
    std::vector<const Tensor *> operands;
    for (Value v : op.getOperands()) {
      auto it = values.find(v);
      if (it == values.end()) {
        error = "operand of " + op.getName().getStringRef().str() + " has no value";
        return failure();
      }
      operands.push_back(&it->second);
    }
    std::vector<Tensor> results;
    if (failed(evaluateOp(&op, operands, results, error))) {
      std::string loc;
      llvm::raw_string_ostream os(loc);
      op.getLoc().print(os);
      error = loc + ": " + error;
      return failure();
    }
    for (auto [r, t] : llvm::zip(op.getResults(), results)) {
      if (observe) observe(r, t);
      values[r] = std::move(t);
    }
    for (Value v : op.getOperands())
      if (--remainingUses[v] == 0 && !isa<BlockArgument>(v)) values.erase(v);
  }
  return outputs;
}

} // namespace dnnopt::engine
