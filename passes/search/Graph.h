//===- Graph.h - the search engine's differentiable graph ------*- C++ -*-===//
//
// A static dataflow graph over float32 tensors, run forward (inference or
// training mode) and backward (reverse-mode differentiation) once per
// mini-batch. Values are graph inputs (leading dimension = batch), trainable
// parameters (with gradient buffers and an optimizer group), buffers (state an
// op updates in training, e.g. BatchNorm running statistics), constants, and
// activations (one per node). Nodes hold an Op (forward + backward).
//
// Inserting nodes (what PIT / mixed-precision passes do): build the new Op
// (Ops.h factories, or makeFunctionOp with two callbacks) and call
//   insertBetween(w, conv, op, {alpha})  -> W' = op(w, alpha) feeds only `conv`
//   insertAfter(x, op, {...})            -> every consumer of x now reads op(x, ...)
// New parameters (e.g. architecture masks) come from addParam(..., "arch").
// The execution order is recomputed (topologically) after any change.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_GRAPH_H
#define DNNOPT_PASSES_SEARCH_GRAPH_H

#include "passes/search/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/LogicalResult.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dnnopt::search {

using ValueId = int; ///< index of a value in its graph; -1 = none
using NodeId = int;  ///< index of a node in its graph

enum class ValueKind { Input, Param, Buffer, Constant, Activation };
const char *kindName(ValueKind k);

/// What an op sees during forward.
struct RunContext {
  bool training = false;
  /// Per input of the node: the same tensor, writable, when that input is a
  /// Buffer (the only inputs an op may modify: running statistics); else null.
  llvm::ArrayRef<Tensor *> buffers;
};

/// One differentiable operation with one output.
class Op {
public:
  virtual ~Op();
  /// Short name used in errors and printing ("conv", "mul", "pit.mask", ...).
  virtual std::string kind() const = 0;
  /// Computes `out` (the op sets its shape) from `in`. Returns failure and sets
  /// `error` when the inputs do not fit (e.g. shapes).
  virtual llvm::LogicalResult forward(llvm::ArrayRef<const Tensor *> in, Tensor &out,
                                      const RunContext &ctx, std::string &error) = 0;
  /// Given gout = dL/dout, ADDS dL/din[i] into gin[i] (shaped like in[i]; null when
  /// input i needs no gradient). Runs after forward on the same inputs, so an op
  /// may keep what it needs from forward (argmax, batch statistics) in members.
  virtual void backward(llvm::ArrayRef<const Tensor *> in, const Tensor &out, const Tensor &gout,
                        llvm::ArrayRef<Tensor *> gin) = 0;
};

struct ValueInfo {
  ValueKind kind = ValueKind::Activation;
  std::string name;
  std::string group;          ///< Param: optimizer group ("weights", "arch", ...)
  bool requiresGrad = false;  ///< leaves: Params default true (false = frozen), inputs false
  bool needsGrad = false;     ///< computed: a gradient flows to this value
  NodeId producer = -1;       ///< Activation: its node
  Shape sampleShape;          ///< Input: shape without the batch dimension
  Tensor data, grad;
};

struct Node {
  std::unique_ptr<Op> op;
  std::vector<ValueId> inputs;
  ValueId output = -1;
  std::string name; ///< where it comes from (IR location) or a label; used in errors
};

class Graph {
public:
  Graph() = default;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;
  Graph(Graph &&) = default;
  Graph &operator=(Graph &&) = default;

  // -- Building ------------------------------------------------------------
  /// A graph input; at run time its shape is [N] + sampleShape.
  ValueId addInput(const std::string &name, Shape sampleShape);
  /// A trainable parameter in optimizer group `group`.
  ValueId addParam(const std::string &name, Tensor init, const std::string &group = "weights");
  /// Op state that is not trained by gradients (BatchNorm running mean / var).
  ValueId addBuffer(const std::string &name, Tensor init);
  ValueId addConstant(const std::string &name, Tensor value);
  /// A node computing op(inputs); returns its output value.
  ValueId addNode(std::unique_ptr<Op> op, std::vector<ValueId> inputs, const std::string &name = "");
  void addOutput(ValueId v) { outputs_.push_back(v); }

