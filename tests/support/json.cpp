#include "json.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "file_util.h"

namespace espnet::test {

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : s_(text) {}

  Json parse_value() {
    skip_space();
    if (pos_ >= s_.size()) fail("unexpected end");
    char c = s_[pos_];
    Json v;
    if (c == '{') {
      v.type_ = Json::Type::kObject;
      ++pos_;
      skip_space();
      if (peek() == '}') return ++pos_, v;
      while (true) {
        skip_space();
        std::string key = parse_string();
        skip_space();
        expect(':');
        v.object_[key] = parse_value();
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.type_ = Json::Type::kArray;
      ++pos_;
      skip_space();
      if (peek() == ']') return ++pos_, v;
      while (true) {
        v.array_.push_back(parse_value());
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.type_ = Json::Type::kString;
      v.string_ = parse_string();
      return v;
    }
    if (s_.compare(pos_, 4, "true") == 0)
      return pos_ += 4, v.type_ = Json::Type::kBool, v.bool_ = true, v;
    if (s_.compare(pos_, 5, "false") == 0) return pos_ += 5, v.type_ = Json::Type::kBool, v;
    if (s_.compare(pos_, 4, "null") == 0) return pos_ += 4, v;
    if (s_.compare(pos_, 3, "NaN") == 0)
      return pos_ += 3, v.type_ = Json::Type::kNumber, v.number_ = NAN, v;
    char* end = nullptr;
    v.number_ = std::strtod(s_.c_str() + pos_, &end);
    if (end == s_.c_str() + pos_) fail("bad value");
    pos_ = end - s_.c_str();
    v.type_ = Json::Type::kNumber;
    return v;
  }

  void finish() {
    skip_space();
    if (pos_ != s_.size()) fail("trailing characters");
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(pos_));
  }
  std::string parse_string() {
    expect('"');
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      char e = s_[pos_++];
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
          unsigned code = std::stoul(s_.substr(pos_, 4), nullptr, 16);
          pos_ += 4;
          if (code < 0x80) {
            out += char(code);
          } else if (code < 0x800) {
            out += char(0xC0 | (code >> 6));
            out += char(0x80 | (code & 0x3F));
          } else {
            out += char(0xE0 | (code >> 12));
            out += char(0x80 | ((code >> 6) & 0x3F));
            out += char(0x80 | (code & 0x3F));
          }
          break;
        }
        default:
          out += e;
      }
    }
    expect('"');
    return out;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

Json Json::parse(const std::string& text) {
  JsonParser p(text);
  Json v = p.parse_value();
  p.finish();
  return v;
}

Json Json::parse_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  return parse(std::string(bytes.begin(), bytes.end()));
}

bool Json::has(const std::string& key) const {
  return type_ == Type::kObject && object_.count(key);
}

const Json& Json::operator[](const std::string& key) const {
  auto it = object_.find(key);
  if (type_ != Type::kObject || it == object_.end())
    throw std::runtime_error("JSON: no key '" + key + "'");
  return it->second;
}

const Json& Json::operator[](size_t index) const {
  if (type_ != Type::kArray || index >= array_.size())
    throw std::runtime_error("JSON: index out of range");
  return array_[index];
}

size_t Json::size() const {
  return type_ == Type::kArray ? array_.size() : object_.size();
}
double Json::number() const {
  if (type_ != Type::kNumber) throw std::runtime_error("JSON: not a number");
  return number_;
}
const std::string& Json::str() const {
  if (type_ != Type::kString) throw std::runtime_error("JSON: not a string");
  return string_;
}
bool Json::boolean() const {
  return bool_;
}
const std::vector<Json>& Json::array() const {
  return array_;
}
const std::map<std::string, Json>& Json::object() const {
  return object_;
}

}  // namespace espnet::test
