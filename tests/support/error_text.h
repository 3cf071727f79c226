// The message of the espnet::Error a call throws, for tests that check what an error says.
#pragma once

#include <functional>
#include <string>

#include "espnet/error.h"

namespace espnet::test {

/// What `f` throws as espnet::Error, or "" when it returns normally.
inline std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace espnet::test
