// Optimised pooling and resize kernels (avg-pool 3x3/s2, bilinear align_corners resize, adaptive
// average pooling) against the reference kernels, and the fused resize and argmax against the same
// level's resize followed by the argmax kernel, for every ISA level; levels this CPU lacks are
// skipped, never passed. Random sizes from 1x1 up, rows wider than the kernels' column chunks,
// cells wider than the adaptive pool's stack row, and threaded sizes.
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
#include "kernels/reduce_kernels.h"
#include "kernels/reference/pool_ref.h"
#include "kernels/reference/resize_ref.h"
#include "support/kernel_buffers.h"

namespace espnet {
namespace {

using test::fill;
using test::GuardedInput;
using test::kGuard;
using test::kGuardValue;
using test::output_buffer;

enum class Op { kAvgPool, kResize, kAdaptive };

class PoolKernelsTest : public ::testing::TestWithParam<Isa> {
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

  // out_h/out_w are ignored for the avg-pool (its output is ceil(in / 2)).
  void run(Op op, int64_t planes, int in_h, int in_w, int out_h, int out_w) {
    if (op == Op::kAvgPool) out_h = (in_h - 1) / 2 + 1, out_w = (in_w - 1) / 2 + 1;
    const size_t in_count = size_t(planes) * in_h * in_w;
    const size_t out_count = size_t(planes) * out_h * out_w;
    GuardedInput input(in_count);
    fill(rng_, input.data(), in_count, -1.0f, 1.0f);
    std::vector<float> out = output_buffer(out_count), ref(out_count);
    const char* name = "";
    switch (op) {
      case Op::kAvgPool:
        kernels_->avg_pool3x3s2(input.data(), planes, in_h, in_w, out.data());
        avg_pool_f32_ref(input.data(), planes, in_h, in_w, 3, 2, 1, ref.data());
        name = kernels_->avg_pool3x3s2_name;
        break;
      case Op::kResize:
        kernels_->resize_bilinear(input.data(), planes, in_h, in_w, out_h, out_w, out.data());
        resize_bilinear_align_corners_f32_ref(input.data(), planes, in_h, in_w, out_h, out_w,
                                              ref.data());
        name = kernels_->resize_bilinear_name;
        break;
      case Op::kAdaptive:
        kernels_->adaptive_avg_pool(input.data(), planes, in_h, in_w, out_h, out_w, out.data());
        adaptive_avg_pool_f32_ref(input.data(), planes, in_h, in_w, out_h, out_w, ref.data());
        name = kernels_->adaptive_avg_pool_name;
        break;
    }
    std::ostringstream what;
    what << name << " planes " << planes << " " << in_h << "x" << in_w << " -> " << out_h << "x"
         << out_w << " seed " << seed_;
    test::expect_close(out.data(), ref, true, what.str());
  }

