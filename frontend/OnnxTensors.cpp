//===- OnnxTensors.cpp - ONNX element types and TensorProto payloads ------===//
#include "frontend/OnnxTensors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;

namespace dnnopt::onnximport {

Type elementTypeFor(int32_t dataType, MLIRContext *ctx) {
  using TP = onnx::TensorProto;
  switch (dataType) {
  case TP::FLOAT: return Float32Type::get(ctx);
  case TP::DOUBLE: return Float64Type::get(ctx);
  case TP::FLOAT16: return Float16Type::get(ctx);
  case TP::INT8: return IntegerType::get(ctx, 8);
  case TP::INT16: return IntegerType::get(ctx, 16);
  case TP::INT32: return IntegerType::get(ctx, 32);
  case TP::INT64: return IntegerType::get(ctx, 64);
  case TP::UINT8: return IntegerType::get(ctx, 8, IntegerType::Unsigned);
  case TP::UINT16: return IntegerType::get(ctx, 16, IntegerType::Unsigned);
  case TP::UINT32: return IntegerType::get(ctx, 32, IntegerType::Unsigned);
  case TP::UINT64: return IntegerType::get(ctx, 64, IntegerType::Unsigned);
  case TP::BOOL: return IntegerType::get(ctx, 1);
  default: return {};
  }
}

std::string dataTypeName(int32_t dataType) {
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(dataType));
  return "code " + std::to_string(dataType);
}

int64_t rawElementBytes(Type elementType) {
  if (elementType.isInteger(1)) return 1;
  return (elementType.getIntOrFloatBitWidth() + 7) / 8;
}

int64_t checkedElementCount(llvm::ArrayRef<int64_t> dims) {
  // Every dim is bounded on its own too: [0, 2^62] has no elements but its
  // dims would still overflow shape arithmetic.
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > kMaxTensorElements) return -1;
    n = (d == 0 || n == 0) ? 0 : n * d;
    if (n > kMaxTensorElements) return -1;
  }
  return n;
}

