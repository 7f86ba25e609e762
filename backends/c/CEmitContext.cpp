//===- CEmitContext.cpp - shared state of the C emitter --------------------===//
#include "backends/c/CEmitContext.h"
#include "dialects/dnn/DnnOps.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace mlir;

namespace dnnopt {

std::string cFloat(float v) {
  if (std::isnan(v)) return "NAN";
  if (std::isinf(v)) return v > 0 ? "INFINITY" : "-INFINITY";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", (double)v);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s + "f";
}

std::string cInts(llvm::ArrayRef<int64_t> v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s;
}

std::string cIntArray(llvm::ArrayRef<int64_t> v, size_t width) {
  std::vector<int64_t> padded(v.begin(), v.end());
  padded.resize(std::max(width, v.size()), 0);
  return "{" + cInts(padded) + "}";
}

llvm::ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

int64_t numElements(Value v) { return cast<RankedTensorType>(v.getType()).getNumElements(); }

std::string CEmitContext::cType(Type t) {
  if (t.isF32()) return "float";
  if (t.isF64()) return "double";
  if (t.isInteger(1)) return "uint8_t";
  if (auto it = dyn_cast<IntegerType>(t)) {
    std::string base = it.isUnsigned() ? "uint" : "int";
    switch (it.getWidth()) {
    case 8: case 16: case 32: case 64: return base + std::to_string(it.getWidth()) + "_t";
    case 4: case 2: // packed sub-byte activations (runtime/dnn_pk.h): bytes
      if (it.isSignless()) return "uint8_t";
    }
  }
  return "";
}

std::string CEmitContext::freshName(const std::string &hint) {
  return hint + std::to_string(counter++);
}

std::string CEmitContext::ptr(Value v) {
  std::string ty = cType(cast<RankedTensorType>(v.getType()).getElementType());
  auto it = plan.storage.find(v);
  if (it == plan.storage.end()) {
    failed = true; // a planner bug; emitC reports it
    return "0";
  }
  const TensorStorage &s = it->second;
  auto offset = [&](const std::string &base, bool isConst) {
    std::string cq = isConst ? "const " : "";
    if (s.offset == 0) return "((" + cq + ty + " *)" + base + ")";
    return "((" + cq + ty + " *)((" + cq + "uint8_t *)" + base + " + " + std::to_string(s.offset) + "))";
  };
  switch (s.kind) {
  case TensorStorage::Input: return offset("inputs[" + std::to_string(s.index) + "]", true);
  case TensorStorage::Output: return offset("outputs[" + std::to_string(s.index) + "]", false);
  case TensorStorage::Arena: return offset(name + "_arena.bytes", false);
  case TensorStorage::Constant: {
    // Views of constants share the weight array of the constant they view.
    Value root = v;
    while (Operation *def = root.getDefiningOp()) {
      if (isa<dnn::ConstantOp>(def)) break;
      root = def->getOperand(0);
    }
    return offset(weight(root), true);
  }
  }
  return "0";
}

std::string CEmitContext::weight(Value v) {
  auto it = weightNames.find(v);
  if (it != weightNames.end()) return it->second;
  auto c = v.getDefiningOp<dnn::ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : DenseElementsAttr();
  std::string name;
  if (dense && dense.getElementType().isF32()) {
    std::vector<float> data(dense.getValues<float>().begin(), dense.getValues<float>().end());
    name = floatArray("w", data);
  } else if (dense) {
    std::vector<int64_t> data;
    bool isUnsigned = dense.getElementType().isUnsignedInteger() || dense.getElementType().isInteger(1);
    for (const APInt &x : dense.getValues<APInt>())
      data.push_back(isUnsigned ? (int64_t)x.getZExtValue() : x.getSExtValue());
    name = intArray("w", cType(dense.getElementType()), data);
  } else {
    (c ? c.getOperation() : v.getDefiningOp())->emitError("C backend: constant is not a dense array");
    failed = true;
    name = "0";
  }
  weightNames[v] = name;
  return name;
}

std::string CEmitContext::floatArray(const std::string &hint, const std::vector<float> &data) {
  std::string n = name + "_" + freshName(hint);
  weightDecls << "extern const float " << n << "[" << std::max<size_t>(data.size(), 1) << "];\n";
  weights << "const float " << n << "[" << std::max<size_t>(data.size(), 1) << "] = {";
  for (size_t i = 0; i < data.size(); ++i)
    weights << (i % 8 ? " " : "\n  ") << cFloat(data[i]) << ",";
  if (data.empty()) weights << "0.0f";
  weights << "\n};\n\n";
  weightBytes += (int64_t)data.size() * 4;
  return n;
}

std::string CEmitContext::intArray(const std::string &hint, const std::string &ctype,
                                   const std::vector<int64_t> &data) {
  std::string n = name + "_" + freshName(hint);
  size_t bytes = ctype.find("64") != std::string::npos ? 8 : ctype.find("32") != std::string::npos ? 4
               : ctype.find("16") != std::string::npos ? 2 : 1;
  weightDecls << "extern const " << ctype << " " << n << "[" << std::max<size_t>(data.size(), 1) << "];\n";
  weights << "const " << ctype << " " << n << "[" << std::max<size_t>(data.size(), 1) << "] = {";
  for (size_t i = 0; i < data.size(); ++i) {
    weights << (i % 16 ? " " : "\n  ");
    if (bytes == 8 && data[i] == INT64_MIN) weights << "INT64_MIN";
    else if (bytes == 8) weights << "INT64_C(" << data[i] << ")";
    else if (bytes == 4 && data[i] == INT32_MIN) weights << "INT32_MIN";
    else weights << data[i];
    weights << ",";
  }
  if (data.empty()) weights << "0";
  weights << "\n};\n\n";
  weightBytes += (int64_t)(data.size() * bytes);
  return n;
}

std::string CEmitContext::wordArray(const std::string &hint, const void *data, size_t bytes) {
  std::string n = name + "_" + freshName(hint);
  size_t words = std::max<size_t>((bytes + 3) / 4, 1);
  std::vector<uint8_t> b(words * 4, 0);
  if (bytes) std::memcpy(b.data(), data, bytes);
  weightDecls << "extern const int32_t " << n << "[" << words << "];\n";
  weights << "const int32_t " << n << "[" << words << "] = {";
  for (size_t i = 0; i < words; ++i) {
    uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
                 (uint32_t)b[4 * i + 3] << 24;
    int32_t v;
    std::memcpy(&v, &u, 4);
    weights << (i % 8 ? " " : "\n  ");
    if (v == INT32_MIN) weights << "INT32_MIN";
    else weights << v;
    weights << ",";
  }
  weights << "\n};\n\n";
  weightBytes += (int64_t)(words * 4);
  return n;
}

std::string CEmitContext::scratch(Operation *op) {
  auto it = plan.scratchOffset.find(op);
  if (it == plan.scratchOffset.end()) return "NULL";
  return "((void *)(" + name + "_arena.bytes + " + std::to_string(it->second) + "))";
}

std::string CEmitContext::table(const std::string &type, const std::string &init, int64_t bytes) {
  std::string n = freshName("t");
  decls << "static const " << type << " " << n << "[] = {" << init << "};\n";
  weightBytes += bytes;
  return n;
}

std::string CEmitContext::params(const std::string &type, const std::string &init) {
  std::string n = freshName("p");
  decls << "static const " << type << " " << n << " = {" << init << "};\n";
  return "&" + n;
}

} // namespace dnnopt
