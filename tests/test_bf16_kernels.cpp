// The bf16 kernels (kernels/bf16_kernels.h) against references in their own arithmetic:
// - packing (fp32 -> bf16 pair words) must equal the portable rounding bit for bit;
// - the grouped 1x1 and pixel-major 1x1 over packed pairs against naive loops over the same
//   packed operands. bf16 x bf16 products are exact in fp32 (8-bit significands give 16-bit
//   products), so kernel and reference differ only in how they round the fp32 sums (vdpbf16ps
//   adds pair by pair in lanes; the reference in channel order). For m added terms each result
//   is within gamma_m = m u / (1 - m u) (u = 2^-24) of the exact sum times the sum of the terms'
//   magnitudes, so the two differ by at most 2 gamma_m sum|terms|: that is the tolerance, per
//   element (a PReLU after the sum only shrinks it: |slope| <= 1 here).
// - the references themselves against the fp32 convolution reference on bf16-rounded operands,
//   which checks the pair layout (which channel lands in which half of which word).
// Inputs end at an inaccessible page; outputs are prefilled with NaN and followed by guards.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <vector>

#include "kernels/bf16_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/reference/conv2d_ref.h"
#include "support/kernel_buffers.h"

namespace espnet {
namespace {

using test::fill;
using test::GuardedInput;
using test::kGuard;
using test::kGuardValue;

constexpr double kUnitRoundoff = 1.0 / (1 << 24);

float bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float rounded(float x) {
  return bf16_to_float(float_to_bf16(x));
}

double low(uint32_t w) {
  return bf16_to_float(static_cast<uint16_t>(w & 0xFFFF));
}
double high(uint32_t w) {
  return bf16_to_float(static_cast<uint16_t>(w >> 16));
}

// 2 gamma_m: the bound on |kernel - reference| per unit of sum|terms| (see the file comment).
double sum_order_bound(int terms) {
  const double mu = terms * kUnitRoundoff;
  return 2.0 * mu / (1.0 - mu);
}

TEST(Bf16Rounding, NearestEvenDenormalsNanAndInfinity) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(float_to_bf16(-2.0f), 0xC000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (down); just above rounds up.
  EXPECT_EQ(float_to_bf16(bits_to_float(0x3F808000u)), 0x3F80);
  EXPECT_EQ(float_to_bf16(bits_to_float(0x3F808001u)), 0x3F81);
  // 1 + 3 * 2^-8 is halfway between odd 0x3F81 and even 0x3F82: up.
  EXPECT_EQ(float_to_bf16(bits_to_float(0x3F818000u)), 0x3F82);
  EXPECT_EQ(float_to_bf16(bits_to_float(0x00000001u)), 0x0000);  // denormal -> +0
  EXPECT_EQ(float_to_bf16(bits_to_float(0x80400000u)), 0x8000);  // denormal -> -0
  EXPECT_EQ(float_to_bf16(INFINITY), 0x7F80);
  EXPECT_EQ(float_to_bf16(-INFINITY), 0xFF80);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::nanf("")))));
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(bits_to_float(0x7F800001u)))));  // sNaN
  EXPECT_EQ(float_to_bf16(3.4e38f), 0x7F80);  // rounds past the largest finite bf16
}

