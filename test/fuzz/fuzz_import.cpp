//===- fuzz_import.cpp - deterministic mutation fuzzing of the ONNX importer ===//
//
// Usage: dnnopt-fuzz-import [--cases N] [--seed S] SEED_MODEL.onnx...
//
// For each case, picks a seed model and mutates it, either at the byte level
// (flip, overwrite, truncate, insert, duplicate a chunk) or at the protobuf level
// (dims, attribute values, input/output names, initializer payload sizes, node
// order, op types, opset version), then imports it in-process and verifies the
// result. Any crash, sanitizer report or verifier failure on an imported module
// makes the run fail; rejected inputs are the expected outcome for most cases.
// Same seed, same cases: the run is reproducible.
//
//===----------------------------------------------------------------------===//
#include "frontend/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <onnx/onnx_pb.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {
using Rng = std::mt19937_64;

size_t pick(Rng &rng, size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(rng) : 0; }

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void mutateBytes(std::string &b, Rng &rng) {
  if (b.empty()) return;
  switch (pick(rng, 5)) {
  case 0: // flip bits in a few bytes
    for (size_t i = 0, n = 1 + pick(rng, 8); i < n; ++i) b[pick(rng, b.size())] ^= (char)(1 << pick(rng, 8));
    break;
  case 1: // overwrite with interesting bytes
    for (size_t i = 0, n = 1 + pick(rng, 4); i < n; ++i) {
      static const unsigned char vals[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0x08, 0x12, 0x1a};
      b[pick(rng, b.size())] = (char)vals[pick(rng, sizeof vals)];
    }
    break;
  case 2: // truncate
    b.resize(pick(rng, b.size()));
    break;
  case 3: { // insert random bytes
    std::string ins(1 + pick(rng, 16), '\0');
    for (char &c : ins) c = (char)pick(rng, 256);
    b.insert(pick(rng, b.size() + 1), ins);
    break;
  }
  default: { // duplicate a chunk
    size_t at = pick(rng, b.size()), len = 1 + pick(rng, std::min<size_t>(64, b.size() - at));
    b.insert(pick(rng, b.size() + 1), b.substr(at, len));
  }
  }
}

int64_t interestingInt(Rng &rng) {
  static const int64_t vals[] = {0, 1, -1, 2, 3, -2, 7, 64, 1000, -1000, 1LL << 31, -(1LL << 31),
                                 1LL << 40, INT64_MAX, INT64_MIN};
  return vals[pick(rng, sizeof vals / sizeof *vals)];
}

void mutateAttribute(onnx::AttributeProto &a, Rng &rng) {
  if (a.ints_size() && pick(rng, 2)) a.set_ints((int)pick(rng, a.ints_size()), interestingInt(rng));
  else if (a.ints_size()) a.mutable_ints()->RemoveLast();
  else if (a.has_i()) a.set_i(interestingInt(rng));
  else if (a.has_f()) a.set_f(pick(rng, 2) ? -1.0f : 1e30f);
  else if (a.has_s()) a.set_s(pick(rng, 2) ? "" : "bogus");
  else a.set_type(onnx::AttributeProto::AttributeType(pick(rng, 14)));
}

void mutateTensor(onnx::TensorProto &t, Rng &rng) {
  switch (pick(rng, 5)) {
  case 0: if (t.dims_size()) t.set_dims((int)pick(rng, t.dims_size()), interestingInt(rng)); break;
  case 1: t.add_dims(1 + (int64_t)pick(rng, 4)); break;
  case 2: if (!t.raw_data().empty()) t.mutable_raw_data()->resize(pick(rng, t.raw_data().size())); break;
  case 3: t.set_data_type((int32_t)pick(rng, 20)); break;
  default: t.clear_raw_data(); t.add_float_data(1.0f); break;
  }
}

