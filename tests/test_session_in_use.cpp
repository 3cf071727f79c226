// One Session entered by two threads at once: the second gets espnet::SessionInUseError, the
// first run finishes undisturbed with the right outputs (before, two threads in one Session
// aborted the process in the tensor pool). The overlap is made certain, not left to timing: the
// first thread's trace callback stops inside its run until the second thread has tried and
// failed. Random-weight models, so no reference data is needed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "espnet/error.h"
#include "espnet/model.h"
#include "espnet/session.h"
#include "espnet/tasks.h"

namespace espnet {
namespace {

// A wait that fails the test instead of hanging it when the other thread never signals.
constexpr auto kPatience = std::chrono::seconds(120);

std::shared_ptr<const Model> small_classifier() {
  ModelInfo info;
  info.task = Task::kClassification;
  info.scale = 0.5;
  info.classes = 1000;
  info.dataset = "imagenet";
  return Model::random(info);
}

std::shared_ptr<const Model> small_segmenter() {
  ModelInfo info;
  info.task = Task::kSegmentation;
  info.scale = 0.5;
  info.classes = 21;
  info.dataset = "pascal";
  return Model::random(info);
}

Tensor ramp_input(int height, int width) {
  Tensor input({1, 3, height, width});
  for (int64_t i = 0; i < input.numel(); ++i) input.data()[i] = float(i % 97) / 97.0f - 0.5f;
  return input;
}

Image grey_photo(int width, int height) {
  Image photo;
  photo.width = width;
  photo.height = height;
  photo.channels = 3;
  photo.pixels.assign(static_cast<size_t>(width) * height * 3, 0);
  for (size_t i = 0; i < photo.pixels.size(); ++i) photo.pixels[i] = uint8_t(i * 7 % 251);
  return photo;
}

// Tracing turns the fused kernels off (the numbers may differ in the last bits), so a run held
// by its trace is compared with another traced run.
void trace_nothing(Session& session) {
  session.set_trace([](const std::string&, const Tensor&) {});
}

bool same_outputs(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].value.shape() != b[i].value.shape() ||
        std::memcmp(a[i].value.data(), b[i].value.data(),
                    static_cast<size_t>(a[i].value.numel()) * sizeof(float)) != 0)
      return false;
  return true;
}

// Runs `first` on a new thread with `session` stopped inside it (at its first traced
// intermediate) while `intruder` runs on this thread; returns what `first` returned.
template <typename First>
auto with_session_held_inside_a_run(Session& session, First first,
                                    const std::function<void()>& intruder) {
  std::promise<void> inside, tried;
  std::shared_future<void> tried_future = tried.get_future().share();
  bool signalled = false;
  session.set_trace([&](const std::string&, const Tensor&) {
    if (signalled) return;
    signalled = true;
    inside.set_value();
    if (tried_future.wait_for(kPatience) != std::future_status::ready)
      ADD_FAILURE() << "the second thread never came";
  });
  auto result = std::async(std::launch::async, first);
  if (inside.get_future().wait_for(kPatience) != std::future_status::ready) {
    ADD_FAILURE() << "the first run never reached its trace callback";
  } else {
    intruder();
  }
  tried.set_value();
  auto value = result.get();
  session.set_trace({});
  return value;
}

TEST(SessionInUse, RunFromASecondThreadDuringARunIsRefused) {
  auto model = small_classifier();
  const Tensor input = ramp_input(96, 96);
  Session reference(model);
  trace_nothing(reference);
  const std::vector<NamedTensor> expected = reference.run(input);

  Session session(model);
  std::string message;
  const std::vector<NamedTensor> first = with_session_held_inside_a_run(
      session, [&] { return session.run(input); },
      [&] {
        try {
          session.run(input);
          ADD_FAILURE() << "the second thread's run was let in";
        } catch (const SessionInUseError& e) {
          message = e.what();
        }
        EXPECT_THROW(classify(session, grey_photo(64, 48)), SessionInUseError);
        EXPECT_THROW(session.set_trace({}), SessionInUseError);
        EXPECT_THROW(session.enable_profiling(true), SessionInUseError);
      });
  EXPECT_NE(message.find("one Session per thread"), std::string::npos) << message;
  EXPECT_TRUE(same_outputs(first, expected)) << "the first run was disturbed";
  // Free again: this thread may use it now, with the right result.
  trace_nothing(session);
  EXPECT_TRUE(same_outputs(session.run(input), expected));
}

TEST(SessionInUse, SegmentFromTwoThreadsIsAnErrorNotACrash) {
  auto model = small_segmenter();
  const Image photo = grey_photo(96, 64);
  Session reference(model);
  trace_nothing(reference);
  const SegmentationResult expected = segment(reference, photo);

  Session session(model);
  const SegmentationResult first = with_session_held_inside_a_run(
      session, [&] { return segment(session, photo); },
      [&] { EXPECT_THROW(segment(session, photo), SessionInUseError); });
  EXPECT_EQ(first.labels, expected.labels);
  trace_nothing(session);
  EXPECT_EQ(segment(session, photo).labels, expected.labels);
}

TEST(SessionInUse, AClaimKeepsOtherThreadsOutUntilReleased) {
  auto model = small_classifier();
  const Tensor input = ramp_input(64, 64);
  Session session(model);
  {
    const Session::Claim claim(session);
    // Nested on the claiming thread: run() takes its own claim on top of this one.
    const Session::Claim nested(session);
    const std::vector<NamedTensor> mine = session.run(input);
    EXPECT_EQ(mine.size(), 1u);
    std::thread other([&] { EXPECT_THROW(session.run(input), SessionInUseError); });
    other.join();
  }
  // The nested claims released it: another thread gets in.
  bool ran = false;
  std::thread other([&] { ran = session.run(input).size() == 1; });
  other.join();
  EXPECT_TRUE(ran);
}

TEST(SessionInUse, RunFromInsideItsOwnTraceIsRefused) {
  auto model = small_classifier();
  const Tensor input = ramp_input(64, 64);
  Session reference(model);
  trace_nothing(reference);
  const std::vector<NamedTensor> expected = reference.run(input);
  Session session(model);
  int refused = 0;
  session.set_trace([&](const std::string&, const Tensor&) {
    if (refused > 0) return;
    try {
      session.run(input);
    } catch (const SessionInUseError&) {
      ++refused;
    }
  });
  const std::vector<NamedTensor> traced = session.run(input);
  EXPECT_EQ(refused, 1);
  EXPECT_TRUE(same_outputs(traced, expected));
}

}  // namespace
}  // namespace espnet
