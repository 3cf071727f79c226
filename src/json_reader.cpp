#include "json_reader.h"

#include <cmath>
#include <cstdlib>

#include "espnet/error.h"
#include "file_util.h"

namespace espnet {

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : s_(text) {}

  JsonValue parse_value(int depth) {
    // Deeper documents than any we write are refused before they can exhaust the stack.
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    skip_space();
    if (pos_ >= s_.size()) fail("unexpected end");
    const char c = s_[pos_];
    JsonValue v;
    if (c == '{') {
      v.type_ = JsonValue::Type::kObject;
      ++pos_;
      skip_space();
      if (peek() == '}') return ++pos_, v;
      while (true) {
        skip_space();
        std::string key = parse_string();
        skip_space();
        expect(':');
        v.object_[key] = parse_value(depth + 1);
        skip_space();
        if (peek() != ',') break;
        ++pos_;
      }
      expect('}');
      return v;
    }
    if (c == '[') {
      v.type_ = JsonValue::Type::kArray;
      ++pos_;
      skip_space();
      if (peek() == ']') return ++pos_, v;
      while (true) {
        v.array_.push_back(parse_value(depth + 1));
        skip_space();
        if (peek() != ',') break;
        ++pos_;
      }
      expect(']');
      return v;
    }
    if (c == '"') {
      v.type_ = JsonValue::Type::kString;
      v.string_ = parse_string();
      return v;
    }
    if (s_.compare(pos_, 4, "true") == 0)
      return pos_ += 4, v.type_ = JsonValue::Type::kBool, v.bool_ = true, v;
    if (s_.compare(pos_, 5, "false") == 0) return pos_ += 5, v.type_ = JsonValue::Type::kBool, v;
    if (s_.compare(pos_, 4, "null") == 0) return pos_ += 4, v;
    // Python's json writes NaN for a not-a-number (the reference manifest has some).
    if (s_.compare(pos_, 3, "NaN") == 0)
      return pos_ += 3, v.type_ = JsonValue::Type::kNumber, v.number_ = NAN, v;
    if (c != '-' && (c < '0' || c > '9')) fail("bad value");
    char* end = nullptr;
    v.number_ = std::strtod(s_.c_str() + pos_, &end);
    if (end == s_.c_str() + pos_) fail("bad number");
    pos_ = static_cast<size_t>(end - s_.c_str());
    v.type_ = JsonValue::Type::kNumber;
    return v;
  }

  void finish() {
    skip_space();
    if (pos_ != s_.size()) fail("trailing characters");
  }

 private:
  static constexpr int kMaxDepth = 64;

  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c || pos_ >= s_.size()) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("JSON: " + what + " at offset " + std::to_string(pos_));
  }
  unsigned hex4() {
    if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
    unsigned code = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[pos_++];
      code <<= 4;
      if (h >= '0' && h <= '9')
        code |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        code |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        code |= static_cast<unsigned>(h - 'A' + 10);
      else
        fail("bad \\u escape");
    }
    return code;
  }
  std::string parse_string() {
    expect('"');
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      const char c = s_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("unterminated string");
      const char e = s_[pos_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          const unsigned code = hex4();
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
          }
          break;
        }
        default:
          out += e;
      }
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

JsonValue JsonValue::parse(const std::string& text) {
  JsonParser p(text);
  JsonValue v = p.parse_value(0);
  p.finish();
  return v;
}

JsonValue JsonValue::parse_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  try {
    return parse(std::string(bytes.begin(), bytes.end()));
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

bool JsonValue::has(const std::string& key) const {
  return type_ == Type::kObject && object_.count(key);
}

const JsonValue& JsonValue::operator[](const std::string& key) const {
  const auto it = object_.find(key);
  if (type_ != Type::kObject || it == object_.end()) throw Error("JSON: no key '" + key + "'");
  return it->second;
}

const JsonValue& JsonValue::operator[](size_t index) const {
  if (type_ != Type::kArray || index >= array_.size())
    throw Error("JSON: index " + std::to_string(index) + " out of range");
  return array_[index];
}

size_t JsonValue::size() const {
  return type_ == Type::kArray ? array_.size() : object_.size();
}
double JsonValue::number() const {
  if (type_ != Type::kNumber) throw Error("JSON: not a number");
  return number_;
}
const std::string& JsonValue::str() const {
  if (type_ != Type::kString) throw Error("JSON: not a string");
  return string_;
}
bool JsonValue::boolean() const {
  if (type_ != Type::kBool) throw Error("JSON: not true or false");
  return bool_;
}
const std::vector<JsonValue>& JsonValue::array() const {
  if (type_ != Type::kArray) throw Error("JSON: not an array");
  return array_;
}
const std::map<std::string, JsonValue>& JsonValue::object() const {
  if (type_ != Type::kObject) throw Error("JSON: not an object");
  return object_;
}

}  // namespace espnet