void mutateModel(onnx::ModelProto &m, Rng &rng) {
  onnx::GraphProto *g = m.mutable_graph();
  switch (pick(rng, 10)) {
  case 0: case 1: // an attribute
    if (g->node_size()) {
      onnx::NodeProto *n = g->mutable_node((int)pick(rng, g->node_size()));
      if (n->attribute_size()) mutateAttribute(*n->mutable_attribute((int)pick(rng, n->attribute_size())), rng);
    }
    break;
  case 2: // an initializer
    if (g->initializer_size()) mutateTensor(*g->mutable_initializer((int)pick(rng, g->initializer_size())), rng);
    break;
  case 3: // rewire an input
    if (g->node_size()) {
      onnx::NodeProto *n = g->mutable_node((int)pick(rng, g->node_size()));
      if (n->input_size()) {
        const char *names[] = {"", "missing_value", "x"};
        std::string name = names[pick(rng, 3)];
        if (g->node_size() > 1 && pick(rng, 2)) {
          const auto &other = g->node((int)pick(rng, g->node_size()));
          if (other.output_size()) name = other.output(0);
        }
        n->set_input((int)pick(rng, n->input_size()), name);
      }
    }
    break;
  case 4: // drop or duplicate inputs of a node
    if (g->node_size()) {
      onnx::NodeProto *n = g->mutable_node((int)pick(rng, g->node_size()));
      if (n->input_size() && pick(rng, 2)) n->mutable_input()->RemoveLast();
      else if (n->input_size()) n->add_input(n->input(0));
    }
    break;
  case 5: // swap two nodes (possibly breaking topological order)
    if (g->node_size() > 1) g->mutable_node()->SwapElements((int)pick(rng, g->node_size()), (int)pick(rng, g->node_size()));
    break;
  case 6: { // change an op type
    const char *ops[] = {"Conv", "Relu", "Add", "Reshape", "Gemm", "MaxPool", "Concat", "Slice", "Bogus"};
    if (g->node_size()) g->mutable_node((int)pick(rng, g->node_size()))->set_op_type(ops[pick(rng, 9)]);
    break;
  }
  case 7: // the declared shape of a graph input
    if (g->input_size()) {
      auto *shape = g->mutable_input((int)pick(rng, g->input_size()))->mutable_type()->mutable_tensor_type()->mutable_shape();
      if (shape->dim_size()) shape->mutable_dim((int)pick(rng, shape->dim_size()))->set_dim_value(interestingInt(rng));
      else shape->add_dim()->set_dim_param("N");
    }
    break;
  case 8: // opset version
    if (m.opset_import_size()) m.mutable_opset_import(0)->set_version((int64_t)pick(rng, 25));
    break;
  default: // remove a node
    if (g->node_size()) g->mutable_node()->DeleteSubrange((int)pick(rng, g->node_size()), 1);
    break;
  }
}
} // namespace

int main(int argc, char **argv) {
  long cases = 2000;
  unsigned long long seed = 1;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--cases N] [--seed S] SEED_MODEL.onnx...\n", argv[0]);
      return 0;
    }
    if (a == "--cases" && i + 1 < argc) cases = std::atol(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else seeds.push_back(readFile(a));
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "dnnopt-fuzz-import: no seed models given\n");
    return 2;
  }
  Rng rng(seed);
  long imported = 0, rejected = 0, badIR = 0;
  for (long c = 0; c < cases; ++c) {
    std::string bytes = seeds[pick(rng, seeds.size())];
    if (pick(rng, 2)) {
      mutateBytes(bytes, rng);
    } else {
      onnx::ModelProto m;
      if (m.ParseFromString(bytes)) {
        for (size_t k = 0, n = 1 + pick(rng, 3); k < n; ++k) mutateModel(m, rng);
        bytes = m.SerializeAsString();
      }
    }
    mlir::MLIRContext ctx;
    dnnopt::loadImporterDialects(ctx);
    ctx.printOpOnDiagnostic(false);
    mlir::ScopedDiagnosticHandler quiet(&ctx, [](mlir::Diagnostic &) { return mlir::success(); });
    auto module = dnnopt::importOnnxBytes(bytes, "case" + std::to_string(c), "", ctx);
    if (!module) {
      ++rejected;
      continue;
    }
    if (mlir::failed(mlir::verify(*module))) {
      ++badIR;
      std::fprintf(stderr, "case %ld: imported module does not verify\n", c);
      continue;
    }
    ++imported;
  }
  std::printf("fuzz: %ld cases, %ld imported, %ld rejected cleanly, %ld invalid IR, 0 crashes\n",
              cases, imported, rejected, badIR);
  std::printf("%ld passed, %ld failed\n", cases - badIR, badIR);
  return badIR ? 1 : 0;
}
