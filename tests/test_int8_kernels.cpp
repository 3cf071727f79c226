// The int8 kernels (kernels/int8_kernels.h) against their references, exactly: integer sums are
// exact in any order, and the float epilogue uses the same operations in the same order, so
// every output must be bit-identical. And the weight quantizer on synthetic data whose ranges
// and quantized values are known.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/int8_kernels.h"
#include "support/int8_emulated_vnni.h"
#include "support/kernel_buffers.h"

namespace espnet {
namespace {

using test::fill;
using test::GuardedInput;
using test::kGuard;
using test::kGuardValue;

TEST(Int8Quantizer, WeightsPerOutputChannelWithKnownRanges) {
  // Row 0 spans [-2.54, 1.27]: scale 0.02, values are exact multiples. Row 1 is all zero: scale
  // 1, all zero codes. Row 2 has 5 inputs (a padded second quad) with ties at .5 steps.
  const int cin = 5;
  const float w[3][5] = {
      {-2.54f, 1.27f, 0.0f, 0.02f, -0.04f}, {0, 0, 0, 0, 0}, {127.0f, 0.5f, 1.5f, -2.5f, -127.0f}};
  std::vector<uint32_t> packed(3 * int8_quads(cin));
  float scale[3];
  int32_t weight_sum[3];
  quantize_int8_weight(&w[0][0], 3, cin, packed.data(), scale, weight_sum);
  EXPECT_FLOAT_EQ(scale[0], 2.54f / 127.0f);
  EXPECT_EQ(scale[1], 1.0f);
  EXPECT_EQ(scale[2], 1.0f);
  auto code = [&](int row, int i) {
    return int(int8_t((packed[row * 2 + i / 4] >> (8 * (i % 4))) & 0xFF));
  };
  EXPECT_EQ(code(0, 0), -127);
  EXPECT_EQ(code(0, 1), 64);  // 1.27 * (127 / 2.54): 63.5 up to float rounding, which gives 64
  EXPECT_EQ(code(0, 3), 1);
  EXPECT_EQ(code(0, 4), -2);
  for (int i = 0; i < cin; ++i) EXPECT_EQ(code(1, i), 0);
  // Ties to even: 0.5 -> 0, 1.5 -> 2, -2.5 -> -2.
  EXPECT_EQ(code(2, 0), 127);
  EXPECT_EQ(code(2, 1), 0);
  EXPECT_EQ(code(2, 2), 2);
  EXPECT_EQ(code(2, 3), -2);
  EXPECT_EQ(code(2, 4), -127);
  for (int i = 5; i < 8; ++i) EXPECT_EQ(code(2, i), 0) << "padding";
  EXPECT_EQ(weight_sum[1], 0);
  EXPECT_EQ(weight_sum[2], 127 + 0 + 2 - 2 - 127);
  int sum0 = 0;
  for (int i = 0; i < cin; ++i) sum0 += code(0, i);
  EXPECT_EQ(weight_sum[0], sum0);
  // Dequantized weights are within half a step of the originals.
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < cin; ++i)
      EXPECT_LE(std::fabs(code(r, i) * scale[r] - w[r][i]), 0.5f * scale[r] * 1.0001f);
}

class Int8KernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The kernels this CPU dispatches, and on x86 the input packers and the VNNI body with an
    // emulated vpdpbusd, which need AVX2 only.
    sets_ = int8_kernel_sets();
    for (const Int8Kernels* k : test::emulated_vnni_kernel_sets()) sets_.push_back(k);
    if (sets_.empty())
      GTEST_SKIP() << "no int8 kernels to test on this CPU (no VNNI, ARM dot product or AVX2)";
    seed_ = test::test_seed();
    rng_.seed(seed_);
  }
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void run(int batch, int in_channels, int out_channels, int groups, int h, int w, bool bias_on,
           bool prelu_on, bool addend_on) {
    const int64_t plane = int64_t(h) * w;
    const int cin = in_channels / groups, quads = int8_quads(cin);
    const size_t in_count = size_t(batch) * in_channels * plane;
    const size_t out_count = size_t(batch) * out_channels * plane;
    GuardedInput input(in_count);
    // Beyond the clamp range too (x * inverse up to +-200), so saturation is exercised.
    fill(rng_, input.data(), in_count, -4.0f, 4.0f);
    // Per channel: scales over a 16x span, zero points symmetric (128), mostly positive (a
    // PReLU's output) and the extremes.
    const size_t channels = static_cast<size_t>(in_channels);
    std::vector<float> inverse_scale(channels), channel_scale(channels);
    std::vector<int32_t> zero_point(channels);
    const int zero_points[] = {128, 40, 0, 255, 3};
    for (int c = 0; c < in_channels; ++c) {
      inverse_scale[size_t(c)] = 10.0f * float(uniform(1, 16));
      channel_scale[size_t(c)] = 1.0f / inverse_scale[size_t(c)];
      zero_point[size_t(c)] = zero_points[uniform(0, 4)];
    }
    std::ostringstream what;
    what << "n" << batch << " " << in_channels << "->" << out_channels << " g" << groups << " " << h
         << "x" << w << (bias_on ? " bias" : "") << (prelu_on ? " prelu" : "")
         << (addend_on ? " addend" : "") << " seed " << seed_;

    const size_t words = size_t(batch) * groups * quads * size_t(plane);
    std::vector<uint32_t> want_packed(words), packed(words + kGuard, 0xDEADBEEFu);
    // The guard range: none, one holding the whole input, or one a value may cross at the top.
    float guard_low = -INFINITY, guard_high = INFINITY;
    const int guard_kind = uniform(0, 2);
    if (guard_kind == 1) guard_low = -4.5f, guard_high = 4.5f;
    if (guard_kind == 2) guard_low = -4.5f, guard_high = 3.999f;
    const bool want_inside =
        pack_u8_quads_ref(input.data(), batch, in_channels, groups, plane, inverse_scale.data(),
                          zero_point.data(), guard_low, guard_high, want_packed.data());
    for (const Int8Kernels* k : sets_) {
      std::fill(packed.begin(), packed.end(), 0xDEADBEEFu);
      const bool inside =
          k->pack(input.data(), batch, in_channels, groups, plane, inverse_scale.data(),
                  zero_point.data(), guard_low, guard_high, packed.data());
      EXPECT_EQ(inside, want_inside) << k->pack_name << " " << what.str();
      if (guard_kind < 2) {
        EXPECT_TRUE(inside) << k->pack_name << " " << what.str();
      }
      ASSERT_EQ(0, std::memcmp(packed.data(), want_packed.data(), words * 4))
          << k->pack_name << " " << what.str();
      for (size_t i = words; i < packed.size(); ++i)
        ASSERT_EQ(packed[i], 0xDEADBEEFu)
            << k->pack_name << " " << what.str() << ": packing wrote past its output";
    }
    bool naive_inside = true;
    for (size_t i = 0; i < in_count; ++i)
      naive_inside &= input.data()[i] >= guard_low && input.data()[i] <= guard_high;
    EXPECT_EQ(want_inside, naive_inside) << what.str();

    std::vector<float> weight(size_t(out_channels) * cin), bias(out_channels), slopes(out_channels),
        addend(out_count), scale(out_channels);
    fill(rng_, weight.data(), weight.size(), -1.0f, 1.0f);
    fill(rng_, bias.data(), bias.size(), -0.5f, 0.5f);
    fill(rng_, slopes.data(), slopes.size(), -0.5f, 0.5f);
    fill(rng_, addend.data(), addend.size(), -1.0f, 1.0f);
    std::vector<uint32_t> packed_weight(size_t(out_channels) * quads);
    std::vector<int32_t> compensation(out_channels);
    quantize_int8_weight_for_inputs(weight.data(), out_channels, cin, groups, channel_scale.data(),
                                    zero_point.data(), packed_weight.data(), scale.data(),
                                    compensation.data());

    const float* b = bias_on ? bias.data() : nullptr;
    const float* a = prelu_on ? slopes.data() : nullptr;
    const float* add = addend_on ? addend.data() : nullptr;
    std::vector<float> want(out_count);
    gconv1x1_u8s8_ref(want_packed.data(), batch, quads, out_channels, groups, plane,
                      packed_weight.data(), compensation.data(), scale.data(), b, a, add,
                      want.data());
    for (const Int8Kernels* k : sets_) {
      std::vector<float> out = test::output_buffer(out_count);
      k->gconv(want_packed.data(), batch, quads, out_channels, groups, plane, packed_weight.data(),
               compensation.data(), scale.data(), b, a, add, out.data());
      size_t bad = 0, first = 0;
      for (size_t i = 0; i < out_count; ++i)
        if (std::memcmp(&out[i], &want[i], sizeof(float)) != 0) {
          if (!bad) first = i;
          ++bad;
        }
      EXPECT_EQ(bad, 0u) << k->gconv_name << " " << what.str() << ": first #" << first << " got "
                         << out[first] << " want " << want[first];
      for (int i = 0; i < kGuard; ++i)
        if (out[out_count + i] != kGuardValue) {
          ADD_FAILURE() << k->gconv_name << " " << what.str() << ": wrote past the output";
          break;
        }
      if (!add) continue;
      // The addend may be the output itself (a sum written over its addend, in place).
      std::vector<float> in_place = test::output_buffer(out_count);
      std::copy(addend.begin(), addend.end(), in_place.begin());
      k->gconv(want_packed.data(), batch, quads, out_channels, groups, plane, packed_weight.data(),
               compensation.data(), scale.data(), b, a, in_place.data(), in_place.data());
      EXPECT_EQ(0, std::memcmp(in_place.data(), want.data(), out_count * sizeof(float)))
          << k->gconv_name << " " << what.str() << ": in place";
    }
  }

  std::vector<const Int8Kernels*> sets_;
  uint32_t seed_ = 0;
  std::mt19937 rng_;
};

