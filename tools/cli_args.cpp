#include "cli_args.h"

#include <climits>
#include <cstdlib>

namespace espnet::cli {

Args::Args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-' &&
        !(a.size() > 1 && (isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.'))) {
      std::string name = a, inline_value;
      bool has_inline = false;
      size_t eq = a.find('=');
      if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
        name = a.substr(0, eq);
        inline_value = a.substr(eq + 1);
        has_inline = true;
      }
      const OptionSpec* spec = nullptr;
      for (const OptionSpec& s : specs)
        if (s.name == name || (!s.short_name.empty() && s.short_name == name)) spec = &s;
      if (!spec) throw UsageError("unknown option '" + name + "'");
      if (!spec->takes_value) {
        if (has_inline) throw UsageError("option '" + spec->name + "' takes no value");
        flags_[spec->name] = true;
        continue;
      }
      if (!has_inline) {
        if (i + 1 >= args.size()) throw UsageError("option '" + spec->name + "' needs a value");
        inline_value = args[++i];
      }
      values_[spec->name] = inline_value;
      continue;
    }
    positional_.push_back(a);
  }
}

std::string Args::value(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

int Args::int_value(const std::string& name, int fallback, int min, int max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  const std::string& v = it->second;
  char* end = nullptr;
  errno = 0;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno == ERANGE || n < min || n > max)
    throw UsageError("option '" + name + "' needs an integer from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got '" + v + "'");
  return static_cast<int>(n);
}

double Args::double_value(const std::string& name, double fallback, double min, double max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  const std::string& v = it->second;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d >= min && d <= max))
    throw UsageError("option '" + name + "' needs a number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got '" + v + "'");
  return d;
}

bool Args::size_value(const std::string& name, int* width, int* height) const {
  auto it = values_.find(name);
  if (it == values_.end()) return false;
  const std::string& v = it->second;
  size_t x = v.find_first_of("xX");
  auto parse = [&](const std::string& s) {
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n < 1 || n > 16384)
      throw UsageError("option '" + name + "' needs WIDTHxHEIGHT (1..16384 each), got '" + v + "'");
    return static_cast<int>(n);
  };
  if (x == std::string::npos)
    throw UsageError("option '" + name + "' needs WIDTHxHEIGHT, got '" + v + "'");
  *width = parse(v.substr(0, x));
  *height = parse(v.substr(x + 1));
  return true;
}

std::string usage_text(const std::string& name, const std::string& synopsis,
                       const std::string& description, const std::vector<OptionSpec>& specs) {
  std::string out = "usage: espnet " + name + " " + synopsis + "\n\n" + description + "\n";
  if (!specs.empty()) out += "\noptions:\n";
  for (const OptionSpec& s : specs) {
    std::string left = "  " + (s.short_name.empty() ? "" : s.short_name + ", ") + s.name +
                       (s.takes_value ? " VALUE" : "");
    if (left.size() < 24) left.append(24 - left.size(), ' ');
    out += left + " " + s.help + "\n";
  }
  out += "  --help                 show this help\n";
  return out;
}

OptionSpec threads_option() {
  return {"--threads", true, "OpenMP threads (default: all cores)"};
}

}  // namespace espnet::cli
