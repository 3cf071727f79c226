// A small JSON reader for the reference manifest (tests only).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace espnet::test {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  static Json parse(const std::string& text);
  static Json parse_file(const std::string& path);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool has(const std::string& key) const;
  const Json& operator[](const std::string& key) const;  // throws when absent
  const Json& operator[](size_t index) const;
  size_t size() const;
  double number() const;
  const std::string& str() const;
  bool boolean() const;
  const std::vector<Json>& array() const;
  const std::map<std::string, Json>& object() const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> array_;
  std::map<std::string, Json> object_;
  friend class JsonParser;
};

}  // namespace espnet::test
