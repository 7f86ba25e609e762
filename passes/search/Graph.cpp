//===- Graph.cpp - the search engine's differentiable graph ---------------===//
#include "passes/search/Graph.h"

#include <cassert>
#include <functional>
#include <queue>

using llvm::LogicalResult;

namespace dnnopt::search {

int64_t numelOf(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shapeStr(const Shape &shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? "," : "") + std::to_string(shape[k]);
  return s + "]";
}

const char *kindName(ValueKind k) {
  switch (k) {
  case ValueKind::Input: return "input";
  case ValueKind::Param: return "param";
  case ValueKind::Buffer: return "buffer";
  case ValueKind::Constant: return "constant";
  case ValueKind::Activation: return "activation";
  }
  return "?";
}

Op::~Op() = default;

ValueId Graph::newValue(ValueKind kind, const std::string &name) {
  ValueInfo v;
  v.kind = kind;
  v.name = name;
  values_.push_back(std::move(v));
  dirty_ = true;
  return (ValueId)values_.size() - 1;
}

ValueId Graph::addInput(const std::string &name, Shape sampleShape) {
  ValueId v = newValue(ValueKind::Input, name);
  values_[v].sampleShape = std::move(sampleShape);
  inputs_.push_back(v);
  return v;
}

ValueId Graph::addParam(const std::string &name, Tensor init, const std::string &group) {
  ValueId v = newValue(ValueKind::Param, name);
  ValueInfo &info = values_[v];
  info.group = group;
  info.requiresGrad = true;
  info.grad = Tensor(init.shape, 0.0f);
  info.data = std::move(init);
  return v;
}

ValueId Graph::addBuffer(const std::string &name, Tensor init) {
  ValueId v = newValue(ValueKind::Buffer, name);
  values_[v].data = std::move(init);
  return v;
}

ValueId Graph::addConstant(const std::string &name, Tensor value) {
  ValueId v = newValue(ValueKind::Constant, name);
  values_[v].data = std::move(value);
  return v;
}

ValueId Graph::addNode(std::unique_ptr<Op> op, std::vector<ValueId> inputs, const std::string &name) {
  for (ValueId in : inputs) {
    (void)in;
    assert(in >= 0 && in < numValues() && "addNode: unknown input value");
  }
  NodeId n = (NodeId)nodes_.size();
  std::string label = name.empty() ? op->kind() + "_" + std::to_string(n) : name;
  ValueId out = newValue(ValueKind::Activation, label);
  values_[out].producer = n;
  Node node;
  node.op = std::move(op);
  node.inputs = std::move(inputs);
  node.output = out;
  node.name = label;
  nodes_.push_back(std::move(node));
  return out;
}

std::vector<std::pair<NodeId, unsigned>> Graph::uses(ValueId v) const {
  std::vector<std::pair<NodeId, unsigned>> r;
  for (NodeId n = 0; n < numNodes(); ++n)
    for (unsigned i = 0; i < nodes_[n].inputs.size(); ++i)
      if (nodes_[n].inputs[i] == v) r.emplace_back(n, i);
  return r;
}

void Graph::setInput(NodeId node, unsigned operand, ValueId v) {
  nodes_[node].inputs[operand] = v;
  dirty_ = true;
}

ValueId Graph::insertBetween(ValueId v, NodeId consumer, std::unique_ptr<Op> op,
                             std::vector<ValueId> extraInputs, const std::string &name) {
  std::vector<ValueId> ins{v};
  ins.insert(ins.end(), extraInputs.begin(), extraInputs.end());
  ValueId out = addNode(std::move(op), std::move(ins), name);
  for (unsigned i = 0; i < nodes_[consumer].inputs.size(); ++i)
    if (nodes_[consumer].inputs[i] == v) setInput(consumer, i, out);
  return out;
}

ValueId Graph::insertAfter(ValueId v, std::unique_ptr<Op> op, std::vector<ValueId> extraInputs,
                           const std::string &name) {
  auto users = uses(v); // before adding the new node, which reads v
  std::vector<ValueId> ins{v};
  ins.insert(ins.end(), extraInputs.begin(), extraInputs.end());
  ValueId out = addNode(std::move(op), std::move(ins), name);
  for (auto [n, i] : users) setInput(n, i, out);
  for (ValueId &o : outputs_)
    if (o == v) o = out;
  return out;
}

void Graph::computeOrder() {
  // Kahn's algorithm, smallest node id first: stable and deterministic.
  std::vector<int> pending(nodes_.size(), 0);
  std::vector<std::vector<NodeId>> consumers(nodes_.size());
  for (NodeId n = 0; n < numNodes(); ++n)
    for (ValueId in : nodes_[n].inputs)
      if (NodeId p = values_[in].producer; p >= 0) {
        ++pending[n];
        consumers[p].push_back(n);
      }
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<NodeId>> ready;
  for (NodeId n = 0; n < numNodes(); ++n)
    if (!pending[n]) ready.push(n);
  order_.clear();
  while (!ready.empty()) {
    NodeId n = ready.top();
    ready.pop();
    order_.push_back(n);
    for (NodeId c : consumers[n])
      if (--pending[c] == 0) ready.push(c);
  }
  assert(order_.size() == nodes_.size() && "the search graph has a cycle");
  dirty_ = false;
}

const std::vector<NodeId> &Graph::order() {
  if (dirty_) computeOrder();
  return order_;
}

void Graph::setRequiresGrad(ValueId v, bool on) {
  values_[v].requiresGrad = on;
  if (on && values_[v].kind != ValueKind::Activation && values_[v].grad.shape != values_[v].data.shape)
    values_[v].grad = Tensor(values_[v].data.shape, 0.0f);
}

LogicalResult Graph::forward(llvm::ArrayRef<const Tensor *> inputs, bool training, std::string &error) {
  if (inputs.size() != inputs_.size()) {
    error = "the graph has " + std::to_string(inputs_.size()) + " inputs, got " + std::to_string(inputs.size());
    return llvm::failure();
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    ValueInfo &info = values_[inputs_[k]];
    const Tensor &t = *inputs[k];
    Shape want = info.sampleShape;
    bool ok = t.rank() == (int64_t)want.size() + 1 && t.numel() == numelOf(t.shape);
    for (size_t d = 0; ok && d < want.size(); ++d) ok = t.shape[d + 1] == want[d];
    if (!ok) {
      error = "input '" + info.name + "' has shape " + shapeStr(t.shape) + ", the graph expects [N," +
              shapeStr(want).substr(1);
      if (want.empty()) error = "input '" + info.name + "' has shape " + shapeStr(t.shape) + ", the graph expects [N]";
      return llvm::failure();
    }
    info.data = t;
  }
  const std::vector<NodeId> &ord = order();
  // Which values a gradient reaches (leaves that require it, and what they feed).
  for (ValueInfo &v : values_) v.needsGrad = v.kind != ValueKind::Activation && v.requiresGrad;
  for (NodeId n : ord) {
    bool any = false;
    for (ValueId in : nodes_[n].inputs) any |= values_[in].needsGrad;
    values_[nodes_[n].output].needsGrad = any;
  }
  std::vector<const Tensor *> ins;
  std::vector<Tensor *> bufs;
  for (NodeId n : ord) {
    Node &node = nodes_[n];
    ins.clear();
    bufs.clear();
    bool hasBuffer = false;
    for (ValueId in : node.inputs) {
      ins.push_back(&values_[in].data);
      bool isBuf = values_[in].kind == ValueKind::Buffer;
      bufs.push_back(isBuf ? &values_[in].data : nullptr);
      hasBuffer |= isBuf;
    }
    RunContext ctx;
    ctx.training = training;
    if (hasBuffer) ctx.buffers = bufs;
    std::string err;
    if (llvm::failed(node.op->forward(ins, values_[node.output].data, ctx, err))) {
      std::string shapes;
      for (const Tensor *t : ins) shapes += (shapes.empty() ? "" : ", ") + shapeStr(t->shape);
      error = node.name + " (" + node.op->kind() + "): " + err + " (inputs " + shapes + ")";
      return llvm::failure();
    }
  }
  return llvm::success();
}

void Graph::backward(llvm::ArrayRef<std::pair<ValueId, const Tensor *>> seeds) {
  const std::vector<NodeId> &ord = order();
  // Activation gradients are cleared lazily, right before the first op adds to
  // them (or reads them), while the buffer is about to be used: clearing them all
  // up front would stream every one through the caches twice.
  std::vector<char> cleared(values_.size(), 0);
  auto clearOnce = [&](ValueId v) {
    ValueInfo &info = values_[v];
    if (cleared[v] || !info.needsGrad) return;
    cleared[v] = 1;
    if (info.kind == ValueKind::Activation || info.grad.shape != info.data.shape)
      info.grad.reshape(info.data.shape, 0.0f);
  };
  for (ValueId v = 0; v < numValues(); ++v)
    if (values_[v].kind != ValueKind::Activation) clearOnce(v);
  for (auto [v, g] : seeds) {
    ValueInfo &info = values_[v];
    if (!info.needsGrad) continue;
    clearOnce(v);
    assert(g->numel() == info.grad.numel() && "backward: seed shape mismatch");
    for (int64_t k = 0, n = g->numel(); k < n; ++k) info.grad.data[k] += g->data[k];
  }
  std::vector<const Tensor *> ins;
  std::vector<Tensor *> gins;
  for (auto it = ord.rbegin(); it != ord.rend(); ++it) {
    Node &node = nodes_[*it];
    if (!values_[node.output].needsGrad) continue;
    clearOnce(node.output); // no consumer and no seed: a zero gradient
    ins.clear();
    gins.clear();
    for (ValueId in : node.inputs) {
      clearOnce(in);
      ins.push_back(&values_[in].data);
      gins.push_back(values_[in].needsGrad ? &values_[in].grad : nullptr);
    }
    const ValueInfo &out = values_[node.output];
    node.op->backward(ins, out.data, out.grad, gins);
  }
}

void Graph::zeroGrad() {
  for (ValueInfo &v : values_)
    if (v.kind != ValueKind::Activation && v.requiresGrad) v.grad.reshape(v.data.shape, 0.0f);
}

std::vector<ValueId> Graph::params(const std::string &group) const {
  std::vector<ValueId> r;
  for (ValueId v = 0; v < numValues(); ++v)
    if (values_[v].kind == ValueKind::Param && (group.empty() || values_[v].group == group)) r.push_back(v);
  return r;
}

int64_t Graph::numParamElements(const std::string &group) const {
  int64_t n = 0;
  for (ValueId v : params(group)) n += values_[v].data.numel();
  return n;
}

ValueId Graph::find(const std::string &name) const {
  for (ValueId v = 0; v < numValues(); ++v)
    if (values_[v].name == name) return v;
  return -1;
}

Graph::Snapshot Graph::snapshot() const {
  Snapshot s;
  for (ValueId v = 0; v < numValues(); ++v)
    if (values_[v].kind == ValueKind::Param || values_[v].kind == ValueKind::Buffer)
      s.emplace_back(v, values_[v].data);
  return s;
}

void Graph::restore(const Snapshot &s) {
  for (const auto &[v, t] : s) values_[v].data = t;
}

std::string Graph::print() const {
  std::string s;
  for (ValueId v = 0; v < numValues(); ++v)
    if (values_[v].kind != ValueKind::Activation)
      s += "%" + std::to_string(v) + " = " + kindName(values_[v].kind) + " '" + values_[v].name + "' " +
           (values_[v].kind == ValueKind::Input ? "[N," + shapeStr(values_[v].sampleShape).substr(1)
                                                : shapeStr(values_[v].data.shape)) +
           (values_[v].kind == ValueKind::Param ? " group " + values_[v].group : "") + "\n";
  std::vector<NodeId> ord = const_cast<Graph *>(this)->order();
  for (NodeId n : ord) {
    const Node &node = nodes_[n];
    s += "%" + std::to_string(node.output) + " = " + node.op->kind() + "(";
    for (size_t i = 0; i < node.inputs.size(); ++i) s += (i ? ", %" : "%") + std::to_string(node.inputs[i]);
    s += ")  // " + node.name + "\n";
  }
  s += "return";
  for (ValueId o : outputs_) s += " %" + std::to_string(o);
  return s + "\n";
}

} // namespace dnnopt::search
