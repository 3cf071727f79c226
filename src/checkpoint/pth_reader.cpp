#include "checkpoint/pth_reader.h"

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <unordered_set>

#include "checkpoint/pickle_reader.h"
#include "checkpoint/zip_archive.h"
#include "espnet/error.h"
#include "file_util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pth_reader.cpp reads little-endian storages with memcpy: port it for big-endian hosts"
#endif

namespace espnet {

const CheckpointTensor* Checkpoint::find(const std::string& name) const {
  for (const CheckpointTensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

namespace {

using Kind = PickleValue::Kind;

// torch.save's legacy magic number 0x1950a86a20f9469cfc6c, as LONG1 stores it (little-endian).
constexpr uint8_t kLegacyMagic[10] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kLegacyProtocol = 1001;
constexpr size_t kMaxRank = 32;
constexpr const char* kModulePrefix = "module.";

enum class DType { kFloat32, kFloat64, kFloat16, kInt64, kInt32, kUnsupported };

struct StorageType {
  const char* global;
  const char* dtype;
  int element_size;
  DType kind;
};

// Every storage type is allowed in the pickle so that an unsupported dtype gets a message
// about the dtype rather than a "refusing to load global" one.
constexpr StorageType kStorageTypes[] = {
    {"torch.FloatStorage", "float32", 4, DType::kFloat32},
    {"torch.DoubleStorage", "float64", 8, DType::kFloat64},
    {"torch.HalfStorage", "float16", 2, DType::kFloat16},
    {"torch.LongStorage", "int64", 8, DType::kInt64},
    {"torch.IntStorage", "int32", 4, DType::kInt32},
    {"torch.ShortStorage", "int16", 2, DType::kUnsupported},
    {"torch.CharStorage", "int8", 1, DType::kUnsupported},
    {"torch.ByteStorage", "uint8", 1, DType::kUnsupported},
    {"torch.BoolStorage", "bool", 1, DType::kUnsupported},
    {"torch.BFloat16Storage", "bfloat16", 2, DType::kUnsupported},
};

const std::set<std::string>& state_dict_globals() {
  static const std::set<std::string> globals = [] {
    std::set<std::string> g = {"collections.OrderedDict", "torch._utils._rebuild_tensor",
                               "torch._utils._rebuild_tensor_v2",
                               "torch._utils._rebuild_parameter"};
    for (const StorageType& t : kStorageTypes) g.insert(t.global);
    return g;
  }();
  return globals;
}

const std::set<std::string>& no_globals() {
  static const std::set<std::string> none;
  return none;
}

struct Storage {
  const StorageType* type = nullptr;
  uint64_t count = 0;              // elements, as the persistent id declares
  const uint8_t* bytes = nullptr;  // count * element_size bytes, once located in the file
};

// A tensor as the pickle describes it, before its values are gathered.
struct TensorRecord {
  std::string name;
  std::string storage_key;
  int64_t offset = 0;
  Shape size;
  Shape stride;
  int64_t numel = 0;
};

float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
  int exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);  // zero or subnormal
  } else if (exponent == 31) {
    magnitude = mantissa ? NAN : INFINITY;
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  }
  uint32_t bits;
  std::memcpy(&bits, &magnitude, sizeof bits);
  bits |= sign;
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// True when the strides are C order (dimensions of size 1 may have any stride).
bool is_contiguous(const TensorRecord& t) {
  int64_t expected = 1;
  for (size_t d = t.size.size(); d-- > 0;) {
    if (t.size[d] != 1 && t.stride[d] != expected) return false;
    expected *= t.size[d];
  }
  return true;
}

// Copies the elements of `t` (offset and strides already bounds-checked) out of `bytes`,
// converting each with `convert`.
template <int kElementSize, typename Convert>
void gather(const uint8_t* bytes, const TensorRecord& t, Convert convert, float* out) {
  if (t.numel == 0) return;
  const size_t rank = t.size.size();
  const bool contiguous = is_contiguous(t);
  const uint8_t* base = bytes + static_cast<size_t>(t.offset) * kElementSize;
  if (contiguous) {
    for (int64_t i = 0; i < t.numel; ++i) out[i] = convert(base + i * kElementSize);
    return;
  }
  // Odometer over the indices in C order; `pos` is the storage element of the current index.
  std::vector<int64_t> index(rank, 0);
  int64_t pos = 0;
  for (int64_t i = 0; i < t.numel; ++i) {
    out[i] = convert(base + pos * kElementSize);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < t.size[d]) {
        pos += t.stride[d];
        break;
      }
      pos -= t.stride[d] * (t.size[d] - 1);
      index[d] = 0;
    }
  }
}

