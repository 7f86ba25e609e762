//===- Tensor.h - float tensors of the search engine ------------*- C++ -*-===//
//
// A dense row-major float32 tensor: the value and gradient type of the search
// engine's graph. Activations carry the batch as their leading dimension.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_TENSOR_H
#define DNNOPT_PASSES_SEARCH_TENSOR_H

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>

namespace dnnopt::search {

using Shape = std::vector<int64_t>;

int64_t numelOf(const Shape &shape);
std::string shapeStr(const Shape &shape);

struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape s, float fill = 0.0f) : shape(std::move(s)), data(numelOf(shape), fill) {}
  Tensor(Shape s, std::vector<float> values) : shape(std::move(s)), data(std::move(values)) {}

  int64_t numel() const { return (int64_t)data.size(); }
  int64_t rank() const { return (int64_t)shape.size(); }
  float *ptr() { return data.data(); }
  const float *ptr() const { return data.data(); }
  float &operator[](int64_t k) { return data[k]; }
  float operator[](int64_t k) const { return data[k]; }

  /// Sets the shape and resizes the storage (keeps capacity; contents unspecified
  /// unless `fill` is given).
  void reshape(const Shape &s) {
    shape = s;
    data.resize(numelOf(s));
  }
  void reshape(const Shape &s, float fill) {
    shape = s;
    data.resize(numelOf(s));
    if (fill == 0.0f && !std::signbit(fill)) // +0.0f: all bits zero, memset is fastest
      std::memset(data.data(), 0, data.size() * sizeof(float));
    else
      std::fill(data.begin(), data.end(), fill);
  }
  void fill(float v) { std::fill(data.begin(), data.end(), v); }
};

} // namespace dnnopt::search

#endif