class Bf16KernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kernels_ = bf16_kernels();
    if (!kernels_) GTEST_SKIP() << "no AVX-512 BF16 on this CPU (or ESPNET_ISA below avx512)";
    seed_ = test::test_seed();
    rng_.seed(seed_);
  }
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // Packs with the kernel and with the reference: identical bits; returns the packed input.
  std::vector<uint32_t> pack_both(const float* input, int batch, int channels, int groups,
                                  int64_t plane, const std::string& what) {
    const size_t words = size_t(batch) * groups * bf16_pairs(channels / groups) * size_t(plane);
    std::vector<uint32_t> want(words), got(words + kGuard, 0xDEADBEEFu);
    pack_bf16_pairs_ref(input, batch, channels, groups, plane, want.data());
    kernels_->pack(input, batch, channels, groups, plane, got.data());
    size_t bad = 0;
    for (size_t i = 0; i < words; ++i) bad += got[i] != want[i];
    EXPECT_EQ(bad, 0u) << what << ": packed words differ from the reference";
    for (size_t i = words; i < got.size(); ++i)
      if (got[i] != 0xDEADBEEFu) {
        ADD_FAILURE() << what << ": packing wrote past its output";
        break;
      }
    return want;
  }

  void run_gconv(int batch, int in_channels, int out_channels, int groups, int h, int w,
                 bool bias_on, bool prelu_on, bool addend_on) {
    const int64_t plane = int64_t(h) * w;
    const int cin = in_channels / groups, pairs = bf16_pairs(cin);
    const size_t in_count = size_t(batch) * in_channels * plane;
    const size_t out_count = size_t(batch) * out_channels * plane;
    GuardedInput input(in_count);
    fill(rng_, input.data(), in_count, -2.0f, 2.0f);
    std::vector<float> weight(size_t(out_channels) * cin), bias(out_channels), slopes(out_channels),
        addend(out_count);
    fill(rng_, weight.data(), weight.size(), -1.0f, 1.0f);
    fill(rng_, bias.data(), bias.size(), -0.5f, 0.5f);
    fill(rng_, slopes.data(), slopes.size(), -0.5f, 0.5f);
    fill(rng_, addend.data(), addend.size(), -1.0f, 1.0f);
    std::ostringstream what;
    what << kernels_->pointwise_name << " n" << batch << " " << in_channels << "->" << out_channels
         << " g" << groups << " " << h << "x" << w << (bias_on ? " bias" : "")
         << (prelu_on ? " prelu" : "") << (addend_on ? " addend" : "") << " seed " << seed_;
    const std::vector<uint32_t> packed =
        pack_both(input.data(), batch, in_channels, groups, plane, what.str());
    std::vector<uint32_t> packed_weight(size_t(out_channels) * pairs);
    pack_bf16_gconv1x1_weight(weight.data(), out_channels, cin, packed_weight.data());

    const float* b = bias_on ? bias.data() : nullptr;
    const float* a = prelu_on ? slopes.data() : nullptr;
    const float* add = addend_on ? addend.data() : nullptr;
    std::vector<float> out = test::output_buffer(out_count);
    kernels_->pointwise(
        reinterpret_cast<const float*>(packed.data()), batch, groups * pairs, out_channels, groups,
        plane, reinterpret_cast<const float*>(packed_weight.data()), b, a, add, out.data());
    std::vector<float> want(out_count);
    gconv1x1_bf16_ref(packed.data(), batch, pairs, out_channels, groups, plane,
                      packed_weight.data(), b, a, add, want.data());

    // Per element: 2 gamma_m sum|terms| (m = 2 pairs + bias + addend).
    const int terms = 2 * pairs + 2;
    const int cout = out_channels / groups;
    size_t bad = 0, worst = 0;
    for (int n = 0; n < batch; ++n)
      for (int co = 0; co < out_channels; ++co) {
        const uint32_t* x = packed.data() + (size_t(n) * groups + co / cout) * pairs * plane;
        const uint32_t* wr = packed_weight.data() + size_t(co) * pairs;
        for (int64_t p = 0; p < plane; ++p) {
          const size_t o = (size_t(n) * out_channels + co) * plane + p;
          double magnitude = (b ? std::fabs(b[co]) : 0.0) + (add ? std::fabs(add[o]) : 0.0);
          for (int k = 0; k < pairs; ++k)
            magnitude += std::fabs(low(wr[k]) * low(x[k * plane + p])) +
                         std::fabs(high(wr[k]) * high(x[k * plane + p]));
          const double limit = sum_order_bound(terms) * magnitude + 1e-37;
          if (!(std::fabs(double(out[o]) - double(want[o])) <= limit)) {
            if (!bad) worst = o;
            ++bad;
          }
        }
      }
    EXPECT_EQ(bad, 0u) << what.str() << ": " << bad << " elements off, first #" << worst << " got "
                       << out[worst] << " want " << want[worst];
    for (int i = 0; i < kGuard; ++i)
      if (out[out_count + i] != kGuardValue) {
        ADD_FAILURE() << what.str() << ": wrote past the output";
        break;
      }
  }

  const Bf16Kernels* kernels_ = nullptr;
  uint32_t seed_ = 0;
  std::mt19937 rng_;
};

TEST_F(Bf16KernelTest, PackingMatchesPortableRoundingBitForBit) {
  for (int i = 0; i < 100 && !HasFailure(); ++i) {
    const int groups = uniform(1, 4), cin = uniform(1, 9), batch = uniform(1, 2);
    const int64_t plane = uniform(1, 70);
    const size_t count = size_t(batch) * groups * cin * plane;
    GuardedInput input(count);
    // Wide exponents, exact ties and denormals, not just [-1, 1].
    std::uniform_int_distribution<uint32_t> bits;
    for (size_t j = 0; j < count; ++j) {
      uint32_t v = bits(rng_);
      switch (j % 4) {
        case 0:
          v = (v & 0x807FFFFFu) | (uint32_t(uniform(100, 150)) << 23);
          break;
        case 1:
          v = (v & 0xFFFF0000u) | 0x8000u;  // a tie
          break;
        case 2:
          v &= 0x807FFFFFu;  // a denormal
          break;
        default:
          v = (v & 0x80FFFFFFu) | 0x3F000000u;
      }
      input.data()[j] = bits_to_float(v);
    }
    pack_both(input.data(), batch, groups * cin, groups, plane,
              "pack seed " + std::to_string(seed_));
  }
}

