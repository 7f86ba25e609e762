//===- Dataset.cpp - training data: .npz / .npy / CSV -----------------------===//
#include "passes/search/Dataset.h"

#include "engine/Npy.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>
#include <random>

using llvm::failure;
using llvm::success;

namespace dnnopt::search {
namespace {

/// float32 copy of an engine tensor; `integer` tells whether it held integers.
Tensor toFloat(const engine::Tensor &t, bool &integer) {
  Tensor r(Shape(t.shape.begin(), t.shape.end()));
  integer = !engine::isFloat(t.dtype);
  for (int64_t k = 0, n = t.numel(); k < n; ++k) r[k] = integer ? (float)t.i[k] : t.f[k];
  return r;
}

llvm::LogicalResult makeDataset(const engine::Tensor &x, const engine::Tensor &y, const std::string &what,
                                Dataset &out, std::string &error) {
  if (x.rank() < 1 || y.rank() < 1 || x.shape[0] != y.shape[0]) {
    error = what + ": x " + engine::shapeString(x.shape) + " and y " + engine::shapeString(y.shape) +
            " must have the same number of samples (leading dimension)";
    return failure();
  }
  bool xi;
  out.x = toFloat(x, xi);
  out.y = toFloat(y, out.integerTargets);
  return success();
}
} // namespace

void Dataset::batch(const std::vector<int64_t> &order, int64_t begin, int64_t end, Tensor &xb, Tensor &yb) const {
  int64_t n = end - begin, xs = size() ? x.numel() / size() : 0, ys = size() ? y.numel() / size() : 0;
  Shape xsh = x.shape, ysh = y.shape;
  xsh[0] = n;
  ysh[0] = n;
  xb.reshape(xsh);
  yb.reshape(ysh);
  for (int64_t i = 0; i < n; ++i) {
    int64_t s = order[begin + i];
    std::memcpy(xb.ptr() + i * xs, x.ptr() + s * xs, sizeof(float) * xs);
    std::memcpy(yb.ptr() + i * ys, y.ptr() + s * ys, sizeof(float) * ys);
  }
}

Dataset Dataset::slice(int64_t begin, int64_t end) const {
  std::vector<int64_t> order(end - begin);
  for (int64_t i = begin; i < end; ++i) order[i - begin] = i;
  Dataset d;
  d.integerTargets = integerTargets;
  batch(order, 0, end - begin, d.x, d.y);
  return d;
}

llvm::FailureOr<DataFiles> loadNpz(const std::string &path, std::string &error) {
  auto arrays = engine::readNpz(path, error);
  if (failed(arrays)) return failure();
  auto get = [&](const char *name) -> const engine::Tensor * {
    auto it = arrays->find(name);
    return it == arrays->end() ? nullptr : &it->second;
  };
  const engine::Tensor *x = get("x"), *y = get("y"), *xv = get("x_val"), *yv = get("y_val");
  if (!x || !y) {
    std::string names;
    for (auto &[k, v] : *arrays) names += (names.empty() ? "" : ", ") + k;
    error = path + ": needs arrays 'x' and 'y' (has: " + (names.empty() ? "none" : names) + ")";
    return failure();
  }
  if (!xv != !yv) {
    error = path + ": 'x_val' and 'y_val' must be given together";
    return failure();
  }
  DataFiles files;
  if (failed(makeDataset(*x, *y, path, files.train, error))) return failure();
  if (xv) {
    Dataset v;
    if (failed(makeDataset(*xv, *yv, path + " (validation)", v, error))) return failure();
    files.val = std::move(v);
  }
  return files;
}

llvm::FailureOr<Dataset> loadNpyPair(const std::string &xPath, const std::string &yPath, std::string &error) {
  auto x = engine::readNpy(xPath, error);
  if (failed(x)) return failure();
  auto y = engine::readNpy(yPath, error);
  if (failed(y)) return failure();
  Dataset d;
  if (failed(makeDataset(*x, *y, xPath + " / " + yPath, d, error))) return failure();
  return d;
}

llvm::FailureOr<Dataset> loadCsv(const std::string &path, const Shape &sampleShape, std::string &error,
                                 int64_t targetColumns) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    error = path + ": " + buf.getError().message();
    return failure();
  }
  int64_t inCols = numelOf(sampleShape);
  std::vector<float> xs, ys;
  int64_t rows = 0, cols = -1, lineNo = 0;
  llvm::StringRef text = (*buf)->getBuffer();
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    ++lineNo;
    line = line.trim();
    if (line.empty()) continue;
    llvm::SmallVector<llvm::StringRef> fields;
    line.split(fields, ',');
    std::vector<float> vals;
    bool numeric = true;
    for (llvm::StringRef f : fields) {
      double v;
      if (f.trim().getAsDouble(v)) {
        numeric = false;
        break;
      }
      vals.push_back((float)v);
    }
    if (!numeric) {
      if (rows == 0 && cols < 0) { // header
        cols = (int64_t)fields.size();
        continue;
      }
      error = path + ":" + std::to_string(lineNo) + ": not a number";
      return failure();
    }
    if (cols >= 0 && (int64_t)vals.size() != cols) {
      error = path + ":" + std::to_string(lineNo) + ": " + std::to_string(vals.size()) + " columns, expected " +
              std::to_string(cols);
      return failure();
    }
    cols = (int64_t)vals.size();
    int64_t tcols = targetColumns > 0 ? targetColumns : cols - inCols;
    if (tcols < 1 || inCols + tcols != cols) {
      error = path + ": rows have " + std::to_string(cols) + " columns; the model input " +
              shapeStr(sampleShape) + " needs " + std::to_string(inCols) + " input columns followed by " +
              (targetColumns > 0 ? std::to_string(targetColumns) : std::string("at least 1")) + " target column(s)";
      return failure();
    }
    xs.insert(xs.end(), vals.begin(), vals.begin() + inCols);
    ys.insert(ys.end(), vals.begin() + inCols, vals.end());
    ++rows;
  }
  if (rows == 0) {
    error = path + ": no data rows";
    return failure();
  }
  Dataset d;
  Shape xsh{rows};
  xsh.insert(xsh.end(), sampleShape.begin(), sampleShape.end());
  int64_t tcols = (int64_t)ys.size() / rows;
  d.x = Tensor(xsh, std::move(xs));
  d.y = Tensor({rows, tcols}, std::move(ys));
  return d;
}

