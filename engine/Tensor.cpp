//===- Tensor.cpp - host tensors for the reference engine ------------------===//
#include "engine/Tensor.h"

#include <cstring>

#include <cmath>
#include <limits>

using namespace mlir;

namespace dnnopt::engine {

FailureOr<DType> dtypeOf(Type t) {
  if (t.isF32()) return DType::F32;
  if (t.isF64()) return DType::F64;
  if (auto it = dyn_cast<IntegerType>(t)) {
    bool u = it.isUnsigned();
    switch (it.getWidth()) {
    case 1: return DType::Bool;
    case 2: case 4: // sub-byte activations: one value per int8 (their range is kept by
                    // the ops' clamps, docs/quantization.md "Sub-byte activations")
      if (!u) return DType::I8;
      break;
    case 8: return u ? DType::U8 : DType::I8;
    case 16: return u ? DType::U16 : DType::I16;
    case 32: return u ? DType::U32 : DType::I32;
    case 64: return DType::I64;
    }
  }
  return failure();
}

Type mlirTypeOf(DType d, MLIRContext *ctx) {
  auto si = [&](unsigned w) { return IntegerType::get(ctx, w); };
  auto ui = [&](unsigned w) { return IntegerType::get(ctx, w, IntegerType::Unsigned); };
  switch (d) {
  case DType::F32: return Float32Type::get(ctx);
  case DType::F64: return Float64Type::get(ctx);
  case DType::I8: return si(8);
  case DType::U8: return ui(8);
  case DType::I16: return si(16);
  case DType::U16: return ui(16);
  case DType::I32: return si(32);
  case DType::U32: return ui(32);
  case DType::I64: return si(64);
  case DType::Bool: return si(1);
  }
  return {};
}

const char *dtypeName(DType d) {
  switch (d) {
  case DType::F32: return "f32";
  case DType::F64: return "f64";
  case DType::I8: return "i8";
  case DType::U8: return "ui8";
  case DType::I16: return "i16";
  case DType::U16: return "ui16";
  case DType::I32: return "i32";
  case DType::U32: return "ui32";
  case DType::I64: return "i64";
  case DType::Bool: return "i1";
  }
  return "?";
}

size_t dtypeSize(DType d) {
  switch (d) {
  case DType::F64: case DType::I64: return 8;
  case DType::F32: case DType::I32: case DType::U32: return 4;
  case DType::I16: case DType::U16: return 2;
  default: return 1; // I8, U8, Bool
  }
}

std::string toRawBytes(const Tensor &t) {
  size_t size = dtypeSize(t.dtype);
  std::string out;
  out.reserve((size_t)t.numel() * size);
  for (int64_t k = 0; k < t.numel(); ++k) {
    unsigned char b[8];
    if (t.dtype == DType::F32) std::memcpy(b, &t.f[k], 4);
    else if (t.dtype == DType::F64) { double v = t.f[k]; std::memcpy(b, &v, 8); }
    else { uint64_t v = (uint64_t)t.i[k]; for (size_t i = 0; i < size; ++i) b[i] = (unsigned char)(v >> (8 * i)); }
    out.append((const char *)b, size);
  }
  return out;
}

Tensor fromRawBytes(DType dtype, std::vector<int64_t> shape, const unsigned char *d) {
  Tensor t(dtype, std::move(shape));
  size_t size = dtypeSize(dtype);
  auto le = [](const unsigned char *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = v << 8 | p[i];
    return v;
  };
  for (int64_t k = 0, n = t.numel(); k < n; ++k, d += size) {
    switch (dtype) {
    case DType::F32: { float v; std::memcpy(&v, d, 4); t.f[k] = v; break; }
    case DType::F64: { double v; std::memcpy(&v, d, 8); t.f[k] = (float)v; break; }
    case DType::I8: t.i[k] = (int8_t)d[0]; break;
    case DType::I16: t.i[k] = (int16_t)le(d, 2); break;
    case DType::I32: t.i[k] = (int32_t)le(d, 4); break;
    case DType::I64: t.i[k] = (int64_t)le(d, 8); break;
    case DType::U16: t.i[k] = (int64_t)le(d, 2); break;
    case DType::U32: t.i[k] = (int64_t)le(d, 4); break;
    default: t.i[k] = d[0]; break; // U8, Bool
    }
  }
  return t;
}

double dtypeMin(DType d) {
  switch (d) {
  case DType::I8: return -128;
  case DType::I16: return -32768;
  case DType::I32: return -2147483648.0;
  case DType::I64: return -9.223372036854775808e18;
  case DType::F32: return -std::numeric_limits<float>::infinity();
  case DType::F64: return -std::numeric_limits<double>::infinity();
  default: return 0;
  }
}

double dtypeMax(DType d) {
  switch (d) {
  case DType::I8: return 127;
  case DType::U8: return 255;
  case DType::I16: return 32767;
  case DType::U16: return 65535;
  case DType::I32: return 2147483647.0;
  case DType::U32: return 4294967295.0;
  case DType::I64: return 9.223372036854774784e18; // largest double below 2^63
  case DType::Bool: return 1;
  default: return std::numeric_limits<double>::infinity();
  }
}

Tensor::Tensor(DType d, std::vector<int64_t> s) : dtype(d), shape(std::move(s)) {
  if (isFloat(d)) f.assign(numel(), 0.0f);
  else i.assign(numel(), 0);
}

Tensor Tensor::floats(std::vector<int64_t> s, std::vector<float> v) {
  Tensor t;
  t.shape = std::move(s);
  t.f = std::move(v);
  return t;
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void Tensor::set(int64_t k, double v) {
  if (isFloat(dtype)) {
    f[k] = (float)v;
    return;
  }
  if (std::isnan(v)) v = 0;
  if (dtype == DType::Bool) {
    i[k] = v != 0;
    return;
  }
  v = std::fmin(std::fmax(v, dtypeMin(dtype)), dtypeMax(dtype));
  i[k] = (int64_t)v;
}

std::vector<int64_t> Tensor::strides() const {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

FailureOr<Tensor> Tensor::fromAttr(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  auto dt = dtypeOf(type.getElementType());
  if (failed(dt)) return failure();
  Tensor t(*dt, std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense) return failure();
  if (*dt == DType::F32) {
    int64_t k = 0;
    for (float v : dense.getValues<float>()) t.f[k++] = v;
  } else if (*dt == DType::F64) {
    int64_t k = 0;
    for (double v : dense.getValues<double>()) t.f[k++] = (float)v;
  } else {
    bool isUnsigned = type.getElementType().isUnsignedInteger();
    int64_t k = 0;
    for (const APInt &v : dense.getValues<APInt>())
      t.i[k++] = isUnsigned || *dt == DType::Bool ? (int64_t)v.getZExtValue() : v.getSExtValue();
  }
  return t;
}

DenseElementsAttr Tensor::toAttr(MLIRContext *ctx) const {
  auto type = RankedTensorType::get(shape, mlirTypeOf(dtype, ctx));
  if (dtype == DType::F32) return DenseElementsAttr::get(type, llvm::ArrayRef<float>(f));
  if (dtype == DType::F64) {
    std::vector<double> d(f.begin(), f.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<double>(d));
  }
  unsigned width = dtype == DType::Bool ? 1 : type.getElementTypeBitWidth();
  std::vector<APInt> values;
  values.reserve(i.size());
  for (int64_t v : i) values.emplace_back(width, (uint64_t)v, /*isSigned=*/true, /*implicitTrunc=*/true);
  return DenseElementsAttr::get(type, values);
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? "," : "") + std::to_string(shape[k]);
  return s + "]";
}

} // namespace dnnopt::engine
