// Error type thrown by every part of the library. The message is meant for a user: it names the
// file, field, tensor or flag at fault and, where it can, what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace espnet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace espnet