void convert_tensor(const Storage& storage, const TensorRecord& t, float* out) {
  switch (storage.type->kind) {
    case DType::kFloat32:
      gather<4>(
          storage.bytes, t, [](const uint8_t* p) { return load<float>(p); }, out);
      break;
    case DType::kFloat64:
      gather<8>(
          storage.bytes, t, [](const uint8_t* p) { return static_cast<float>(load<double>(p)); },
          out);
      break;
    case DType::kFloat16:
      gather<2>(
          storage.bytes, t, [](const uint8_t* p) { return half_to_float(load<uint16_t>(p)); }, out);
      break;
    case DType::kInt64:
      gather<8>(
          storage.bytes, t, [](const uint8_t* p) { return static_cast<float>(load<int64_t>(p)); },
          out);
      break;
    case DType::kInt32:
      gather<4>(
          storage.bytes, t, [](const uint8_t* p) { return static_cast<float>(load<int32_t>(p)); },
          out);
      break;
    case DType::kUnsupported:
      break;  // refused before any conversion
  }
}

// Turns the unpickled state dict into tensor records and the storages they use, checking
// every field; then, once the caller has located each storage's bytes, gathers the values.
class StateDictBuilder {
 public:
  explicit StateDictBuilder(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("checkpoint '" + source_ + "': " + what);
  }

  void collect(const PickleValue& root) {
    const PickleValue* dict = &root;
    if (root.kind != Kind::kDict)
      fail("the pickled object is a " + pickle_kind_name(root) + ", not a state dict");
    // A training checkpoint {'state_dict': {...}, ...} or {'model': {...}} is tolerated.
    for (const char* wrapper : {"state_dict", "model"}) {
      const PickleValue* inner = root.dict_find(wrapper);
      if (inner && inner->kind == Kind::kDict) {
        dict = inner;
        break;
      }
    }
    std::unordered_set<std::string> names;
    for (size_t i = 0; i < dict->dict_size(); ++i) {
      const PickleValue* key = dict->dict_key(i);
      if (key->kind != Kind::kString)
        fail("state dict key #" + std::to_string(i) + " is a " + pickle_kind_name(*key) +
             ", not a string");
      std::string name = key->text;
      if (name.compare(0, std::strlen(kModulePrefix), kModulePrefix) == 0)
        name.erase(0, std::strlen(kModulePrefix));
      if (!names.insert(name).second)
        fail("tensor '" + name + "' appears twice in the state dict (key '" + key->text + "')");
      records_.push_back(parse_tensor(*dict->dict_value(i), name));
    }
  }

  // Storages referenced by the tensors, by key.
  std::map<std::string, Storage>& storages() { return storages_; }

