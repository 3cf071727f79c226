#include "model_file/model_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "espnet/error.h"
#include "file_util.h"
#include "parallel_crc32.h"

// Tensor data is copied with memcpy, which is only the file's little-endian order on such a host.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "model files assume a little-endian host");

namespace espnet {
namespace {

constexpr char kMagic[8] = {'E', 'S', 'P', 'N', 'E', 'T', 'V', '2'};
// 2: CRC-32 (zlib) instead of FNV-1a; Model::save stores the layers' folded, packed arrays.
// 3: a dtype field in each table entry (int8 and int32 tensors of quantized models). Files
// with float32 tensors only are still written as version 2, which older builds read.
constexpr uint32_t kFloatVersion = 2;
constexpr uint32_t kTypedVersion = 3;
constexpr uint64_t kHeaderBytes = 64;
constexpr uint64_t kChecksumBytes = 8;
constexpr uint64_t kDataAlignment = 64;
constexpr uint64_t kMaxFileBytes = 4ull << 30;
constexpr uint64_t kMaxConfigBytes = 1ull << 20;
constexpr uint64_t kMaxTensors = 1ull << 16;
constexpr uint64_t kMaxNameBytes = 256;
constexpr uint64_t kMaxRank = 8;
// Smallest table entry: name length, a 1-byte name, rank 0, data offset, data size.
constexpr uint64_t kMinEntryBytes = 4 + 1 + 4 + 8 + 8;

uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
void set_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void set_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Empty when `name` is acceptable, else what is wrong with it. Printable ASCII without spaces
// keeps names safe to print in messages and unambiguous in "key=value" style listings.
std::string name_problem(const uint8_t* name, uint64_t length) {
  if (length == 0) return "empty name";
  if (length > kMaxNameBytes)
    return "name length " + std::to_string(length) + " exceeds " + std::to_string(kMaxNameBytes);
  for (uint64_t i = 0; i < length; ++i) {
    if (name[i] < 0x21 || name[i] > 0x7e) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", name[i]);
      return "name has byte " + std::string(hex) + " at position " + std::to_string(i) +
             " (names must be printable ASCII without spaces)";
    }
  }
  return "";
}

// Element count of `dims`, or -1 when a dim is negative, or -2 when numel * 4 would overflow.
int64_t checked_numel(const int64_t* dims, size_t rank) {
  constexpr int64_t kMaxNumel = std::numeric_limits<int64_t>::max() / 4;
  int64_t n = 1;
  for (size_t i = 0; i < rank; ++i)
    if (dims[i] < 0) return -1;
  for (size_t i = 0; i < rank; ++i) {
    if (dims[i] != 0 && n > kMaxNumel / dims[i]) return -2;
    n *= dims[i];
  }
  return n;
}

bool known_dtype(uint32_t dtype) {
  return dtype <= static_cast<uint32_t>(ModelFileDType::kInt32);
}

}  // namespace

size_t model_file_dtype_bytes(ModelFileDType dtype) {
  return dtype == ModelFileDType::kInt8 ? 1 : 4;
}

namespace model_file_detail {

uint64_t checksum(const uint8_t* data, size_t size) {
  // zlib's CRC-32 on the OpenMP threads: a 23 MB file costs a few milliseconds (FNV-1a, a byte at
  // a time, took ~40).
  return parallel_crc32({{data, size}})[0];
}

void reseal(std::vector<uint8_t>& bytes) {
  if (bytes.size() < kHeaderBytes + kChecksumBytes) throw Error("reseal: buffer too small");
  set_u64(bytes.data() + 16, bytes.size());
  size_t at = bytes.size() - kChecksumBytes;
  set_u64(bytes.data() + at, checksum(bytes.data(), at));
}

}  // namespace model_file_detail

