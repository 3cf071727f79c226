// ISA selection (ESPNET_ISA parsing, set_isa clamping) and the ops::conv2d / conv2d_prelu hook:
// the optimised paths and the reference fallback give the reference result, bad shapes throw;
// the interleaving concatenation against a concatenation and a channel shuffle.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "kernels/dispatch.h"
#include "kernels/reference/conv2d_ref.h"
#include "kernels/reference/elementwise_ref.h"
#include "layers/conv_layer.h"
#include "ops.h"

namespace espnet {
namespace {

TEST(IsaSelection, EnvironmentValues) {
  std::string warning;
  EXPECT_EQ(isa_from_env_value(nullptr, Isa::kAvx512, &warning), Isa::kAvx512);
  EXPECT_TRUE(warning.empty());
  EXPECT_EQ(isa_from_env_value("", Isa::kAvx2, &warning), Isa::kAvx2);
  EXPECT_EQ(isa_from_env_value("scalar", Isa::kAvx512, &warning), Isa::kScalar);
  EXPECT_TRUE(warning.empty());
  EXPECT_EQ(isa_from_env_value("avx2", Isa::kAvx512, &warning), Isa::kAvx2);
  EXPECT_EQ(isa_from_env_value("avx512", Isa::kAvx512, &warning), Isa::kAvx512);
  EXPECT_EQ(isa_from_env_value("avx512", Isa::kAvx2, &warning), Isa::kAvx2);
  EXPECT_NE(warning.find("not supported by this CPU"), std::string::npos) << warning;
  EXPECT_EQ(isa_from_env_value("sse9", Isa::kAvx2, &warning), Isa::kAvx2);
  EXPECT_NE(warning.find("'sse9' is not one of scalar, avx2, avx512, neon"), std::string::npos)
      << warning;
  // NEON is AArch64's level: an x86 CPU refuses it, and an AArch64 one refuses the x86 levels.
  EXPECT_EQ(isa_from_env_value("neon", Isa::kNeon, &warning), Isa::kNeon);
  EXPECT_TRUE(warning.empty());
  EXPECT_EQ(isa_from_env_value("scalar", Isa::kNeon, &warning), Isa::kScalar);
  EXPECT_EQ(isa_from_env_value("neon", Isa::kAvx512, &warning), Isa::kAvx512);
  EXPECT_NE(warning.find("not supported by this CPU"), std::string::npos) << warning;
  EXPECT_EQ(isa_from_env_value("avx2", Isa::kNeon, &warning), Isa::kNeon);
  EXPECT_NE(warning.find("not supported by this CPU"), std::string::npos) << warning;
}

TEST(IsaSelection, SetIsaClampsToDetected) {
  const Isa before = active_isa();
  EXPECT_EQ(set_isa(Isa::kScalar), Isa::kScalar);
  EXPECT_EQ(active_isa(), Isa::kScalar);
  EXPECT_STREQ(conv_kernels().pointwise_name, "gconv1x1_f32_scalar");
  EXPECT_EQ(set_isa(Isa::kAvx512), detected_isa());
  EXPECT_EQ(&conv_kernels(), &conv_kernels_for(detected_isa()));
  if (detected_isa() != Isa::kAvx512) {
    EXPECT_THROW(conv_kernels_for(Isa::kAvx512), Error);
  }
  if (detected_isa() != Isa::kNeon) {
    EXPECT_EQ(set_isa(Isa::kNeon), detected_isa());
    EXPECT_THROW(conv_kernels_for(Isa::kNeon), Error);
  }
  set_isa(before);
}

Tensor random_tensor(std::mt19937& rng, Shape shape, float scale) {
  Tensor t(std::move(shape));
  std::uniform_real_distribution<float> dist(-scale, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = dist(rng);
  return t;
}

// ops::conv2d_prelu vs conv2d_f32_ref + prelu_f32_ref for one layer, at every supported ISA.
void check_layer(const Conv2dParams& p, int h, int w) {
  std::mt19937 rng(7);
  const Tensor x = random_tensor(rng, {2, p.in_channels, h, w}, 1.0f);
  const Tensor weight =
      random_tensor(rng, {p.out_channels, p.in_channels / p.groups, p.kernel_h, p.kernel_w}, 0.3f);
  std::vector<float> bias(size_t(p.out_channels)), slopes(size_t(p.out_channels));
  for (int c = 0; c < p.out_channels; ++c) bias[c] = 0.1f * c - 1.0f, slopes[c] = 0.05f * c;
  const int oh = conv_output_size(h, p.kernel_h, p.stride, p.pad, p.dilation);
  const int ow = conv_output_size(w, p.kernel_w, p.stride, p.pad, p.dilation);
  Tensor ref({2, p.out_channels, oh, ow});
  conv2d_f32_ref(x.data(), 2, h, w, p, weight.data(), bias.data(), ref.data());
  prelu_f32_ref(ref.data(), 2, p.out_channels, int64_t(oh) * ow, slopes.data());
  const Isa before = active_isa();
  for (Isa isa : kAllIsas) {
    if (set_isa(isa) != isa) continue;
    ExecContext ctx;
    const Tensor y = ops::conv2d_prelu(ctx, x, p, weight, bias, true, slopes);
    ASSERT_EQ(y.shape(), ref.shape());
    for (int64_t i = 0; i < y.numel(); ++i)
      ASSERT_NEAR(y.data()[i], ref.data()[i], 1e-6 + 1e-5 * std::fabs(ref.data()[i]))
          << isa_name(isa) << " element " << i;
  }
  set_isa(before);
}

TEST(ConvOps, PointwiseDepthwiseAndFallback) {
  check_layer(conv_params(12, 20, 1, 1, 4), 9, 11);       // grouped 1x1 kernel
  check_layer(conv_params(10, 10, 3, 1, 10, 3), 13, 20);  // depth-wise kernel, dilation 3
  check_layer(conv_params(10, 10, 3, 2, 10, 1), 13, 20);  // depth-wise kernel, stride 2
  check_layer(conv_params(4, 6, 3, 2, 2), 11, 8);         // reference path
}

TEST(ConvOps, BadParametersThrow) {
  ExecContext ctx;
  const Tensor x({1, 4, 5, 5});
  const Conv2dParams p = conv_params(4, 8, 1, 1, 2);
  EXPECT_THROW(ops::conv2d(ctx, x, p, Tensor({8, 4, 1, 1}), {}, false), Error);  // weight size
  EXPECT_THROW(ops::conv2d(ctx, x, p, Tensor({8, 2, 1, 1}), std::vector<float>(3), false),
               Error);  // bias size
  EXPECT_THROW(ops::conv2d_prelu(ctx, x, p, Tensor({8, 2, 1, 1}), {}, false, {0.5f}), Error);
  Conv2dParams zero_groups = p;
  zero_groups.groups = 0;
  EXPECT_THROW(ops::conv2d(ctx, x, zero_groups, Tensor({8, 2, 1, 1}), {}, false), Error);
  EXPECT_NO_THROW(ops::conv2d(ctx, x, p, Tensor({8, 2, 1, 1}), {}, false));
}

// Convolutions and pooling written into a given tensor (a view into a concatenation, or the
// addend itself) give what the allocating ops give; a tensor of another shape, or the input
// itself, is refused.
TEST(ConvOps, WritingIntoAGivenTensor) {
  ExecContext ctx;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> values(-1.0f, 1.0f);
  Tensor x({1, 8, 6, 7}), weight({12, 4, 1, 1}), addend({1, 12, 6, 7});
  for (Tensor* t : {&x, &weight, &addend})
    for (int64_t i = 0; i < t->numel(); ++i) t->data()[i] = values(rng);
  const Conv2dParams p = conv_params(8, 12, 1, 1, 2);
  const std::vector<float> bias(12, 0.25f), slopes(12, 0.1f);
  const Tensor want = ops::conv2d_add_prelu(ctx, x, p, weight, bias, true, &addend, slopes);
  auto same = [](const Tensor& a, const float* b) {
    return std::equal(a.data(), a.data() + a.numel(), b);
  };
  // Into the second half of a larger buffer, through a view.
  std::vector<float> joined(size_t(2 * want.numel()), -9.0f);
  Tensor view = Tensor::view(joined.data() + want.numel(), want.shape());
  ops::conv2d_add_prelu_into(ctx, x, p, weight, bias, true, &addend, slopes, view);
  EXPECT_TRUE(same(want, joined.data() + want.numel()));
  EXPECT_EQ(joined[0], -9.0f);
  // In place: the addend is the output.
  Tensor accumulator = addend;
  ops::conv2d_add_prelu_into(ctx, x, p, weight, bias, true, &accumulator, slopes, accumulator);
  EXPECT_TRUE(same(want, accumulator.data()));
  Tensor wrong({1, 12, 6, 6});
  EXPECT_THROW(ops::conv2d_add_prelu_into(ctx, x, p, weight, bias, true, nullptr, slopes, wrong),
               Error);
  Tensor square({1, 8, 6, 6}), square_weight({8, 8, 1, 1});
  EXPECT_THROW(ops::conv2d_add_prelu_into(ctx, square, conv_params(8, 8, 1), square_weight, {},
                                          false, nullptr, {}, square),
               Error);  // over its own input
  const Tensor pooled = ops::avg_pool_3x3_s2(ctx, x);
  Tensor pooled_into({1, 8, 3, 4});
  ops::avg_pool_3x3_s2_into(ctx, x, pooled_into);
  EXPECT_TRUE(same(pooled, pooled_into.data()));
  EXPECT_THROW(ops::avg_pool_3x3_s2_into(ctx, x, wrong), Error);
}

// EfficientPyrPool's merge: the interleaved join is channel_shuffle(concat_channels), built part by
// part in any order, and a per-channel BN+PReLU commutes with it once its parameters are permuted
// as the channels are.
TEST(ConvOps, InterleavedConcatIsAConcatThenAShuffle) {
  ExecContext ctx;
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> values(-2.0f, 2.0f);
  for (const Shape& shape : {Shape{1, 3, 5, 7}, Shape{2, 4, 1, 3}, Shape{1, 10, 24, 17}}) {
    const int count = 5;
    std::vector<Tensor> parts;
    std::vector<const Tensor*> pointers;
    for (int i = 0; i < count; ++i) {
      parts.emplace_back(shape);
      for (int64_t j = 0; j < parts.back().numel(); ++j) parts.back().data()[j] = values(rng);
    }
    for (const Tensor& t : parts) pointers.push_back(&t);
    Tensor expected = ops::channel_shuffle(
        ctx, ops::concat_channels(ctx, pointers.data(), pointers.size()), count);
    Tensor got = ops::interleaved_joint(ctx, parts[0], count);
    for (int i : {3, 0, 4, 1, 2}) ops::copy_interleaved(ctx, parts[size_t(i)], got, i, count);
    ASSERT_EQ(got.shape(), expected.shape());
    EXPECT_EQ(std::vector<float>(got.data(), got.data() + got.numel()),
              std::vector<float>(expected.data(), expected.data() + expected.numel()));

    // BN+PReLU before the shuffle equals its permuted form after it.
    const int channels = static_cast<int>(shape[1]) * count;
    const int per_part = static_cast<int>(shape[1]);
    std::vector<float> scale(channels), shift(channels), slopes(channels);
    for (int c = 0; c < channels; ++c)
      scale[c] = values(rng), shift[c] = values(rng), slopes[c] = values(rng);
    Tensor before = ops::concat_channels(ctx, pointers.data(), pointers.size());
    ops::scale_shift_activate(ctx, before, scale, shift, ops::Activation::kPRelu, slopes);
    before = ops::channel_shuffle(ctx, before, count);
    std::vector<int> order(static_cast<size_t>(channels));
    for (int k = 0; k < per_part; ++k)
      for (int i = 0; i < count; ++i) order[size_t(k) * count + i] = i * per_part + k;
    std::vector<float> p_scale(channels), p_shift(channels), p_slopes(channels);
    for (int j = 0; j < channels; ++j)
      p_scale[j] = scale[order[j]], p_shift[j] = shift[order[j]], p_slopes[j] = slopes[order[j]];
    ops::scale_shift_activate(ctx, got, p_scale, p_shift, ops::Activation::kPRelu, p_slopes);
    EXPECT_EQ(std::vector<float>(got.data(), got.data() + got.numel()),
              std::vector<float>(before.data(), before.data() + before.numel()));
  }
  const Tensor a({1, 2, 3, 3}), b({1, 2, 3, 4});
  Tensor joint = ops::interleaved_joint(ctx, a, 2);
  EXPECT_THROW(ops::copy_interleaved(ctx, b, joint, 1, 2), Error);  // another shape
  EXPECT_THROW(ops::copy_interleaved(ctx, a, joint, 2, 2), Error);  // no such part
  EXPECT_NO_THROW(ops::copy_interleaved(ctx, a, joint, 1, 2));
}

}  // namespace
}  // namespace espnet