  std::vector<CheckpointTensor> build(bool borrow_float32) const {
    std::vector<CheckpointTensor> tensors;
    tensors.reserve(records_.size());
    for (const TensorRecord& r : records_) {
      const Storage& storage = storages_.at(r.storage_key);
      if (!storage.bytes)
        fail("storage '" + r.storage_key + "' of tensor '" + r.name + "' is missing");
      CheckpointTensor t;
      t.name = r.name;
      t.shape = r.size;
      t.dtype = storage.type->dtype;
      const uint8_t* first = storage.bytes + static_cast<size_t>(r.offset) * 4;
      if (borrow_float32 && storage.type->kind == DType::kFloat32 && is_contiguous(r) &&
          reinterpret_cast<uintptr_t>(first) % alignof(float) == 0) {
        t.borrowed = reinterpret_cast<const float*>(first);  // little-endian host: as stored
        tensors.push_back(std::move(t));
        continue;
      }
      t.values.resize(static_cast<size_t>(r.numel));
      convert_tensor(storage, r, t.values.data());
      tensors.push_back(std::move(t));
    }
    return tensors;
  }

 private:
  int64_t int_field(const PickleValue& v, const std::string& what) const {
    if (v.kind != Kind::kInt) fail(what + " is a " + pickle_kind_name(v) + ", not an int");
    if (v.integer < 0) fail(what + " is negative (" + std::to_string(v.integer) + ")");
    return v.integer;
  }

  Shape int_tuple(const PickleValue& v, const std::string& what) const {
    if (v.kind != Kind::kTuple) fail(what + " is a " + pickle_kind_name(v) + ", not a tuple");
    if (v.items.size() > kMaxRank)
      fail(what + " has " + std::to_string(v.items.size()) + " dimensions (at most " +
           std::to_string(kMaxRank) + ")");
    Shape out;
    for (size_t d = 0; d < v.items.size(); ++d)
      out.push_back(int_field(*v.items[d], what + "[" + std::to_string(d) + "]"));
    return out;
  }

  // ('storage', torch.XStorage, key, location, element_count[, view_metadata]). The location
  // (cpu, cuda:0, ...) does not matter: everything is loaded to the CPU.
  const std::string& parse_storage(const PickleValue& ref, const std::string& tensor) {
    std::string what = "tensor '" + tensor + "': storage";
    if (ref.kind != Kind::kPersistent)
      fail(what + " is a " + pickle_kind_name(ref) + ", not a persistent id");
    const PickleValue& pid = *ref.items[0];
    if (pid.kind != Kind::kTuple || (pid.items.size() != 5 && pid.items.size() != 6))
      fail(what + " id is not a 5- or 6-tuple");
    const auto& f = pid.items;
    if (f[0]->kind != Kind::kString || f[0]->text != "storage")
      fail(what + " id does not start with 'storage'");
    if (f[1]->kind != Kind::kGlobal) fail(what + " type is a " + pickle_kind_name(*f[1]));
    const StorageType* type = nullptr;
    for (const StorageType& t : kStorageTypes)
      if (f[1]->text == t.global) type = &t;
    if (!type) fail(what + " type " + f[1]->text + " is not a storage type");
    if (type->kind == DType::kUnsupported)
      fail("tensor '" + tensor + "' has dtype " + type->dtype +
           ", which is not supported (float32, float64, float16, int64, int32 are)");
    if (f[2]->kind != Kind::kString) fail(what + " key is a " + pickle_kind_name(*f[2]));
    if (f[3]->kind != Kind::kString) fail(what + " location is a " + pickle_kind_name(*f[3]));
    const std::string& key = f[2]->text;
    what = "tensor '" + tensor + "': storage '" + key + "'";
    uint64_t count = static_cast<uint64_t>(int_field(*f[4], what + " element count"));
    if (pid.items.size() == 6 && f[5]->kind != Kind::kNone)
      fail(what + " is a view of another storage (legacy view metadata), which is not supported");
    auto it = storages_.find(key);
    if (it != storages_.end()) {
      if (it->second.type != type || it->second.count != count)
        fail(what + " is declared twice with different types or sizes");
      return it->first;
    }
    if (count > kMaxCheckpointBytes / type->element_size ||
        declared_bytes_ + count * type->element_size > kMaxCheckpointBytes)
      fail(what + " declares " + std::to_string(count) + " elements: the storages would need " +
           "more than the 2 GiB this reader accepts");
    declared_bytes_ += count * type->element_size;
    Storage storage;
    storage.type = type;
    storage.count = count;
    return storages_.emplace(key, storage).first->first;
  }

