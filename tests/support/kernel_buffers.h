// Buffers for kernel-versus-reference tests: inputs that end exactly at an inaccessible page (an
// over-read crashes), outputs prefilled with NaN (a skipped element fails) and followed by guard
// values (an over-write fails), and the seed of the random data (ESPNET_TEST_SEED or a fixed
// default; tests print it with every failure).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

namespace espnet::test {

constexpr int kGuard = 64;
constexpr float kGuardValue = -7777.25f;

inline uint32_t test_seed() {
  const char* env = std::getenv("ESPNET_TEST_SEED");
  return env ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : 20240611u;
}

// `count` floats whose last one is followed by a PROT_NONE page.
class GuardedInput {
 public:
  explicit GuardedInput(size_t count) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t bytes = std::max<size_t>(count, 1) * sizeof(float);
    size_ = (bytes + page - 1) / page * page + page;
    void* base = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    base_ = static_cast<char*>(base);
    mprotect(base_ + size_ - page, page, PROT_NONE);
    data_ = reinterpret_cast<float*>(base_ + size_ - page - count * sizeof(float));
  }
  ~GuardedInput() { munmap(base_, size_); }
  GuardedInput(const GuardedInput&) = delete;
  GuardedInput& operator=(const GuardedInput&) = delete;
  float* data() { return data_; }

 private:
  char* base_ = nullptr;
  size_t size_ = 0;
  float* data_ = nullptr;
};

inline void fill(std::mt19937& rng, float* p, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  for (size_t i = 0; i < n; ++i) p[i] = dist(rng);
}

// `count` NaNs followed by kGuard guard values.
inline std::vector<float> output_buffer(size_t count) {
  std::vector<float> out(count + kGuard, std::nanf(""));
  std::fill(out.begin() + count, out.end(), kGuardValue);
  return out;
}

/// |out - ref| <= atol + rtol |ref| element-wise (reports the worst); `guarded`: out has kGuard
/// guard values after ref.size() elements, which must be intact.
inline void expect_close(const float* out, const std::vector<float>& ref, bool guarded,
                         const std::string& what, double atol = 1e-6, double rtol = 1e-5) {
  size_t bad = 0, worst = 0;
  double worst_excess = -1.0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double diff = std::fabs(double(out[i]) - double(ref[i]));
    const double limit = atol + rtol * std::fabs(double(ref[i]));
    if (!(diff <= limit)) {
      ++bad;
      const double excess = std::isnan(diff) ? 1e30 : diff - limit;
      if (excess > worst_excess) worst_excess = excess, worst = i;
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << ref.size() << " elements differ; worst #"
                     << worst << " got " << out[worst] << " want " << ref[worst];
  if (guarded)
    for (int i = 0; i < kGuard; ++i)
      if (out[ref.size() + i] != kGuardValue) {
        ADD_FAILURE() << what << ": wrote past the output (guard " << i << ")";
        break;
      }
}

/// Tolerances for sums of `terms` products: the kernels sum in another order than the reference
/// (FMA, vector lanes), and the rounding difference grows with the number of terms.
inline double reduction_atol(int terms) {
  return terms > 256 ? 1e-5 : 1e-6;
}
inline double reduction_rtol(int terms) {
  return terms > 256 ? 1e-4 : 1e-5;
}

}  // namespace espnet::test
