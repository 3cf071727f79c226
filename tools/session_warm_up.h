// A session made ready for the first photo of a command (its plan, its activation memory mapped
// and faulted in) on another thread while the pipeline's loader decodes and preprocesses that
// photo, so that the first run does not pay for fresh memory on top of everything else.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "espnet/session.h"

namespace espnet::cli {

class SessionWarmUp {
 public:
  /// Starts Session::prepare for `input_shape(width, height)` of the photo at `path` and runs
  /// returning `outputs`, if its header states its size (PNG, JPEG); otherwise does nothing.
  /// `session` must not be run before wait().
  SessionWarmUp(Session& session, const std::string& path,
                std::function<Shape(int width, int height)> input_shape,
                RunOutputs outputs = RunOutputs::kNetwork);
  ~SessionWarmUp() { wait(); }
  SessionWarmUp(const SessionWarmUp&) = delete;
  SessionWarmUp& operator=(const SessionWarmUp&) = delete;

  /// Returns once the preparation is over. Its errors are dropped: the run meets and reports
  /// them with the photo's name.
  void wait() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

}  // namespace espnet::cli
