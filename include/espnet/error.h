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

/// Thrown when a Session is entered by a second thread while another thread is using it (a
/// Session serves one thread at a time; make one per thread, they may share a Model). The run
/// in progress is not disturbed.
class ESPNET_API SessionInUseError : public Error {
 public:
  explicit SessionInUseError(const std::string& message) : Error(message) {}
};

}  // namespace espnet