  TensorRecord parse_tensor(const PickleValue& value, const std::string& name) {
    const PickleValue* v = &value;
    auto callee = [](const PickleValue* c) {
      return c->kind == Kind::kCall ? c->items[0]->text : std::string();
    };
    // nn.Parameter(data, requires_grad, hooks) around the tensor.
    if (callee(v) == "torch._utils._rebuild_parameter") {
      const PickleValue& args = *v->items[1];
      if (args.items.size() != 3)
        fail("tensor '" + name + "': _rebuild_parameter needs 3 arguments");
      v = args.items[0];
    }
    std::string fn = callee(v);
    if (fn.empty())
      fail("state dict entry '" + name + "' is a " + pickle_kind_name(*v) + ", not a tensor");
    const PickleValue& args = *v->items[1];
    // _rebuild_tensor(storage, offset, size, stride) and _rebuild_tensor_v2(storage, offset,
    // size, stride, requires_grad, backward_hooks[, metadata]).
    bool v1 = fn == "torch._utils._rebuild_tensor" && args.items.size() == 4;
    bool v2 = fn == "torch._utils._rebuild_tensor_v2" &&
              (args.items.size() == 6 || args.items.size() == 7);
    if (!v1 && !v2)
      fail("state dict entry '" + name + "' is a " + pickle_kind_name(*v) + " with " +
           std::to_string(args.items.size()) + " arguments, not a tensor");
    TensorRecord r;
    r.name = name;
    r.storage_key = parse_storage(*args.items[0], name);
    r.offset = int_field(*args.items[1], "tensor '" + name + "': storage offset");
    r.size = int_tuple(*args.items[2], "tensor '" + name + "': size");
    r.stride = int_tuple(*args.items[3], "tensor '" + name + "': stride");
    if (r.size.size() != r.stride.size())
      fail("tensor '" + name + "' has " + std::to_string(r.size.size()) + " sizes but " +
           std::to_string(r.stride.size()) + " strides");
    check_bounds(r);
    return r;
  }

  // numel, and offset + sum((size - 1) * stride) < storage count, all overflow-checked.
  void check_bounds(TensorRecord& r) {
    const Storage& storage = storages_.at(r.storage_key);
    std::string what = "tensor '" + r.name + "' " + shape_to_string(r.size);
    int64_t numel = 1;
    for (int64_t extent : r.size)
      if (__builtin_mul_overflow(numel, extent, &numel))
        fail(what + ": the element count overflows");
    r.numel = numel;
    if (static_cast<uint64_t>(numel) > (kMaxCheckpointBytes - output_bytes_) / sizeof(float))
      fail(what + ": the tensors would need more than the 2 GiB this reader accepts");
    output_bytes_ += static_cast<uint64_t>(numel) * sizeof(float);
    if (numel == 0) return;
    int64_t last = r.offset;
    for (size_t d = 0; d < r.size.size(); ++d) {
      int64_t step;
      if (__builtin_mul_overflow(r.size[d] - 1, r.stride[d], &step) ||
          __builtin_add_overflow(last, step, &last))
        fail(what + ": offset/stride arithmetic overflows");
    }
    if (static_cast<uint64_t>(last) >= storage.count)
      fail(what + " with storage offset " + std::to_string(r.offset) + " and strides " +
           shape_to_string(r.stride) + " reaches element " + std::to_string(last) +
           " of storage '" + r.storage_key + "', which has only " + std::to_string(storage.count));
  }

  const std::string& source_;
  std::vector<TensorRecord> records_;
  std::map<std::string, Storage> storages_;
  uint64_t declared_bytes_ = 0;
  uint64_t output_bytes_ = 0;
};