std::vector<uint8_t> encode_model_file(const ModelFileContents& contents, const std::string& name) {
  auto fail = [&](const std::string& what) { return Error(name + ": " + what); };
  if (contents.config.size() > kMaxConfigBytes)
    throw fail("config is " + std::to_string(contents.config.size()) +
               " bytes, over the limit of " + std::to_string(kMaxConfigBytes));
  if (contents.tensors.size() > kMaxTensors)
    throw fail("too many tensors (" + std::to_string(contents.tensors.size()) + ")");
  uint64_t table_offset = align_up(kHeaderBytes + contents.config.size(), 8);
  uint64_t table_size = 0;
  std::unordered_map<std::string, size_t> seen;
  bool typed = false;
  for (const ModelFileTensor& t : contents.tensors) typed |= t.dtype != ModelFileDType::kFloat32;
  const uint64_t dtype_field = typed ? 4 : 0;
  for (size_t i = 0; i < contents.tensors.size(); ++i) {
    const ModelFileTensor& t = contents.tensors[i];
    std::string problem =
        name_problem(reinterpret_cast<const uint8_t*>(t.name.data()), t.name.size());
    if (!problem.empty()) throw fail("tensor #" + std::to_string(i) + ": " + problem);
    if (!seen.emplace(t.name, i).second) throw fail("tensor '" + t.name + "': duplicate name");
    if (t.shape.size() > kMaxRank)
      throw fail("tensor '" + t.name + "': rank " + std::to_string(t.shape.size()) + " exceeds 8");
    if (!known_dtype(static_cast<uint32_t>(t.dtype)))
      throw fail("tensor '" + t.name + "': unknown dtype");
    int64_t numel = checked_numel(t.shape.data(), t.shape.size());
    const bool is_float = t.dtype == ModelFileDType::kFloat32;
    const uint64_t stored = is_float ? t.values.size() * sizeof(float) : t.bytes.size();
    if (numel < 0 || stored != static_cast<uint64_t>(numel) * model_file_dtype_bytes(t.dtype) ||
        (is_float ? !t.bytes.empty() : !t.values.empty()))
      throw fail("tensor '" + t.name + "': " +
                 (is_float ? std::to_string(t.values.size()) + " values"
                           : std::to_string(t.bytes.size()) + " bytes") +
                 " do not fit shape " + shape_to_string(t.shape));
    table_size += 4 + t.name.size() + 4 + 8 * t.shape.size() + dtype_field + 8 + 8;
  }
  const auto data_bytes = [](const ModelFileTensor& t) {
    return t.dtype == ModelFileDType::kFloat32 ? t.values.size() * sizeof(float) : t.bytes.size();
  };
  const auto data_pointer = [](const ModelFileTensor& t) -> const void* {
    return t.dtype == ModelFileDType::kFloat32 ? static_cast<const void*>(t.values.data())
                                               : static_cast<const void*>(t.bytes.data());
  };
  // Lay out the data first so the table can carry final offsets.
  std::vector<uint64_t> offsets;
  uint64_t end = table_offset + table_size;
  for (const ModelFileTensor& t : contents.tensors) {
    offsets.push_back(align_up(end, kDataAlignment));
    end = offsets.back() + data_bytes(t);
  }
  uint64_t file_size = end + kChecksumBytes;
  if (file_size > kMaxFileBytes)
    throw fail("model would be " + std::to_string(file_size) + " bytes, over the limit of " +
               std::to_string(kMaxFileBytes));

  // Every byte not written below (padding, the flags and reserved fields) stays zero.
  std::vector<uint8_t> out(file_size, 0);
  uint8_t* p = out.data();
  auto put = [&p](const void* bytes, size_t n) {
    if (n) std::memcpy(p, bytes, n);
    p += n;
  };
  auto put_u32 = [&p](uint32_t v) { set_u32(p, v), p += 4; };
  auto put_u64 = [&p](uint64_t v) { set_u64(p, v), p += 8; };
  put(kMagic, sizeof kMagic);
  put_u32(typed ? kTypedVersion : kFloatVersion);
  put_u32(0);  // flags: none defined
  put_u64(file_size);
  put_u64(contents.config.size());
  put_u64(contents.tensors.size());
  put_u64(table_offset);
  put_u64(table_size);
  p = out.data() + kHeaderBytes;  // after the reserved u64
  put(contents.config.data(), contents.config.size());
  p = out.data() + table_offset;
  for (size_t i = 0; i < contents.tensors.size(); ++i) {
    const ModelFileTensor& t = contents.tensors[i];
    put_u32(static_cast<uint32_t>(t.name.size()));
    put(t.name.data(), t.name.size());
    put_u32(static_cast<uint32_t>(t.shape.size()));
    for (int64_t d : t.shape) put_u64(static_cast<uint64_t>(d));
    if (typed) put_u32(static_cast<uint32_t>(t.dtype));
    put_u64(offsets[i]);
    put_u64(data_bytes(t));
  }
  for (size_t i = 0; i < contents.tensors.size(); ++i) {
    p = out.data() + offsets[i];
    put(data_pointer(contents.tensors[i]), data_bytes(contents.tensors[i]));
  }
  set_u64(out.data() + end, model_file_detail::checksum(out.data(), end));
  return out;
}

