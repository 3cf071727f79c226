// Optimised per-channel element-wise kernels (scale/shift + PReLU, add + PReLU, add) against the
// reference kernels, for every ISA level; levels this CPU lacks are skipped, never passed. Shapes
// are random (plane sizes around every vector width and past the 16K-element chunk), every
// null/non-null combination of the per-channel parameters is run, in place and aliased.
// Inputs end at an inaccessible page, outputs are NaN-prefilled and guarded (see
// support/kernel_buffers.h); the seed is printed with every failure.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/elementwise_ref.h"
#include "support/kernel_buffers.h"

namespace espnet {
namespace {

using test::fill;
using test::GuardedInput;
using test::kGuard;
using test::kGuardValue;
using test::output_buffer;

// |out - ref| <= 1e-6 + 1e-5 |ref| per element (a fused multiply-add rounds once, not twice);

const std::vector<int64_t> kPlanes = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 49, 196, 784, 16389};

class ElementwiseKernelsTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam()))
      GTEST_SKIP() << isa_name(GetParam())
                   << " not supported by this CPU or build (best: " << isa_name(detected_isa())
                   << ")";
    kernels_ = &conv_kernels_for(GetParam());
    seed_ = test::test_seed();
    rng_.seed(seed_);
    RecordProperty("seed", std::to_string(seed_));
  }

  std::vector<float> random(size_t n, float lo, float hi) {
    std::vector<float> v(n);
    fill(rng_, v.data(), n, lo, hi);
    return v;
  }

  // flags: bit 0 scale, bit 1 shift, bit 2 slopes.
  void run_scale_shift(int batch, int channels, int64_t plane, int flags) {
    const size_t count = size_t(batch) * channels * plane;
    GuardedInput data(count);
    fill(rng_, data.data(), count, -2.0f, 2.0f);
    std::vector<float> ref(data.data(), data.data() + count);
    const std::vector<float> scale = random(channels, -2.0f, 2.0f);
    const std::vector<float> shift = random(channels, -1.0f, 1.0f);
    const std::vector<float> slopes = random(channels, -0.5f, 0.6f);
    const float* s = flags & 1 ? scale.data() : nullptr;
    const float* t = flags & 2 ? shift.data() : nullptr;
    const float* a = flags & 4 ? slopes.data() : nullptr;
    kernels_->scale_shift_prelu(data.data(), batch, channels, plane, s, t, a);
    scale_shift_prelu_f32_ref(ref.data(), batch, channels, plane, s, t, a);
    std::ostringstream what;
    what << kernels_->scale_shift_prelu_name << " n" << batch << " c" << channels << " plane "
         << plane << " flags " << flags << " seed " << seed_;
    test::expect_close(data.data(), ref, false, what.str());
  }

  // alias: 0 separate output, 1 out == a, 2 out == b.
  void run_add_prelu(int batch, int channels, int64_t plane, bool prelu, int alias) {
    const size_t count = size_t(batch) * channels * plane;
    GuardedInput a(count), b(count);
    fill(rng_, a.data(), count, -2.0f, 2.0f);
    fill(rng_, b.data(), count, -2.0f, 2.0f);
    const std::vector<float> slopes = random(channels, -0.5f, 0.6f);
    const float* sl = prelu ? slopes.data() : nullptr;
    std::vector<float> ref(count);
    add_prelu_f32_ref(a.data(), b.data(), ref.data(), batch, channels, plane, sl);
    std::vector<float> out = output_buffer(count);
    float* dst = alias == 1 ? a.data() : alias == 2 ? b.data() : out.data();
    kernels_->add_prelu(a.data(), b.data(), dst, batch, channels, plane, sl);
    std::ostringstream what;
    what << kernels_->add_prelu_name << " n" << batch << " c" << channels << " plane " << plane
         << (prelu ? " prelu" : "") << " alias " << alias << " seed " << seed_;
    test::expect_close(dst, ref, alias == 0, what.str());
  }

  const ConvKernels* kernels_ = nullptr;
  uint32_t seed_ = 0;
  std::mt19937 rng_;
};

TEST_P(ElementwiseKernelsTest, ScaleShiftPreluEveryParameterCombination) {
  for (int64_t plane : kPlanes)
    for (int flags = 0; flags < 8; ++flags) {
      const int channels = std::uniform_int_distribution<int>(1, plane > 1000 ? 3 : 40)(rng_);
      run_scale_shift(1 + (flags & 1), channels, plane, flags);
      if (HasFailure()) return;
    }
}

TEST_P(ElementwiseKernelsTest, ScaleShiftPreluRandomShapes) {
  for (int i = 0; i < 200 && !HasFailure(); ++i) {
    const int64_t plane = std::uniform_int_distribution<int64_t>(1, 300)(rng_);
    run_scale_shift(std::uniform_int_distribution<int>(1, 2)(rng_),
                    std::uniform_int_distribution<int>(1, 70)(rng_), plane,
                    std::uniform_int_distribution<int>(0, 7)(rng_));
  }
  // Above the threading threshold: planes split into chunks.
  run_scale_shift(1, 8, 200 * 200 + 3, 7);
  run_scale_shift(2, 256, 28 * 28, 7);
}

TEST_P(ElementwiseKernelsTest, AddPreluAliasesAndShapes) {
  for (int64_t plane : kPlanes)
    for (int alias = 0; alias < 3; ++alias)
      for (bool prelu : {false, true}) {
        const int channels = std::uniform_int_distribution<int>(1, plane > 1000 ? 3 : 40)(rng_);
        run_add_prelu(1 + alias % 2, channels, plane, prelu, alias);
        if (HasFailure()) return;
      }
  run_add_prelu(1, 64, 112 * 112, true, 1);  // threaded
}

TEST_P(ElementwiseKernelsTest, AddEveryTail) {
  for (int64_t count = 1; count <= 70 && !HasFailure(); ++count) {
    const size_t n = static_cast<size_t>(count);
    GuardedInput a(n), b(n);
    fill(rng_, a.data(), n, -2.0f, 2.0f);
    fill(rng_, b.data(), n, -2.0f, 2.0f);
    std::vector<float> ref(n), out = output_buffer(n);
    add_f32_ref(a.data(), b.data(), ref.data(), count);
    kernels_->add(a.data(), b.data(), out.data(), count);
    test::expect_close(out.data(), ref, true,
                       std::string(kernels_->add_name) + " count " + std::to_string(count));
  }
}

TEST_P(ElementwiseKernelsTest, ToleranceCatchesWrongResult) {
  std::vector<float> ref = {1.0f, -2.0f, 0.0f};
  std::vector<float> out = output_buffer(ref.size());
  std::copy(ref.begin(), ref.end(), out.begin());
  out[1] = -2.001f;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    test::expect_close(out.data(), ref, true, "perturbed");
    out[1] = ref[1];
    out[ref.size()] = 0.0f;  // a clobbered guard
    test::expect_close(out.data(), ref, true, "guard");
  }
  EXPECT_EQ(failures.size(), 2);
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) {
  return isa_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, ElementwiseKernelsTest, ::testing::ValuesIn(kAllIsas),
                         isa_param_name);

}  // namespace
}  // namespace espnet