  // -- Rewiring --------------------------------------------------------------
  /// (node, operand index) pairs that read `v`, in node order.
  std::vector<std::pair<NodeId, unsigned>> uses(ValueId v) const;
  /// Makes operand `operand` of `node` read `v`.
  void setInput(NodeId node, unsigned operand, ValueId v);
  /// Adds op(v, extraInputs...) and makes `consumer` read it instead of v (every
  /// operand of consumer that read v). Other users of v are unchanged.
  ValueId insertBetween(ValueId v, NodeId consumer, std::unique_ptr<Op> op,
                        std::vector<ValueId> extraInputs = {}, const std::string &name = "");
  /// Adds op(v, extraInputs...) and makes every current user of v (and the graph
  /// outputs) read it instead.
  ValueId insertAfter(ValueId v, std::unique_ptr<Op> op, std::vector<ValueId> extraInputs = {},
                      const std::string &name = "");

  // -- Running ----------------------------------------------------------------
  /// Runs every node on `inputs` (one per addInput, shaped [N] + sampleShape).
  /// On failure `error` names the node.
  llvm::LogicalResult forward(llvm::ArrayRef<const Tensor *> inputs, bool training, std::string &error);
  /// Reverse pass after forward: seeds dL/dv for the given values (shaped like
  /// them) and ACCUMULATES dL/dp into every parameter's grad (call zeroGrad
  /// between steps). Activation gradients are reset on every call.
  void backward(llvm::ArrayRef<std::pair<ValueId, const Tensor *>> seeds);
  /// Zeroes the gradients of all parameters (and inputs that require grad).
  void zeroGrad();

  // -- Access -----------------------------------------------------------------
  int numValues() const { return (int)values_.size(); }
  int numNodes() const { return (int)nodes_.size(); }
  ValueInfo &value(ValueId v) { return values_[v]; }
  const ValueInfo &value(ValueId v) const { return values_[v]; }
  Node &node(NodeId n) { return nodes_[n]; }
  const Node &node(NodeId n) const { return nodes_[n]; }
  Tensor &data(ValueId v) { return values_[v].data; }
  const Tensor &data(ValueId v) const { return values_[v].data; }
  Tensor &grad(ValueId v) { return values_[v].grad; }
  const Tensor &grad(ValueId v) const { return values_[v].grad; }
  const std::vector<ValueId> &inputs() const { return inputs_; }
  const std::vector<ValueId> &outputs() const { return outputs_; }
  /// Parameters, in creation order; of one group when `group` is non-empty.
  std::vector<ValueId> params(const std::string &group = "") const;
  /// Elements of all parameters (of one group).
  int64_t numParamElements(const std::string &group = "") const;
  /// Nodes in execution order.
  const std::vector<NodeId> &order();
  /// The value named `name`, or -1.
  ValueId find(const std::string &name) const;
  /// Freezes / unfreezes a parameter (or lets an input receive a gradient).
  void setRequiresGrad(ValueId v, bool on);

  // -- Checkpoints --------------------------------------------------------------
  /// Copies of every Param and Buffer (what training changes).
  using Snapshot = std::vector<std::pair<ValueId, Tensor>>;
  Snapshot snapshot() const;
  void restore(const Snapshot &s);

  /// One line per node: "%out = kind(%a, %b) [name]".
  std::string print() const;

private:
  ValueId newValue(ValueKind kind, const std::string &name);
  void computeOrder();

  std::vector<ValueInfo> values_;
  std::vector<Node> nodes_;
  std::vector<ValueId> inputs_, outputs_;
  std::vector<NodeId> order_;
  bool dirty_ = true;
};

} // namespace dnnopt::search

#endif