TEST_F(Int8KernelTest, EspnetShapesBitExact) {
  const int shapes[][5] = {{3, 32, 1, 56, 56},    {96, 24, 4, 28, 28},  {24, 96, 4, 28, 28},
                           {192, 48, 4, 14, 14},  {48, 192, 4, 14, 14}, {512, 128, 4, 7, 7},
                           {1024, 1280, 1, 7, 7}, {256, 486, 1, 19, 19}};
  for (const auto& s : shapes) {
    run(1, s[0], s[1], s[2], s[3], s[4], true, true, true);
    run(1, s[0], s[1], s[2], s[3], s[4], true, false, false);
    if (HasFailure()) return;
  }
}

TEST_F(Int8KernelTest, RandomShapesBitExact) {
  for (int i = 0; i < 150 && !HasFailure(); ++i) {
    const int groups = uniform(1, 4);
    run(uniform(1, 2), groups * uniform(1, 23), groups * uniform(1, 19), groups, uniform(1, 19),
        uniform(1, 37), uniform(0, 1), uniform(0, 1), uniform(0, 1));
  }
}

TEST_F(Int8KernelTest, AboveTheThreadingThreshold) {
  run(2, 256, 512, 4, 38, 38, true, true, true);
}

// A plane's last partial vector is loaded with its missing lanes as 0. With every input inside
// a guard range that excludes 0, only the packer's masking of the guard test keeps those lanes
// from reporting a value outside it.
TEST_F(Int8KernelTest, PartialVectorsNeverTripTheGuard) {
  for (int plane = 1; plane <= 37; ++plane) {
    const int channels = 1 + plane % 7;
    std::vector<float> input(size_t(channels) * size_t(plane)), inverse(size_t(channels), 50.0f);
    fill(rng_, input.data(), input.size(), 1.0f, 2.0f);
    const std::vector<int32_t> zero(size_t(channels), 0);
    const size_t words = size_t(int8_quads(channels)) * size_t(plane);
    std::vector<uint32_t> want(words), got(words);
    ASSERT_TRUE(pack_u8_quads_ref(input.data(), 1, channels, 1, plane, inverse.data(), zero.data(),
                                  0.5f, 3.0f, want.data()));
    for (const Int8Kernels* k : sets_) {
      EXPECT_TRUE(k->pack(input.data(), 1, channels, 1, plane, inverse.data(), zero.data(), 0.5f,
                          3.0f, got.data()))
          << k->pack_name << " plane " << plane;
      EXPECT_EQ(got, want) << k->pack_name << " plane " << plane;
    }
  }
}