llvm::FailureOr<DataFiles> loadData(const std::string &path, const Shape &sampleShape, std::string &error) {
  llvm::StringRef p(path);
  if (p.ends_with_insensitive(".npz")) return loadNpz(path, error);
  if (p.ends_with_insensitive(".csv")) {
    auto d = loadCsv(path, sampleShape, error);
    if (failed(d)) return failure();
    DataFiles f;
    f.train = std::move(*d);
    return f;
  }
  error = path + ": unknown data format (expected .npz or .csv; for .npy files use x.npy and y.npy)";
  return failure();
}

llvm::LogicalResult checkFits(const Dataset &data, const std::string &what, const Shape &inputSample,
                              const std::string &inputName, const Shape &outputSample, LossKind loss,
                              std::string &error) {
  Shape want{-1};
  want.insert(want.end(), inputSample.begin(), inputSample.end());
  auto nShape = [](const Shape &s) {
    std::string r = shapeStr(s);
    return s.empty() ? r : "[N" + (s.size() > 1 ? "," + r.substr(r.find(',') + 1) : std::string("]"));
  };
  bool ok = data.x.rank() == (int64_t)want.size();
  for (size_t d = 1; ok && d < want.size(); ++d) ok = data.x.shape[d] == want[d];
  if (!ok) {
    error = what + " x has shape " + shapeStr(data.x.shape) + ", the model input '" + inputName + "' expects " +
            nShape(want);
    return failure();
  }
  int64_t outPer = numelOf(outputSample), n = data.size();
  int64_t yPer = n ? data.y.numel() / n : 0;
  Shape outWant{-1};
  outWant.insert(outWant.end(), outputSample.begin(), outputSample.end());
  if (isClassification(loss)) {
    if (yPer == 1 || yPer == outPer) return llvm::success();
    error = what + " y has shape " + shapeStr(data.y.shape) + "; cross-entropy on the model output " +
            nShape(outWant) + " needs class indices [N] or one-hot targets " + nShape(outWant);
    return failure();
  }
  if (yPer != outPer) {
    error = what + " y has shape " + shapeStr(data.y.shape) + ", the model output is " + nShape(outWant);
    return failure();
  }
  return llvm::success();
}

std::vector<int64_t> seededPermutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(n);
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[(int64_t)(rng() % (uint64_t)(i + 1))]);
  return p;
}

std::pair<Dataset, Dataset> splitTrainVal(const Dataset &data, double valFraction, uint64_t seed) {
  int64_t n = data.size(), nv = (int64_t)std::llround(n * valFraction);
  nv = std::min(std::max<int64_t>(nv, 0), n);
  std::vector<int64_t> p = seededPermutation(n, seed);
  Dataset train, val;
  train.integerTargets = val.integerTargets = data.integerTargets;
  data.batch(p, 0, n - nv, train.x, train.y);
  data.batch(p, n - nv, n, val.x, val.y);
  return {std::move(train), std::move(val)};
}

} // namespace dnnopt::search
