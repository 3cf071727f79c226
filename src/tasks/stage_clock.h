// Timing the stages of a task call into an optional StageTimes.
#pragma once

#include <chrono>

namespace espnet {

/// Milliseconds since the previous lap (or construction).
class StageClock {
 public:
  double lap_ms() {
    const auto now = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace espnet