// Legacy format: magic, protocol, system info, state dict and storage key list, each its own
// pickle, then per storage key an int64 element count and the raw little-endian elements.
Checkpoint parse_legacy(const uint8_t* data, size_t size, const std::string& name, bool borrow) {
  auto fail = [&](const std::string& what) -> void {
    throw Error("checkpoint '" + name + "' (legacy format): " + what);
  };
  size_t pos = 0;
  auto next_pickle = [&](const char* part, const std::set<std::string>& allowed) {
    Unpickled u =
        read_pickle(data + pos, size - pos, "'" + name + "' (" + part + " pickle)", allowed, pos);
    pos += u.end;
    return u;
  };
  bool magic_ok = false;
  try {
    Unpickled magic = next_pickle("magic number", no_globals());
    magic_ok = magic.root->kind == Kind::kBigInt &&
               magic.root->text == std::string(reinterpret_cast<const char*>(kLegacyMagic), 10);
  } catch (const Error& e) {
    // A bare pickle (e.g. pickle.dump of a dict) fails here: report the missing magic instead,
    // unless it tried to load a dangerous global, which the user should hear about.
    if (std::string(e.what()).rfind("refusing", 0) == 0) throw;
  }
  if (!magic_ok) fail("no legacy magic number at the start: not a PyTorch checkpoint");
  Unpickled protocol = next_pickle("protocol version", no_globals());
  if (protocol.root->kind != Kind::kInt || protocol.root->integer != kLegacyProtocol)
    fail("unsupported legacy protocol version (expected 1001)");
  // System info: only the byte order matters. type_sizes is ignored on purpose: files saved on
  // Windows say long = 4 while their LongStorages still hold 8-byte elements.
  Unpickled info = next_pickle("system info", no_globals());
  const PickleValue* little = info.root->dict_find("little_endian");
  if (!little || little->kind != Kind::kBool || !little->boolean)
    fail("the system info does not say little_endian = True (big-endian files are not supported)");

  StateDictBuilder builder(name);
  Unpickled state = next_pickle("state dict", state_dict_globals());
  builder.collect(*state.root);
  Unpickled keys = next_pickle("storage keys", no_globals());
  if (keys.root->kind != Kind::kList) fail("the storage key list is not a list");

  std::map<std::string, Storage>& storages = builder.storages();
  for (const PickleValue* key : keys.root->items) {
    if (key->kind != Kind::kString) fail("a storage key is not a string");
    std::string where = "storage '" + key->text + "' at byte " + std::to_string(pos);
    auto it = storages.find(key->text);
    if (it == storages.end()) fail(where + " is not used by any tensor");
    Storage& storage = it->second;
    if (storage.bytes) fail(where + " is listed twice");
    if (size - pos < 8) fail(where + ": the element count is truncated");
    uint64_t count = load<uint64_t>(data + pos);
    pos += 8;
    if (count != storage.count)
      fail(where + " holds " + std::to_string(count) + " elements but the state dict declares " +
           std::to_string(storage.count));
    uint64_t bytes = count * storage.type->element_size;  // bounded by the 2 GiB cap
    if (bytes > size - pos)
      fail(where + " needs " + std::to_string(bytes) + " bytes but only " +
           std::to_string(size - pos) + " are left (truncated file)");
    storage.bytes = data + pos;
    pos += bytes;
  }
  if (pos != size) fail(std::to_string(size - pos) + " unexpected bytes after the last storage");
  Checkpoint checkpoint;
  checkpoint.format = "legacy";
  checkpoint.tensors = builder.build(borrow);
  return checkpoint;
}