// The int8 fallback's input step (CPUs without a byte dot product) at every kernel level this
// CPU runs, against unpacked_u8_codes_ref: the same floats bit for bit and the same guard verdict.
// The inputs include what the vector code handles differently from the reference's library calls:
// ties (k + 0.5 after scaling) in both directions, NaN, infinities, values beyond the +-1e6 clamp,
// and planes that are not a multiple of any vector width.
class Int8FallbackCodesTest : public ::testing::TestWithParam<Isa> {};

TEST_P(Int8FallbackCodesTest, MatchesTheReferenceExactly) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported here";
  const ConvKernels& kernels = conv_kernels_for(GetParam());
  std::mt19937 rng(test::test_seed());
  const auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 200; ++trial) {
    const int batch = uniform(1, 2), channels = uniform(1, 9);
    const int64_t plane = trial == 0 ? 70000 : uniform(1, 83);  // trial 0: threaded
    const size_t count = size_t(batch) * size_t(channels) * size_t(plane);
    std::vector<float> inverse(static_cast<size_t>(channels));
    std::vector<int32_t> zero(static_cast<size_t>(channels));
    for (int c = 0; c < channels; ++c) {
      inverse[size_t(c)] = std::ldexp(1.0f, uniform(-4, 6)) * (1.0f + 0.25f * float(uniform(0, 3)));
      zero[size_t(c)] = uniform(0, 4) == 0 ? 128 : uniform(0, 255);
    }
    std::vector<float> input(count);
    std::uniform_real_distribution<float> value(-200.0f, 200.0f);
    for (size_t i = 0; i < count; ++i) {
      const float inv = inverse[(i / size_t(plane)) % size_t(channels)];
      switch (uniform(0, 9)) {
        case 0:
          input[i] = (float(uniform(-300, 300)) + 0.5f) / inv;
          break;  // a tie
        case 1:
          input[i] = std::numeric_limits<float>::quiet_NaN();
          break;
        case 2:
          input[i] = uniform(0, 1) ? INFINITY : -INFINITY;
          break;
        case 3:
          input[i] = (uniform(0, 1) ? 3e6f : -3e6f) / inv;
          break;  // past the clamp
        default:
          input[i] = value(rng);
      }
    }
    // A guard that some trials' inputs stay inside and others leave.
    const float guard = trial % 2 ? 1e30f : 150.0f;
    std::vector<float> got(count, kGuardValue), want(count, -kGuardValue);
    const bool got_inside =
        kernels.int8_fallback_codes(input.data(), batch, channels, plane, inverse.data(),
                                    zero.data(), -guard, guard, got.data());
    const bool want_inside =
        unpacked_u8_codes_ref(input.data(), batch, channels, plane, inverse.data(), zero.data(),
                              -guard, guard, want.data());
    ASSERT_EQ(got_inside, want_inside) << kernels.int8_fallback_codes_name << " trial " << trial;
    for (size_t i = 0; i < count; ++i)
      ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
          << kernels.int8_fallback_codes_name << " trial " << trial << " element " << i
          << ": input " << input[i] << " gives " << got[i] << ", reference " << want[i];
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, Int8FallbackCodesTest, ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

}  // namespace
}  // namespace espnet