TEST_F(Bf16KernelTest, GroupedPointwiseEspnetShapes) {
  // EESP reduce / expand at s=0.5..2.0 (4 groups), down-sampler shortcut (3 -> C), decoder 1x1.
  const int shapes[][5] = {{3, 32, 1, 56, 56},   {96, 24, 4, 28, 28},   {24, 96, 4, 28, 28},
                           {192, 48, 4, 14, 14}, {48, 192, 4, 14, 14},  {512, 128, 4, 7, 7},
                           {128, 512, 4, 7, 7},  {1024, 1280, 1, 7, 7}, {256, 21, 1, 48, 48}};
  for (const auto& s : shapes) {
    run_gconv(1, s[0], s[1], s[2], s[3], s[4], true, true, false);
    run_gconv(1, s[0], s[1], s[2], s[3], s[4], true, true, true);
    if (HasFailure()) return;
  }
}

TEST_F(Bf16KernelTest, GroupedPointwiseRandomShapes) {
  for (int i = 0; i < 150 && !HasFailure(); ++i) {
    const int groups = uniform(1, 4);
    // Odd per-group input counts (a zero-padded pair), 1..2 tiles + 1 of outputs, tail pixels.
    run_gconv(uniform(1, 2), groups * uniform(1, 40), groups * uniform(1, 17), groups,
              uniform(1, 19), uniform(1, 37), uniform(0, 1), uniform(0, 1), uniform(0, 1));
  }
}

TEST_F(Bf16KernelTest, GroupedPointwiseAboveTheThreadingThreshold) {
  run_gconv(1, 256, 512, 4, 38, 38, true, true, true);
  run_gconv(2, 65, 130, 1, 21, 33, true, false, true);
}

TEST_F(Bf16KernelTest, PointwiseRowsHeadsAndClassifier) {
  const int shapes[][4] = {{256, 24, 38, 38}, {512, 486, 19, 19}, {1280, 126, 10, 10},
                           {3, 5, 7, 3},      {65, 17, 9, 1},     {1280, 1000, 1, 1}};
  for (const auto& s : shapes) {
    for (int batch : {1, 2}) {
      const int in = s[0], out = s[1];
      const int64_t plane = int64_t(s[2]) * s[3];
      const int pairs = bf16_pairs(in);
      const size_t count = size_t(batch) * in * plane;
      GuardedInput input(count);
      fill(rng_, input.data(), count, -2.0f, 2.0f);
      std::vector<float> weight(size_t(out) * in), bias(out);
      fill(rng_, weight.data(), weight.size(), -1.0f, 1.0f);
      fill(rng_, bias.data(), bias.size(), -0.5f, 0.5f);
      std::ostringstream what;
      what << kernels_->pointwise_rows_name << " n" << batch << " " << in << "->" << out << " "
           << s[2] << "x" << s[3] << " seed " << seed_;
      const std::vector<uint32_t> packed = pack_both(input.data(), batch, in, 1, plane, what.str());
      std::vector<uint32_t> packed_weight(size_t(pairs) * pointwise_rows_stride(out));
      pack_bf16_pointwise_rows(weight.data(), in, out, packed_weight.data());
      // Rows padded by 3 floats, images by 5: the padding must keep its guard value.
      const int64_t row_stride = out + 3, batch_stride = plane * row_stride + 5;
      const size_t out_count = size_t(batch * batch_stride);
      std::vector<float> got(out_count + kGuard, kGuardValue), want(out_count, kGuardValue);
      kernels_->pointwise_rows(reinterpret_cast<const float*>(packed.data()), batch, pairs, plane,
                               reinterpret_cast<const float*>(packed_weight.data()), out,
                               bias.data(), got.data(), row_stride, batch_stride);
      pointwise_rows_bf16_ref(packed.data(), batch, pairs, plane, packed_weight.data(), out,
                              bias.data(), want.data(), row_stride, batch_stride);
      const double bound = sum_order_bound(2 * pairs + 1);
      size_t bad = 0;
      for (int n = 0; n < batch; ++n)
        for (int64_t p = 0; p < plane; ++p)
          for (int co = 0; co < out; ++co) {
            double magnitude = std::fabs(bias[co]);
            for (int k = 0; k < pairs; ++k) {
              const uint32_t x = packed[(size_t(n) * pairs + k) * plane + p];
              const uint32_t w = packed_weight[size_t(k) * pointwise_rows_stride(out) + co];
              magnitude += std::fabs(low(w) * low(x)) + std::fabs(high(w) * high(x));
            }
            const size_t o = size_t(n * batch_stride + p * row_stride + co);
            bad += !(std::fabs(double(got[o]) - want[o]) <= bound * magnitude + 1e-37);
          }
      EXPECT_EQ(bad, 0u) << what.str();
      for (size_t i = 0; i < out_count; ++i)
        if (want[i] == kGuardValue && got[i] != kGuardValue) {
          ADD_FAILURE() << what.str() << ": wrote into row padding at #" << i;
          break;
        }
      for (int i = 0; i < kGuard; ++i)
        if (got[out_count + i] != kGuardValue) {
          ADD_FAILURE() << what.str() << ": wrote past the output";
          break;
        }
      if (HasFailure()) return;
    }
  }
}

