//===- Npy.cpp - numpy .npy / .npz files -----------------------------------===//
#include "engine/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <zlib.h>

using namespace mlir;

namespace dnnopt::engine {
namespace {

struct NpyDType {
  const char *descr;
  DType dtype;
  size_t size;
};
const NpyDType kDTypes[] = {
    {"<f4", DType::F32, 4}, {"<f8", DType::F64, 8}, {"|i1", DType::I8, 1}, {"|u1", DType::U8, 1},
    {"<i2", DType::I16, 2}, {"<i4", DType::I32, 4}, {"<i8", DType::I64, 8}, {"|b1", DType::Bool, 1},
    {"<u2", DType::U16, 2}, {"<u4", DType::U32, 4}};

uint64_t readLE(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

/// Value of `key` in the header dict, e.g. 'descr': '<f4' -> "<f4".
std::string headerField(const std::string &header, const std::string &key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return "";
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) return "";
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos) return "";
  if (header[start] == '\'') {
    size_t end = header.find('\'', start + 1);
    return end == std::string::npos ? "" : header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '(') {
    size_t end = header.find(')', start);
    return end == std::string::npos ? "" : header.substr(start, end - start + 1);
  }
  size_t end = header.find_first_of(",}", start);
  return header.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool inflateRaw(llvm::StringRef in, size_t outSize, std::string &out) {
  out.assign(outSize, '\0');
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return false;
  zs.next_in = (Bytef *)in.data();
  zs.avail_in = (uInt)in.size();
  zs.next_out = (Bytef *)out.data();
  zs.avail_out = (uInt)out.size();
  int rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  return rc == Z_STREAM_END && zs.total_out == outSize;
}
} // namespace

FailureOr<Tensor> parseNpy(llvm::StringRef bytes, const std::string &what, std::string &error) {
  auto fail = [&](const std::string &msg) -> FailureOr<Tensor> {
    error = what + ": " + msg;
    return failure();
  };
  const auto *p = (const unsigned char *)bytes.data();
  if (bytes.size() < 10 || std::memcmp(p, "\x93NUMPY", 6) != 0) return fail("not a .npy array");
  int major = p[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = readLE(p + 8, 2);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return fail("truncated header");
    headerLen = readLE(p + 8, 4);
    offset = 12;
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  if (offset + headerLen > bytes.size()) return fail("truncated header");
  std::string header = bytes.substr(offset, headerLen).str();
  std::string descr = headerField(header, "descr");
  if (headerField(header, "fortran_order") != "False")
    return fail("Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  const NpyDType *dt = nullptr;
  for (const NpyDType &d : kDTypes)
    if (descr == d.descr || (d.size == 1 && descr.size() == 3 && descr.substr(1) == std::string(d.descr).substr(1)))
      dt = &d;
  if (!dt) return fail("unsupported dtype '" + descr + "' (use float32, float64, int8/16/32/64, uint8, bool)");
  std::string shapeText = headerField(header, "shape");
  if (shapeText.size() < 2 || shapeText.front() != '(') return fail("malformed shape");
  std::vector<int64_t> shape;
  int64_t count = 1;
  for (size_t i = 1; i + 1 < shapeText.size();) {
    size_t j = shapeText.find_first_of(",)", i);
    std::string num = shapeText.substr(i, j - i);
    num.erase(0, num.find_first_not_of(' '));
    if (!num.empty()) {
      char *end = nullptr;
      long long v = std::strtoll(num.c_str(), &end, 10);
      if (*end != '\0' && *end != ' ') return fail("malformed shape " + shapeText);
      if (v < 0 || v > (1LL << 31) || count * std::max<long long>(v, 1) > (1LL << 31))
        return fail("array too large " + shapeText);
      shape.push_back(v);
      count *= v;
    }
    if (j == std::string::npos) break;
    i = j + 1;
  }
  size_t dataOffset = offset + headerLen;
  if (bytes.size() - dataOffset < (size_t)count * dt->size)
    return fail("holds " + std::to_string(bytes.size() - dataOffset) + " data bytes, shape " +
                shapeText + " needs " + std::to_string(count * dt->size));
  Tensor t = fromRawBytes(dt->dtype, shape, p + dataOffset);
  return t;
}

FailureOr<Tensor> readNpy(const std::string &path, std::string &error) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    error = path + ": " + buf.getError().message();
    return failure();
  }
  return parseNpy((*buf)->getBuffer(), path, error);
}

FailureOr<std::map<std::string, Tensor>> readNpz(const std::string &path, std::string &error) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    error = path + ": " + buf.getError().message();
    return failure();
  }
  llvm::StringRef data = (*buf)->getBuffer();
  const auto *p = (const unsigned char *)data.data();
  auto fail = [&](const std::string &msg) -> FailureOr<std::map<std::string, Tensor>> {
    error = path + ": " + msg;
    return failure();
  };
  // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
  if (data.size() < 22) return fail("not a .npz (zip) archive");
  size_t eocd = std::string::npos;
  for (size_t i = data.size() - 22 + 1; i-- > 0 && data.size() - i <= 65557;)
    if (readLE(p + i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) return fail("not a .npz (zip) archive");
  uint64_t entries = readLE(p + eocd + 10, 2), cdOffset = readLE(p + eocd + 16, 4);
  if (cdOffset == 0xffffffff && eocd >= 20 && readLE(p + eocd - 20, 4) == 0x07064b50) {
    uint64_t z64 = readLE(p + eocd - 20 + 8, 8);
    if (z64 + 56 > data.size() || readLE(p + z64, 4) != 0x06064b50) return fail("corrupt zip64 directory");
    entries = readLE(p + z64 + 32, 8);
    cdOffset = readLE(p + z64 + 48, 8);
  }
  std::map<std::string, Tensor> arrays;
  size_t at = cdOffset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (at + 46 > data.size() || readLE(p + at, 4) != 0x02014b50) return fail("corrupt zip directory");
    uint64_t method = readLE(p + at + 10, 2), csize = readLE(p + at + 20, 4), usize = readLE(p + at + 24, 4);
    uint64_t nameLen = readLE(p + at + 28, 2), extraLen = readLE(p + at + 30, 2),
             commentLen = readLE(p + at + 32, 2), local = readLE(p + at + 42, 4);
    if (at + 46 + nameLen + extraLen > data.size()) return fail("corrupt zip directory");
    std::string name = data.substr(at + 46, nameLen).str();
    // Zip64 extra field: the 64-bit values of the fields saturated at 0xffffffff, in order.
    for (size_t x = at + 46 + nameLen; x + 4 <= at + 46 + nameLen + extraLen;) {
      uint64_t id = readLE(p + x, 2), len = readLE(p + x + 2, 2);
      if (id == 1) {
        size_t v = x + 4;
        if (usize == 0xffffffff && v + 8 <= x + 4 + len) { usize = readLE(p + v, 8); v += 8; }
        if (csize == 0xffffffff && v + 8 <= x + 4 + len) { csize = readLE(p + v, 8); v += 8; }
        if (local == 0xffffffff && v + 8 <= x + 4 + len) { local = readLE(p + v, 8); }
      }
      x += 4 + len;
    }
    at += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > data.size() || readLE(p + local, 4) != 0x04034b50) return fail("corrupt entry " + name);
    uint64_t start = local + 30 + readLE(p + local + 26, 2) + readLE(p + local + 28, 2);
    if (start > data.size() || csize > data.size() - start) return fail("truncated entry " + name);
    llvm::StringRef raw = data.substr(start, csize);
    std::string inflated;
    if (method == 8) {
      if (usize > (1ull << 33) || !inflateRaw(raw, usize, inflated)) return fail("cannot inflate entry " + name);
      raw = inflated;
    } else if (method != 0) {
      return fail("entry " + name + " uses unsupported compression method " + std::to_string(method));
    }
    std::string key = name;
    if (llvm::StringRef(key).ends_with(".npy")) key.resize(key.size() - 4);
    auto t = parseNpy(raw, path + ":" + key, error);
    if (failed(t)) return failure();
    arrays[key] = std::move(*t);
  }
  return arrays;
}