void write_model_file(const std::string& path, const ModelFileContents& contents) {
  std::vector<uint8_t> bytes = encode_model_file(contents, path);
  write_file_atomic(path, bytes.data(), bytes.size());
}

bool looks_like_model_file(const uint8_t* data, size_t size) {
  return size >= sizeof kMagic && std::memcmp(data, kMagic, sizeof kMagic) == 0;
}

ModelFileView parse_model_file_view(const uint8_t* data, size_t size, const std::string& name) {
  auto fail = [&](const std::string& what) { return Error(name + ": " + what); };
  auto num = [](uint64_t v) { return std::to_string(v); };
  if (size < sizeof kMagic)
    throw fail("file too small (" + num(size) + " bytes) to be a model file");
  if (!looks_like_model_file(data, size))
    throw fail("not an espnet model file (it does not start with \"ESPNETV2\")");
  if (size < kHeaderBytes + kChecksumBytes)
    throw fail("truncated: " + num(size) + " bytes, the header alone needs " +
               num(kHeaderBytes + kChecksumBytes));
  uint32_t version = get_u32(data + 8);
  if (version != kFloatVersion && version != kTypedVersion)
    throw fail("unsupported format version " + num(version) + " (this build reads versions " +
               num(kFloatVersion) + " and " + num(kTypedVersion) +
               (version < kFloatVersion ? "; convert the .pth again" : "") + ")");
  const bool typed = version == kTypedVersion;
  if (uint32_t flags = get_u32(data + 12))
    throw fail("header field 'flags' is " + num(flags) + ", expected 0");
  uint64_t declared_size = get_u64(data + 16);
  if (declared_size != size)
    throw fail("header says the file is " + num(declared_size) + " bytes but it is " + num(size) +
               " (truncated or padded)");
  if (size > kMaxFileBytes)
    throw fail("file is " + num(size) + " bytes, over the limit of " + num(kMaxFileBytes));
  const uint64_t data_end = size - kChecksumBytes;  // where the trailing checksum starts
  if (get_u64(data + data_end) != model_file_detail::checksum(data, data_end))
    throw fail("checksum mismatch: the file is corrupt");

  // The checksum only proves the bytes are what some writer produced; a forged or buggy file
  // can still be inconsistent, so every field is checked before use.
  uint64_t config_length = get_u64(data + 24);
  uint64_t count = get_u64(data + 32);
  uint64_t table_offset = get_u64(data + 40);
  uint64_t table_size = get_u64(data + 48);
  if (uint64_t reserved = get_u64(data + 56))
    throw fail("header field 'reserved' is " + num(reserved) + ", expected 0");
  if (config_length > kMaxConfigBytes)
    throw fail("config length " + num(config_length) + " exceeds the limit of " +
               num(kMaxConfigBytes) + " bytes");
  if (config_length > data_end - kHeaderBytes)
    throw fail("config length " + num(config_length) + " runs past end of file (size " + num(size) +
               ")");
  if (count > kMaxTensors)
    throw fail("tensor count " + num(count) + " exceeds the limit of " + num(kMaxTensors));
  if (table_offset < kHeaderBytes + config_length)
    throw fail("tensor table offset " + num(table_offset) + " overlaps the header and config " +
               "(which end at " + num(kHeaderBytes + config_length) + ")");
  if (table_offset > data_end || table_size > data_end - table_offset)
    throw fail("tensor table (offset " + num(table_offset) + ", " + num(table_size) +
               " bytes) runs past end of file (size " + num(size) + ")");
  if (count > table_size / kMinEntryBytes)
    throw fail("tensor count " + num(count) + " cannot fit in a tensor table of " +
               num(table_size) + " bytes");

  if (reinterpret_cast<uintptr_t>(data) % alignof(float) != 0)
    throw fail("the file's bytes are not aligned for float32 access");
  ModelFileView contents;
  contents.config.assign(reinterpret_cast<const char*>(data + kHeaderBytes), config_length);
  const uint64_t table_end = table_offset + table_size;
  uint64_t pos = table_offset;
  struct Extent {
    uint64_t offset, bytes;
    size_t index;
  };
  std::vector<Extent> extents;
  std::unordered_map<std::string, size_t> seen;
  contents.tensors.resize(count);
  for (size_t i = 0; i < count; ++i) {
    std::string where = "tensor #" + num(i);
    auto take = [&](uint64_t n, const char* field) {
      if (n > table_end - pos) throw fail(where + ": tensor table ends while reading its " + field);
      const uint8_t* p = data + pos;
      pos += n;
      return p;
    };
    uint64_t name_length = get_u32(take(4, "name length"));
    if (name_length > kMaxNameBytes) throw fail(where + ": " + name_problem(nullptr, name_length));
    const uint8_t* name_bytes = take(name_length, "name");
    std::string problem = name_problem(name_bytes, name_length);
    if (!problem.empty()) throw fail(where + ": " + problem);
    ModelFileTensorView& t = contents.tensors[i];
    t.name.assign(reinterpret_cast<const char*>(name_bytes), name_length);
    where = "tensor '" + t.name + "'";
    auto [it, fresh] = seen.emplace(t.name, i);
    if (!fresh)
      throw fail(where + ": duplicate name (tensors #" + num(it->second) + " and #" + num(i) + ")");
    uint64_t rank = get_u32(take(4, "rank"));
    if (rank > kMaxRank) throw fail(where + ": rank " + num(rank) + " exceeds " + num(kMaxRank));
    const uint8_t* dims = take(8 * rank, "dims");
    for (uint64_t d = 0; d < rank; ++d)
      t.shape.push_back(static_cast<int64_t>(get_u64(dims + 8 * d)));
    int64_t numel = checked_numel(t.shape.data(), t.shape.size());
    if (numel == -1)
      throw fail(where + ": negative dimension in shape " + shape_to_string(t.shape));
    if (numel == -2)
      throw fail(where + ": shape " + shape_to_string(t.shape) + " overflows (too many elements)");
    if (typed) {
      const uint32_t dtype = get_u32(take(4, "dtype"));
      if (!known_dtype(dtype)) throw fail(where + ": unknown dtype " + num(dtype));
      t.dtype = static_cast<ModelFileDType>(dtype);
    }
    const uint64_t element_bytes = model_file_dtype_bytes(t.dtype);
    const char* type_name = t.dtype == ModelFileDType::kFloat32 ? " float32"
                            : t.dtype == ModelFileDType::kInt8  ? " int8"
                                                                : " int32";
    uint64_t offset = get_u64(take(8, "data offset"));
    uint64_t bytes = get_u64(take(8, "data size"));
    if (bytes != static_cast<uint64_t>(numel) * element_bytes)
      throw fail(where + ": data size " + num(bytes) + " does not match shape " +
                 shape_to_string(t.shape) + " (" + num(numel) + type_name + " = " +
                 num(numel * element_bytes) + " bytes)");
    if (offset % kDataAlignment != 0)
      throw fail(where + ": data offset " + num(offset) + " is not " + num(kDataAlignment) +
                 "-byte aligned");
    if (offset < table_end)
      throw fail(where + ": data offset " + num(offset) +
                 " overlaps the header or tensor table (which end at " + num(table_end) + ")");
    if (offset > data_end)
      throw fail(where + ": data offset " + num(offset) + " beyond end of file (size " + num(size) +
                 ")");
    if (bytes > data_end - offset)
      throw fail(where + ": data (offset " + num(offset) + ", " + num(bytes) +
                 " bytes) runs past the end of the tensor data at " + num(data_end) +
                 " (file size " + num(size) + ")");
    extents.push_back({offset, bytes, i});
  }
  if (pos != table_end)
    throw fail("tensor table has " + num(table_end - pos) + " unused trailing bytes");

  std::sort(extents.begin(), extents.end(),
            [](const Extent& a, const Extent& b) { return a.offset < b.offset; });
  const Extent* previous = nullptr;
  for (const Extent& e : extents) {
    if (e.bytes == 0) continue;  // an empty tensor occupies no bytes
    if (previous && previous->offset + previous->bytes > e.offset)
      throw fail("tensor '" + contents.tensors[e.index].name + "': data at offset " +
                 num(e.offset) + " overlaps tensor '" + contents.tensors[previous->index].name +
                 "' (bytes " + num(previous->offset) + ".." +
                 num(previous->offset + previous->bytes) + ")");
    previous = &e;
  }
  for (const Extent& e : extents) {
    ModelFileTensorView& t = contents.tensors[e.index];
    t.numel = static_cast<int64_t>(e.bytes / model_file_dtype_bytes(t.dtype));
    t.bytes = data + e.offset;
    if (t.dtype == ModelFileDType::kFloat32) t.data = reinterpret_cast<const float*>(t.bytes);
  }
  return contents;
}