namespace {
std::string shapeText(llvm::ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

/// Builds the attribute from little-endian bytes, one element after the other.
DenseElementsAttr fromRawBytes(RankedTensorType type, llvm::StringRef bytes) {
  Type elt = type.getElementType();
  if (elt.isInteger(1)) {
    llvm::SmallVector<bool> values;
    values.reserve(bytes.size());
    for (char c : bytes) values.push_back(c != 0);
    return DenseElementsAttr::get(type, llvm::ArrayRef<bool>(values));
  }
  if (type.getNumElements() == 0) return DenseElementsAttr::get(type, llvm::ArrayRef<Attribute>{});
  return DenseElementsAttr::getFromRawBuffer(type,
                                             llvm::ArrayRef<char>(bytes.data(), bytes.size()));
}

template <typename T> void appendBytes(std::string &out, T value) {
  char buf[sizeof(T)];
  std::memcpy(buf, &value, sizeof(T));
  out.append(buf, sizeof(T));
}

/// Serializes the typed repeated field that holds `tensor`'s values into raw
/// little-endian bytes. Returns the number of values found in that field.
int64_t typedFieldToBytes(const onnx::TensorProto &t, Type elt, std::string &out) {
  using TP = onnx::TensorProto;
  switch (t.data_type()) {
  case TP::FLOAT:
    for (float v : t.float_data()) appendBytes(out, v);
    return t.float_data_size();
  case TP::DOUBLE:
    for (double v : t.double_data()) appendBytes(out, v);
    return t.double_data_size();
  case TP::INT64:
    for (int64_t v : t.int64_data()) appendBytes(out, v);
    return t.int64_data_size();
  case TP::UINT32:
    for (uint64_t v : t.uint64_data()) appendBytes(out, static_cast<uint32_t>(v));
    return t.uint64_data_size();
  case TP::UINT64:
    for (uint64_t v : t.uint64_data()) appendBytes(out, v);
    return t.uint64_data_size();
  default: {
    // int32_data holds INT32, INT16, INT8, UINT16, UINT8, BOOL and the bit
    // patterns of FLOAT16, one value per entry.
    int64_t bytes = rawElementBytes(elt);
    for (int32_t v : t.int32_data()) {
      uint32_t u = static_cast<uint32_t>(v);
      if (bytes == 1)
        appendBytes(out, static_cast<uint8_t>(elt.isInteger(1) ? (v != 0) : u));
      else if (bytes == 2)
        appendBytes(out, static_cast<uint16_t>(u));
      else
        appendBytes(out, u);
    }
    return t.int32_data_size();
  }
  }
}

/// True when `location` is a relative path that stays inside its folder.
bool isSafeRelativePath(llvm::StringRef location) {
  if (location.empty() || llvm::sys::path::is_absolute(location) || location.starts_with("/") ||
      location.starts_with("\\"))
    return false;
  for (auto it = llvm::sys::path::begin(location), e = llvm::sys::path::end(location); it != e;
       ++it)
    if (*it == "..") return false;
  return true;
}

/// Reads the bytes of an external tensor into `out`.
bool readExternalData(const onnx::TensorProto &t, int64_t expectedBytes,
                      const ExternalDataContext &ext, std::string &out, std::string &error) {
  const std::string tname = "tensor '" + t.name() + "'";
  if (ext.baseDir.empty()) {
    error = tname + " uses external data, which cannot be resolved for a model read from memory";
    return false;
  }
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      uint64_t v;
      if (llvm::StringRef(kv.value()).getAsInteger(10, v)) {
        error = tname + ": external data " + kv.key() + " '" + kv.value() + "' is not a number";
        return false;
      }
      if (kv.key() == "offset")
        offset = v;
      else
        length = v;
    }
  }
  if (!isSafeRelativePath(location)) {
    error = tname + ": external data location '" + location +
            "' must be a relative path inside the model's folder";
    return false;
  }
  llvm::SmallString<256> path(ext.baseDir);
  llvm::sys::path::append(path, location);
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(path, status) || !llvm::sys::fs::is_regular_file(status)) {
    error = tname + ": external data file '" + std::string(path) + "' not found";
    return false;
  }
  // A symbolic link must not lead out of the model's folder either.
  llvm::SmallString<256> realBase, realFile;
  if (llvm::sys::fs::real_path(ext.baseDir, realBase) || llvm::sys::fs::real_path(path, realFile) ||
      !llvm::StringRef(realFile).starts_with(std::string(realBase) + "/")) {
    error = tname + ": external data file '" + location + "' resolves outside the model's folder";
    return false;
  }
  uint64_t fileSize = status.getSize();
  if (length && *length != static_cast<uint64_t>(expectedBytes)) {
    error = tname + ": external data length " + std::to_string(*length) + " does not match the " +
            std::to_string(expectedBytes) + " bytes its shape needs";
    return false;
  }
  if (offset > fileSize || fileSize - offset < static_cast<uint64_t>(expectedBytes)) {
    error = tname + ": external data file '" + location + "' is too short (needs " +
            std::to_string(expectedBytes) + " bytes at offset " + std::to_string(offset) +
            ", file has " + std::to_string(fileSize) + ")";
    return false;
  }
  if (expectedBytes == 0) return true;
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, expectedBytes, offset);
  if (!buffer || (*buffer)->getBufferSize() != static_cast<size_t>(expectedBytes)) {
    error = tname + ": cannot read external data file '" + location + "'";
    return false;
  }
  out.assign((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  return true;
}
} // namespace

DenseElementsAttr decodeTensor(const onnx::TensorProto &t, const ExternalDataContext &ext,
                               MLIRContext *ctx, std::string &error) {
  const std::string tname = "tensor '" + t.name() + "'";
  Type elt = elementTypeFor(t.data_type(), ctx);
  if (!elt) {
    error = "unsupported element type " + dataTypeName(t.data_type()) + " of " + tname;
    return {};
  }
  if (t.has_segment()) {
    error = "unsupported segmented " + tname;
    return {};
  }
  llvm::SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  int64_t n = checkedElementCount(dims);
  if (n < 0) {
    error = tname + " has invalid or too large shape " + shapeText(dims);
    return {};
  }
  auto type = RankedTensorType::get(dims, elt);
  int64_t expectedBytes = n * rawElementBytes(elt);

  std::string bytes;
  const std::string *data = &bytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (!readExternalData(t, expectedBytes, ext, bytes, error)) return {};
  } else if (t.has_raw_data()) {
    data = &t.raw_data();
  } else {
    int64_t count = typedFieldToBytes(t, elt, bytes);
    if (count != n) {
      error = tname + " holds " + std::to_string(count) + " values, its shape " + shapeText(dims) +
              " needs " + std::to_string(n);
      return {};
    }
  }
  if (static_cast<int64_t>(data->size()) != expectedBytes) {
    error = tname + " holds " + std::to_string(data->size()) + " bytes of data, its shape " +
            shapeText(dims) + " of " + dataTypeName(t.data_type()) + " needs " +
            std::to_string(expectedBytes);
    return {};
  }
  return fromRawBytes(type, *data);
}

} // namespace dnnopt::onnximport
