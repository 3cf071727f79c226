// Command-line parsing for the espnet subcommands: declared options, positional arguments, and
// usage errors that say what was wrong.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace espnet::cli {

/// A mistake in the command line: printed with the subcommand's usage, exit status 2.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

struct OptionSpec {
  std::string name;             // "--top"
  bool takes_value;             // false for a flag such as "--json"
  std::string help;             // one line for --help
  std::string short_name = "";  // "-o"
};

class Args {
 public:
  /// Parses `args` (the words after the subcommand). "--help" is always accepted.
  Args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

  bool help() const { return help_; }
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string value(const std::string& name, const std::string& fallback = "") const;
  /// An integer option within [min, max]; a malformed value is a UsageError naming the option.
  int int_value(const std::string& name, int fallback, int min, int max) const;
  double double_value(const std::string& name, double fallback, double min, double max) const;
  /// "--size WxH" parsed into width and height (both >= 1); false when absent.
  bool size_value(const std::string& name, int* width, int* height) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  bool help_ = false;
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> flags_;
  std::vector<std::string> positional_;
};

/// The usage text: "usage: espnet NAME SYNOPSIS" then one line per option.
std::string usage_text(const std::string& name, const std::string& synopsis,
                       const std::string& description, const std::vector<OptionSpec>& specs);

/// The option every subcommand takes.
OptionSpec threads_option();

}  // namespace espnet::cli
