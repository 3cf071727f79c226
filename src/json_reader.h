// A small, strict JSON reader for the files we write ourselves and read back: eval's per-image
// records (--resume, --merge) and, in the tests, the reference data's manifest. Input may come
// from a torn or edited file, so every malformed document is an espnet::Error naming the offset,
// nesting is bounded (no stack exhaustion) and nothing is read past the end.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace espnet {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  /// The whole of `text` must be one JSON value (surrounding white space allowed).
  static JsonValue parse(const std::string& text);
  static JsonValue parse_file(const std::string& path);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_array() const { return type_ == Type::kArray; }
  bool has(const std::string& key) const;
  /// Accessors throw espnet::Error for a missing key, an index out of range or another type.
  const JsonValue& operator[](const std::string& key) const;
  const JsonValue& operator[](size_t index) const;
  size_t size() const;
  double number() const;
  const std::string& str() const;
  bool boolean() const;
  const std::vector<JsonValue>& array() const;
  const std::map<std::string, JsonValue>& object() const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::map<std::string, JsonValue> object_;
  friend class JsonParser;
};

}  // namespace espnet
