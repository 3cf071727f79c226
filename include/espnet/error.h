// Error type thrown by every part of the library. The message is meant for a user: it names the
// file, field, tensor or flag at fault and, where it can, what to do about it.
#pragma once

#include <stdexcept>
#include <string>

#include "espnet/export.h"

namespace espnet {

/// The exception every library call throws for bad input, a bad file or an unsupported model;
/// what() says what is wrong and, where it can, what to do.
class ESPNET_API Error : public std::runtime_error {
 public:
  /// An error with a message for the user.
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace espnet