// The own-arithmetic references equal the fp32 convolution of the bf16-rounded operands (up to
// fp32 summation order): so the pair layout puts every channel where the kernels expect it.
TEST(Bf16References, AgreeWithFp32ConvolutionOnRoundedOperands) {
  std::mt19937 rng(test::test_seed());
  const int batch = 2, in_channels = 30, out_channels = 12, groups = 3, h = 5, w = 7;
  const int cin = in_channels / groups, pairs = bf16_pairs(cin);
  const int64_t plane = int64_t(h) * w;
  std::vector<float> input(size_t(batch) * in_channels * plane), weight(size_t(out_channels) * cin),
      bias(out_channels);
  fill(rng, input.data(), input.size(), -2.0f, 2.0f);
  fill(rng, weight.data(), weight.size(), -1.0f, 1.0f);
  fill(rng, bias.data(), bias.size(), -0.5f, 0.5f);
  std::vector<uint32_t> packed(size_t(batch) * groups * pairs * plane),
      packed_weight(size_t(out_channels) * pairs);
  pack_bf16_pairs_ref(input.data(), batch, in_channels, groups, plane, packed.data());
  pack_bf16_gconv1x1_weight(weight.data(), out_channels, cin, packed_weight.data());
  std::vector<float> own(size_t(batch) * out_channels * plane), fp32(own.size());
  gconv1x1_bf16_ref(packed.data(), batch, pairs, out_channels, groups, plane, packed_weight.data(),
                    bias.data(), nullptr, nullptr, own.data());
  for (float& x : input) x = rounded(x);
  for (float& x : weight) x = rounded(x);
  Conv2dParams p;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.groups = groups;
  conv2d_f32_ref(input.data(), batch, h, w, p, weight.data(), bias.data(), fp32.data());
  test::expect_close(own.data(), fp32, false, "gconv1x1_bf16_ref vs conv2d_f32_ref", 1e-5, 1e-5);

  // Pixel-major: the classifier-like 1x1 plane and a small map, groups 1.
  const int rows_in = 11, rows_out = 19;
  std::vector<float> x(size_t(batch) * rows_in * plane), wr(size_t(rows_out) * rows_in);
  fill(rng, x.data(), x.size(), -2.0f, 2.0f);
  fill(rng, wr.data(), wr.size(), -1.0f, 1.0f);
  std::vector<uint32_t> xp(size_t(batch) * bf16_pairs(rows_in) * plane),
      wp(size_t(bf16_pairs(rows_in)) * pointwise_rows_stride(rows_out));
  pack_bf16_pairs_ref(x.data(), batch, rows_in, 1, plane, xp.data());
  pack_bf16_pointwise_rows(wr.data(), rows_in, rows_out, wp.data());
  std::vector<float> rows(size_t(batch) * plane * rows_out);
  pointwise_rows_bf16_ref(xp.data(), batch, bf16_pairs(rows_in), plane, wp.data(), rows_out,
                          nullptr, rows.data(), rows_out, plane * rows_out);
  for (float& v : x) v = rounded(v);
  for (float& v : wr) v = rounded(v);
  Conv2dParams q;
  q.in_channels = rows_in;
  q.out_channels = rows_out;
  std::vector<float> nchw(size_t(batch) * rows_out * plane), expected(rows.size());
  conv2d_f32_ref(x.data(), batch, h, w, q, wr.data(), nullptr, nchw.data());
  for (int n = 0; n < batch; ++n)
    for (int co = 0; co < rows_out; ++co)
      for (int64_t px = 0; px < plane; ++px)
        expected[(size_t(n) * plane + px) * rows_out + co] =
            nchw[(size_t(n) * rows_out + co) * plane + px];
  test::expect_close(rows.data(), expected, false, "pointwise_rows_bf16_ref vs conv2d_f32_ref",
                     1e-5, 1e-5);
}

}  // namespace
}  // namespace espnet