// Zip format: <root>/data.pkl is the state dict, <root>/data/<key> each storage's bytes.
Checkpoint parse_zip(const uint8_t* data, size_t size, const std::string& name, bool borrow) {
  auto fail = [&](const std::string& what) -> void {
    throw Error("checkpoint '" + name + "' (zip format): " + what);
  };
  ZipArchive zip(data, size, name);
  const ZipEntry* pickle = nullptr;
  for (const ZipEntry& e : zip.entries()) {
    size_t slash = e.name.find('/');
    if (slash == 0 || slash == std::string::npos || e.name.size() != slash + 9 ||
        e.name.compare(slash, 9, "/data.pkl") != 0)
      continue;
    if (pickle) fail("two state dict pickles: '" + pickle->name + "' and '" + e.name + "'");
    pickle = &e;
  }
  if (!pickle) fail("no '<root>/data.pkl' entry: this zip is not a PyTorch checkpoint");
  std::string root = pickle->name.substr(0, pickle->name.size() - 8);  // keeps the '/'
  if (const ZipEntry* order = zip.find(root + "byteorder")) {
    std::string value(reinterpret_cast<const char*>(zip.entry_data(*order)), order->size);
    if (value != "little") fail("byte order '" + value + "' is not supported (only little)");
  }

  StateDictBuilder builder(name);
  Unpickled state = read_pickle(zip.entry_data(*pickle), static_cast<size_t>(pickle->size),
                                "'" + name + "' (zip entry '" + pickle->name + "')",
                                state_dict_globals(), static_cast<size_t>(pickle->data_offset));
  builder.collect(*state.root);
  std::vector<const ZipEntry*> storage_entries;
  for (auto& [key, storage] : builder.storages()) {
    std::string entry_name = root + "data/" + key;
    const ZipEntry* entry = zip.find(entry_name);
    if (!entry) fail("storage '" + key + "' has no entry '" + entry_name + "'");
    uint64_t bytes = storage.count * storage.type->element_size;  // bounded by the 2 GiB cap
    if (entry->size != bytes)
      fail("entry '" + entry_name + "' has " + std::to_string(entry->size) + " bytes but its " +
           std::to_string(storage.count) + " " + storage.type->dtype + " elements need " +
           std::to_string(bytes));
    storage_entries.push_back(entry);
  }
  zip.verify(storage_entries);
  size_t next = 0;
  for (auto& [key, storage] : builder.storages())
    storage.bytes = zip.verified_data(*storage_entries[next++]);
  Checkpoint checkpoint;
  checkpoint.format = "zip";
  checkpoint.tensors = builder.build(borrow);
  return checkpoint;
}

bool starts_with(const uint8_t* data, size_t size, const uint8_t* prefix, size_t n) {
  return size >= n && std::memcmp(data, prefix, n) == 0;
}

constexpr uint8_t kZipPrefix[4] = {'P', 'K', 3, 4};
// PROTO 2, LONG1 of 10 bytes, then the magic number.
constexpr uint8_t kLegacyPrefix[4] = {0x80, 0x02, 0x8a, 0x0a};

}  // namespace

bool looks_like_pth(const uint8_t* data, size_t size) {
  if (starts_with(data, size, kZipPrefix, 4)) return true;
  return starts_with(data, size, kLegacyPrefix, 4) && size >= 14 &&
         std::memcmp(data + 4, kLegacyMagic, 10) == 0;
}

Checkpoint parse_pth(const uint8_t* data, size_t size, const std::string& name,
                     bool borrow_float32) {
  if (starts_with(data, size, kZipPrefix, 4)) return parse_zip(data, size, name, borrow_float32);
  if (size > 0 && data[0] == 0x80) return parse_legacy(data, size, name, borrow_float32);
  throw Error("checkpoint '" + name +
              "' is not a PyTorch .pth file (neither a zip archive nor a legacy pickle)");
}

Checkpoint read_pth(const std::string& path) {
  // The file may be somewhat larger than its storages (pickle, zip directory), not 2x.
  std::vector<uint8_t> bytes =
      read_file_bytes(path, kMaxCheckpointBytes + (kMaxCheckpointBytes >> 1));
  return parse_pth(bytes.data(), bytes.size(), path);
}

}  // namespace espnet
