// One loaded Model shared by four Sessions running concurrently on four std::threads, two OpenMP
// threads each, 200 runs each: every output must be bit-identical to a single-session run. Run
// under ASan+UBSan by tools/run_sanitizer_tests.sh and under ThreadSanitizer by
// tools/run_tsan_tests.sh. ESPNET_THREAD_SAFETY_RUNS lowers the run count.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "espnet/error.h"
#include "espnet/model.h"
#include "espnet/npy.h"
#include "espnet/session.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

constexpr int kSessions = 4;
constexpr int kThreadsPerSession = 2;

// kThreadsPerSession OpenMP threads even for the small classification network, which
// SessionOptions::single_thread_below_macs would otherwise keep on one.
SessionOptions two_threads() {
  SessionOptions options{kThreadsPerSession};
  options.single_thread_below_macs = 0;
  return options;
}

int runs_per_session() {
  const char* env = std::getenv("ESPNET_THREAD_SAFETY_RUNS");
  return env ? std::max(1, std::atoi(env)) : 200;
}

bool bit_identical(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].value.shape() != b[i].value.shape()) return false;
    if (std::memcmp(a[i].value.data(), b[i].value.data(),
                    static_cast<size_t>(a[i].value.numel()) * sizeof(float)) != 0)
      return false;
  }
  return true;
}

// Runs `input` kSessions x runs times concurrently and counts outputs that differ from `expected`.
void expect_concurrent_runs_identical(const std::shared_ptr<const Model>& model,
                                      const Tensor& input,
                                      const std::vector<NamedTensor>& expected) {
  const int runs = runs_per_session();
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kSessions; ++s) {
    threads.emplace_back([&] {
      try {
        Session session(model, two_threads());
        for (int r = 0; r < runs; ++r)
          if (!bit_identical(session.run(input), expected)) ++mismatches;
      } catch (const std::exception&) {
        ++errors;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0) << "of " << kSessions * runs << " concurrent runs";
}

TEST(ThreadSafety, FourClassificationSessionsShareOneModel) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = Model::load(test::ref_path("checkpoints/cls_s0.5_random_legacy.pth"));
  const unsigned seed = 20240601;
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Tensor input({1, 3, 64, 64});
  for (int64_t i = 0; i < input.numel(); ++i) input.data()[i] = normal(rng);
  SCOPED_TRACE("input seed " + std::to_string(seed));
  const std::vector<NamedTensor> expected = Session(model, two_threads()).run(input);
  ASSERT_EQ(expected.size(), 1u);
  ASSERT_EQ(expected[0].value.shape(), Shape({1, 1000}));
  expect_concurrent_runs_identical(model, input, expected);
}

TEST(ThreadSafety, FourSegmentationSessionsShareOneModel) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = Model::load(test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth"));
  const Tensor input = read_npy_f32(test::ref_path("cases/seg_pascal_s0.5_64x48/input.npy"));
  const std::vector<NamedTensor> expected = Session(model, two_threads()).run(input);
  ASSERT_EQ(expected.size(), 1u);
  // The single-session result is itself right (manifest tolerance), so "identical" means correct.
  const Tensor reference = read_npy_f32(test::ref_path("cases/seg_pascal_s0.5_64x48/output.npy"));
  ASSERT_TRUE(test::all_close(expected[0].value, reference, 2e-4, 1e-4));
  expect_concurrent_runs_identical(model, input, expected);
}

TEST(ThreadSafety, TwoModelsConcurrentlyDoNotInterfere) {
  ESPNET_REQUIRE_REF_DATA();
  auto cls = Model::load(test::ref_path("checkpoints/cls_s0.5_random_legacy.pth"));
  auto seg = Model::load(test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth"));
  const Tensor seg_input = read_npy_f32(test::ref_path("cases/seg_pascal_s0.5_64x48/input.npy"));
  Tensor cls_input({1, 3, 64, 64});
  for (int64_t i = 0; i < cls_input.numel(); ++i) cls_input.data()[i] = float(i % 17) / 8 - 1;
  const auto cls_expected = Session(cls, two_threads()).run(cls_input);
  const auto seg_expected = Session(seg, two_threads()).run(seg_input);
  const int runs = std::max(1, runs_per_session() / 4);
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kSessions; ++s) {
    threads.emplace_back([&, s] {
      const bool is_cls = s % 2 == 0;
      try {
        Session session(is_cls ? cls : seg, two_threads());
        for (int r = 0; r < runs; ++r)
          if (!bit_identical(session.run(is_cls ? cls_input : seg_input),
                             is_cls ? cls_expected : seg_expected))
            ++mismatches;
      } catch (const std::exception&) {
        ++errors;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace espnet