  // The fused resize and argmax against this level's resize, then argmax_channels_f32: labels
  // equal everywhere. Inputs drawn from `levels` values (few levels: many tied maxima), with
  // about one in `nan_every` a NaN (0: none).
  void run_argmax(int classes, int in_h, int in_w, int out_h, int out_w, int levels,
                  int nan_every) {
    const size_t in_count = size_t(classes) * in_h * in_w;
    const size_t plane = size_t(out_h) * out_w;
    GuardedInput input(in_count);
    for (size_t i = 0; i < in_count; ++i) {
      input.data()[i] = float(uniform(0, levels - 1)) / float(levels);
      if (nan_every > 0 && uniform(0, nan_every - 1) == 0) input.data()[i] = std::nanf("");
    }
    std::vector<float> resized(size_t(classes) * plane);
    kernels_->resize_bilinear(input.data(), classes, in_h, in_w, out_h, out_w, resized.data());
    std::vector<uint8_t> want(plane);
    argmax_channels_f32(resized.data(), classes, int64_t(plane), want.data());
    std::vector<float> got = output_buffer(plane);
    kernels_->resize_bilinear_argmax(input.data(), classes, in_h, in_w, out_h, out_w, got.data());
    size_t wrong = 0, first_wrong = 0;
    for (size_t i = 0; i < plane; ++i)
      if (!(got[i] == float(want[i])) && wrong++ == 0) first_wrong = i;
    bool guard_intact = true;
    for (int g = 0; g < kGuard; ++g) guard_intact = guard_intact && got[plane + g] == kGuardValue;
    EXPECT_EQ(wrong, 0u) << kernels_->resize_bilinear_argmax_name << " classes " << classes << " "
                         << in_h << "x" << in_w << " -> " << out_h << "x" << out_w << " levels "
                         << levels << " seed " << seed_ << ": first at pixel " << first_wrong
                         << ", " << got[first_wrong] << " instead of " << int(want[first_wrong]);
    EXPECT_TRUE(guard_intact) << "wrote past the labels, seed " << seed_;
  }

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  const ConvKernels* kernels_ = nullptr;
  uint32_t seed_ = 0;
  std::mt19937 rng_;
};

TEST_P(PoolKernelsTest, AvgPoolEverySmallSize) {
  for (int h = 1; h <= 12; ++h)
    for (int w = 1; w <= 40; ++w) {
      run(Op::kAvgPool, uniform(1, 3), h, w, 0, 0);
      if (HasFailure()) return;
    }
}

TEST_P(PoolKernelsTest, AvgPoolWideAndThreaded) {
  // Rows wider than the 512-column chunk (1024, 1025, 1026 inputs), the real pyramid sizes and a
  // threaded size.
  for (int w : {1023, 1024, 1025, 1026, 2049, 2050}) run(Op::kAvgPool, 2, 5, w, 0, 0);
  run(Op::kAvgPool, 3, 224, 224, 0, 0);
  run(Op::kAvgPool, 32, 112, 112, 0, 0);
  run(Op::kAvgPool, 3, 512, 1024, 0, 0);
}

TEST_P(PoolKernelsTest, ResizeRandomSizes) {
  for (int i = 0; i < 300 && !HasFailure(); ++i)
    run(Op::kResize, uniform(1, 3), uniform(1, 30), uniform(1, 30), uniform(1, 70), uniform(1, 70));
}

TEST_P(PoolKernelsTest, ResizeWideAndThreaded) {
  run(Op::kResize, 2, 6, 7, 9, 1100);      // output rows wider than the 512-column chunk
  run(Op::kResize, 1, 3, 1500, 5, 700);    // downsampling a wide row
  run(Op::kResize, 21, 96, 96, 384, 384);  // the segmentation head's final resize
  run(Op::kResize, 4, 64, 128, 512, 1024);
}

TEST_P(PoolKernelsTest, ResizeArgmaxRandomSizes) {
  // Up and down on either axis, one-pixel sides, ties (4 levels) and NaNs.
  for (int i = 0; i < 200 && !HasFailure(); ++i)
    run_argmax(uniform(1, 24), uniform(1, 30), uniform(1, 30), uniform(1, 70), uniform(1, 70),
               i % 2 ? 4 : 1 << 20, i % 3 ? 0 : 50);
}

TEST_P(PoolKernelsTest, ResizeArgmaxWideAndThreaded) {
  run_argmax(3, 6, 7, 9, 1100, 1 << 20, 0);      // rows wider than the 512-column chunk
  run_argmax(2, 3, 1500, 13, 700, 4, 0);         // downsampling a wide row
  run_argmax(21, 48, 92, 384, 736, 1 << 20, 0);  // PASCAL at 736x384 (threaded)
  run_argmax(19, 64, 128, 512, 1024, 8, 1000);   // Cityscapes at 1024x512
  run_argmax(256, 5, 6, 17, 23, 1 << 20, 0);     // the most classes a label byte holds
}

TEST_P(PoolKernelsTest, AdaptiveRandomSizes) {
  // Output smaller and larger than the input (cells overlap or repeat).
  for (int i = 0; i < 300 && !HasFailure(); ++i)
    run(Op::kAdaptive, uniform(1, 3), uniform(1, 40), uniform(1, 40), uniform(1, 45),
        uniform(1, 45));
}

TEST_P(PoolKernelsTest, AdaptiveWideCellsAndThreaded) {
  run(Op::kAdaptive, 2, 3, 5000, 2, 1);  // one cell wider than the 4096-float stack row
  run(Op::kAdaptive, 1, 2, 9000, 1, 3);
  run(Op::kAdaptive, 1, 2, 9000, 2, 7);  // cells of ~1286 columns: chunks of three cells
  run(Op::kAdaptive, 1, 4, 5000, 3, 4999);
  run(Op::kAdaptive, 20, 192, 192, 96, 96);  // EfficientPyrPool at 384x384
  run(Op::kAdaptive, 20, 240, 240, 192, 192);
}

TEST_P(PoolKernelsTest, ToleranceCatchesWrongResult) {
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

INSTANTIATE_TEST_SUITE_P(AllIsas, PoolKernelsTest, ::testing::ValuesIn(kAllIsas), isa_param_name);

}  // namespace
}  // namespace espnet
