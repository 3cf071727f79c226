// A minimal, non-executing pickle reader for PyTorch checkpoints.
//
// It understands the opcodes of protocols 2..5 that state dicts use and builds a plain object
// graph. Nothing is ever called: a GLOBAL is accepted only when its "module.name" is in the
// caller's allowlist (anything else, e.g. os.system, is refused with an error naming it), a
// REDUCE of collections.OrderedDict() makes an empty dict and any other REDUCE is recorded as an
// unevaluated call for the caller to interpret. Stack, mark depth, memo and object count are
// bounded, and every length is checked against the bytes left, so memory stays proportional
// to the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace espnet {

/// One object of the unpickled graph. Objects are owned by an arena (PickleObjects), children
/// are plain pointers, so shared references and even cycles (possible through the memo) are
/// safe and destruction is flat, however deep a malicious file nests its containers.
struct PickleValue {
  enum class Kind {
    kNone,
    kBool,
    kInt,     // fits in int64: `integer`
    kBigInt,  // LONG1/LONG4 wider than 8 bytes: little-endian two's complement bytes in `text`
    kFloat,
    kString,  // unicode, UTF-8 in `text`
    kBytes,   // BINSTRING/BINBYTES family, raw in `text`
    kTuple,
    kList,
    kDict,        // items = key0, value0, key1, value1, ... in insertion order
    kGlobal,      // an allowlisted "module.name" in `text`
    kCall,        // unevaluated REDUCE: items = {callable (kGlobal), args (kTuple)}
    kPersistent,  // BINPERSID: items = {persistent id}
  };
  Kind kind = Kind::kNone;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;
  std::vector<PickleValue*> items;
  /// Byte offset of the opcode that created the object, for error messages.
  size_t offset = 0;

  size_t dict_size() const { return items.size() / 2; }
  const PickleValue* dict_key(size_t i) const { return items[2 * i]; }
  const PickleValue* dict_value(size_t i) const { return items[2 * i + 1]; }
  /// The value stored under the string key `key`, nullptr when absent or not a dict.
  const PickleValue* dict_find(const std::string& key) const;
};

/// "None", "int", "str", "dict", "call to torch._utils._rebuild_tensor_v2", ...
std::string pickle_kind_name(const PickleValue& value);

/// Owns every object of one unpickled graph.
class PickleObjects {
 public:
  PickleValue* make(PickleValue::Kind kind, size_t offset);
  size_t size() const { return objects_.size(); }

 private:
  std::vector<std::unique_ptr<PickleValue>> objects_;
};

struct PickleLimits {
  size_t max_stack = size_t{1} << 20;            // values on the stack at once
  size_t max_mark_depth = 1000;                  // nested MARKs
  size_t max_memo = size_t{1} << 22;             // memo entries
  size_t max_objects = size_t{1} << 22;          // objects created in total
  size_t max_container_items = size_t{1} << 24;  // elements of one list/tuple/dict
};

/// Result of reading one pickle: the root object and where the pickle ended.
struct Unpickled {
  std::unique_ptr<PickleObjects> objects;
  const PickleValue* root = nullptr;
  /// Bytes consumed, STOP included (legacy checkpoints hold several pickles back to back).
  size_t end = 0;
};

/// Reads one pickle from data[0, size). Error messages say "checkpoint <source>", so `source`
/// names the file and the part, e.g. "'model.pth' (zip entry 'model/data.pkl')";
/// `base_offset` is added to offsets in messages so they point into the whole file.
/// Throws espnet::Error on a malformed pickle, a refused global or an exceeded limit.
Unpickled read_pickle(const uint8_t* data, size_t size, const std::string& source,
                      const std::set<std::string>& allowed_globals, size_t base_offset = 0,
                      const PickleLimits& limits = PickleLimits());

}  // namespace espnet
