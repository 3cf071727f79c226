// The per-pixel argmax over classes and the global average pool against naive loops: random
// sizes around the chunk boundaries, ties (the first maximum wins), NaN (never wins), 1 and 256
// classes; run with 1 and 2 threads by the caller's OMP_NUM_THREADS.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/reduce_kernels.h"
#include "kernels/reference/pool_ref.h"

namespace espnet {
namespace {

std::vector<uint8_t> naive_argmax(const std::vector<float>& logits, int classes, int64_t plane) {
  std::vector<uint8_t> labels(plane, 0);
  for (int64_t i = 0; i < plane; ++i) {
    float best = logits[i];
    for (int c = 1; c < classes; ++c)
      if (logits[c * plane + i] > best) best = logits[c * plane + i], labels[i] = uint8_t(c);
  }
  return labels;
}

TEST(ArgmaxChannels, MatchesNaiveLoopWithTiesAndNan) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    const int classes = trial == 0 ? 1 : trial == 1 ? 256 : 1 + int(rng() % 40);
    const int64_t plane = 1 + int64_t(rng() % 5000);
    std::vector<float> logits(size_t(classes) * plane);
    // Few distinct values, so ties are common; some NaN.
    for (float& v : logits) v = float(int(rng() % 7)) - 3.0f;
    for (int k = 0; k < 20; ++k) logits[rng() % logits.size()] = std::nanf("");
    std::vector<uint8_t> got(plane + 16, 0xEE);
    argmax_channels_f32(logits.data(), classes, plane, got.data());
    const std::vector<uint8_t> want = naive_argmax(logits, classes, plane);
    for (int64_t i = 0; i < plane; ++i)
      ASSERT_EQ(int(got[i]), int(want[i]))
          << "pixel " << i << " of " << plane << ", " << classes << " classes";
    for (int k = 0; k < 16; ++k) ASSERT_EQ(got[plane + k], 0xEE) << "wrote past the labels";
  }
}

TEST(GlobalAvgPool, MatchesReference) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t planes = 1 + int64_t(rng() % 300), size = 1 + int64_t(rng() % 3000);
    std::vector<float> x(size_t(planes * size));
    for (float& v : x) v = value(rng);
    std::vector<float> got(planes + 1, -7.0f), want(planes);
    global_avg_pool_f32(x.data(), planes, size, got.data());
    global_avg_pool_f32_ref(x.data(), planes, size, want.data());
    for (int64_t p = 0; p < planes; ++p)
      ASSERT_NEAR(got[p], want[p], 1e-5 + 1e-5 * std::fabs(want[p])) << p << " of " << planes;
    ASSERT_EQ(got[planes], -7.0f) << "wrote past the output";
  }
}

}  // namespace
}  // namespace espnet