ModelFileContents parse_model_file(const uint8_t* data, size_t size, const std::string& name) {
  // Validate an aligned copy when the caller's bytes are not aligned (the views need it).
  std::vector<uint8_t> aligned;
  if (reinterpret_cast<uintptr_t>(data) % alignof(float) != 0) {
    aligned.assign(data, data + size);
    data = aligned.data();
  }
  ModelFileView view = parse_model_file_view(data, size, name);
  ModelFileContents contents;
  contents.config = std::move(view.config);
  contents.tensors.reserve(view.tensors.size());
  for (ModelFileTensorView& t : view.tensors) {
    if (t.dtype == ModelFileDType::kFloat32) {
      contents.tensors.push_back(float32_tensor(std::move(t.name), std::move(t.shape),
                                                std::vector<float>(t.data, t.data + t.numel)));
    } else {
      const size_t bytes = size_t(t.numel) * model_file_dtype_bytes(t.dtype);
      contents.tensors.push_back({std::move(t.name),
                                  std::move(t.shape),
                                  {},
                                  t.dtype,
                                  std::vector<uint8_t>(t.bytes, t.bytes + bytes)});
    }
  }
  return contents;
}

ModelFileContents read_model_file(const std::string& path) {
  if (is_directory(path)) throw Error("'" + path + "' is a directory, not a model file");
  std::vector<uint8_t> bytes = read_file_bytes(path, kMaxFileBytes);
  return parse_model_file(bytes.data(), bytes.size(), path);
}

}  // namespace espnet
