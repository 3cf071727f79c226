// .npy parsing: the header is a Python dict literal; we accept exactly the three keys NumPy
// writes and check the data size against the shape before touching the data.
#include "espnet/npy.h"

#include <cstring>

#include "espnet/error.h"
#include "file_util.h"

namespace espnet {
namespace {

size_t type_size(NpyType t) {
  switch (t) {
    case NpyType::kFloat32:
    case NpyType::kInt32:
      return 4;
    case NpyType::kFloat64:
    case NpyType::kInt64:
      return 8;
    case NpyType::kUInt8:
      return 1;
  }
  return 0;
}

const char* type_descr(NpyType t) {
  switch (t) {
    case NpyType::kFloat32:
      return "<f4";
    case NpyType::kFloat64:
      return "<f8";
    case NpyType::kInt32:
      return "<i4";
    case NpyType::kInt64:
      return "<i8";
    case NpyType::kUInt8:
      return "|u1";
  }
  return "";
}

// Finds the value text after 'key': in the header dict.
std::string header_value(const std::string& header, const std::string& key,
                         const std::string& name) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) throw Error(name + ": .npy header has no '" + key + "'");
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) throw Error(name + ": malformed .npy header near '" + key + "'");
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos) throw Error(name + ": malformed .npy header");
  size_t end;
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos) throw Error(name + ": unterminated shape in .npy header");
    return header.substr(start, end - start + 1);
  }
  if (header[start] == '\'') {
    end = header.find('\'', start + 1);
    if (end == std::string::npos) throw Error(name + ": unterminated string in .npy header");
    return header.substr(start + 1, end - start - 1);
  }
  end = header.find_first_of(",}", start);
  if (end == std::string::npos) throw Error(name + ": malformed .npy header");
  return header.substr(start, end - start);
}

Shape parse_shape(const std::string& text, const std::string& name) {
  Shape shape;
  size_t i = 1;
  while (i < text.size() && text[i] != ')') {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (text[i] == ')') break;
    if (text[i] < '0' || text[i] > '9') throw Error(name + ": bad shape " + text);
    int64_t v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (v > (int64_t{1} << 40)) throw Error(name + ": shape extent too large in " + text);
      v = v * 10 + (text[i] - '0');
      ++i;
    }
    while (i < text.size() && text[i] == 'L') ++i;
    shape.push_back(v);
    if (shape.size() > 8) throw Error(name + ": too many dimensions in " + text);
  }
  return shape;
}

}  // namespace

NpyArray parse_npy(const uint8_t* data, size_t size, const std::string& name) {
  static const char kMagic[] = "\x93NUMPY";
  if (size < 10 || std::memcmp(data, kMagic, 6) != 0) throw Error(name + ": not a .npy file");
  int major = data[6];
  size_t header_len, header_start;
  if (major == 1) {
    header_len = data[8] | (data[9] << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) throw Error(name + ": truncated .npy header");
    header_len = data[8] | (data[9] << 8) | (size_t(data[10]) << 16) | (size_t(data[11]) << 24);
    header_start = 12;
  } else {
    throw Error(name + ": unsupported .npy version " + std::to_string(major));
  }
  if (header_len > size - header_start) throw Error(name + ": truncated .npy header");
  std::string header(reinterpret_cast<const char*>(data + header_start), header_len);
  NpyArray array;
  std::string descr = header_value(header, "descr", name);
  if (descr == "<f4")
    array.type = NpyType::kFloat32;
  else if (descr == "<f8")
    array.type = NpyType::kFloat64;
  else if (descr == "|u1" || descr == "<u1")
    array.type = NpyType::kUInt8;
  else if (descr == "<i4")
    array.type = NpyType::kInt32;
  else if (descr == "<i8")
    array.type = NpyType::kInt64;
  else
    throw Error(name + ": unsupported .npy dtype '" + descr + "'");
  if (header_value(header, "fortran_order", name) != "False")
    throw Error(name + ": Fortran-order .npy arrays are not supported");
  array.shape = parse_shape(header_value(header, "shape", name), name);
  // The element count is checked against the bytes really present before anything is
  // allocated; the division keeps a header claiming 2^62 elements from wrapping the product.
  const uint64_t payload = size - header_start - header_len;
  const uint64_t element = type_size(array.type);
  bool empty = false;
  for (int64_t extent : array.shape) empty = empty || extent == 0;
  uint64_t n = empty ? 0 : 1;
  bool fits = true;
  for (size_t d = 0; d < array.shape.size() && !empty && fits; ++d) {
    const uint64_t extent = static_cast<uint64_t>(array.shape[d]);
    if (n > payload / element / extent)
      fits = false;
    else
      n *= extent;
  }
  if (!fits)
    throw Error(name + ": .npy shape " + shape_to_string(array.shape) + " needs more than the " +
                std::to_string(payload) + " data bytes the file holds");
  if (n * element != payload)
    throw Error(name + ": .npy shape " + shape_to_string(array.shape) + " needs " +
                std::to_string(n * element) + " data bytes but the file holds " +
                std::to_string(payload));
  const uint8_t* p = data + header_start + header_len;
  array.bytes.assign(p, p + payload);
  return array;
}

NpyArray read_npy(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path, kMaxNpyFileBytes);
  return parse_npy(bytes.data(), bytes.size(), path);
}

Tensor NpyArray::to_tensor() const {
  Tensor t(shape);
  float* out = t.data();
  int64_t n = t.numel();
  const uint8_t* p = bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    switch (type) {
      case NpyType::kFloat32:
        std::memcpy(&out[i], p + 4 * i, 4);
        break;
      case NpyType::kFloat64: {
        double d;
        std::memcpy(&d, p + 8 * i, 8);
        out[i] = static_cast<float>(d);
        break;
      }
      case NpyType::kUInt8:
        out[i] = p[i];
        break;
      case NpyType::kInt32: {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        out[i] = static_cast<float>(v);
        break;
      }
      case NpyType::kInt64: {
        int64_t v;
        std::memcpy(&v, p + 8 * i, 8);
        out[i] = static_cast<float>(v);
        break;
      }
    }
  }
  return t;
}

Tensor read_npy_f32(const std::string& path) {
  NpyArray a = read_npy(path);
  if (a.type != NpyType::kFloat32) throw Error(path + ": expected a float32 (<f4) array");
  return a.to_tensor();
}

void write_npy(const std::string& path, NpyType type, const Shape& shape, const void* data) {
  std::string header =
      std::string("{'descr': '") + type_descr(type) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) header += std::to_string(shape[i]) + ", ";
  if (shape.size() > 1) header.erase(header.size() - 1);  // (1, 2) but (3,)
  if (shape.size() > 1) header.erase(header.size() - 1);
  if (shape.size() == 1) header.erase(header.size() - 1);
  header += "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  size_t payload = static_cast<size_t>(shape_numel(shape)) * type_size(type);
  std::vector<uint8_t> out(10 + header.size() + payload);
  std::memcpy(out.data(), "\x93NUMPY\x01\x00", 8);
  out[8] = static_cast<uint8_t>(header.size() & 0xff);
  out[9] = static_cast<uint8_t>(header.size() >> 8);
  std::memcpy(out.data() + 10, header.data(), header.size());
  if (payload) std::memcpy(out.data() + 10 + header.size(), data, payload);
  write_file_atomic(path, out.data(), out.size());
}

void write_npy(const std::string& path, const Tensor& tensor) {
  write_npy(path, NpyType::kFloat32, tensor.shape(), tensor.data());
}

}  // namespace espnet