std::string serializeNpy(const Tensor &t) {
  const char *descr = "<f4";
  for (const NpyDType &d : kDTypes)
    if (d.dtype == t.dtype) descr = d.descr;
  std::string shape = "(";
  for (int64_t d : t.shape) shape += std::to_string(d) + ",";
  if (t.shape.size() > 1) shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += (char)(header.size() & 0xff);
  out += (char)(header.size() >> 8);
  out += header;
  out += toRawBytes(t);
  return out;
}

bool writeNpz(const std::string &path, const std::map<std::string, Tensor> &arrays, std::string &error) {
  std::string zip, central;
  auto le = [](std::string &s, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s += (char)(v >> (8 * i) & 0xff);
  };
  uint64_t count = 0;
  for (auto &[name, t] : arrays) {
    std::string file = name + ".npy", body = serializeNpy(t);
    uint32_t crc = (uint32_t)crc32(0, (const Bytef *)body.data(), (uInt)body.size());
    uint64_t offset = zip.size();
    le(zip, 0x04034b50, 4); le(zip, 20, 2); le(zip, 0, 2); le(zip, 0, 2); le(zip, 0, 2); le(zip, 0x21, 2);
    le(zip, crc, 4); le(zip, body.size(), 4); le(zip, body.size(), 4); le(zip, file.size(), 2); le(zip, 0, 2);
    zip += file + body;
    le(central, 0x02014b50, 4); le(central, 20, 2); le(central, 20, 2); le(central, 0, 2); le(central, 0, 2);
    le(central, 0, 2); le(central, 0x21, 2); le(central, crc, 4); le(central, body.size(), 4);
    le(central, body.size(), 4); le(central, file.size(), 2); le(central, 0, 2); le(central, 0, 2);
    le(central, 0, 2); le(central, 0, 2); le(central, 0, 4); le(central, offset, 4);
    central += file;
    ++count;
  }
  uint64_t cdOffset = zip.size();
  zip += central;
  le(zip, 0x06054b50, 4); le(zip, 0, 2); le(zip, 0, 2); le(zip, count, 2); le(zip, count, 2);
  le(zip, central.size(), 4); le(zip, cdOffset, 4); le(zip, 0, 2);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = path + ": " + ec.message();
    return false;
  }
  os << zip;
  return true;
}

} // namespace dnnopt::engine
