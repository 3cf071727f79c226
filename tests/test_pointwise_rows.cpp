// The pixel-major point-wise kernel (SSD's heads, written straight into their flattened rows)
// against conv2d_f32_ref, transposed, for every ISA level this CPU has. Rows are given padding
// between them and between images, which must stay untouched; inputs end at an inaccessible page
// and the output is followed by guard values.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <vector>

#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"
#include "kernels/reference/conv2d_ref.h"
#include "kernels/reference/linear_ref.h"
#include "support/kernel_buffers.h"

namespace espnet {
namespace {

using test::fill;
using test::GuardedInput;
using test::kGuard;
using test::kGuardValue;

struct RowsCase {
  int batch, in_channels, out_channels, h, w;
  int row_padding;    // floats between one pixel's row and the next
  int batch_padding;  // floats between one image's rows and the next
  bool bias;
};

class PointwiseRowsTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam()))
      GTEST_SKIP() << isa_name(GetParam()) << " not supported by this CPU";
    kernels_ = &conv_kernels_for(GetParam());
    seed_ = test::test_seed();
    rng_.seed(seed_);
  }

  void run(const RowsCase& c) {
    const int64_t plane = int64_t(c.h) * c.w;
    const size_t in_count = size_t(c.batch) * c.in_channels * plane;
    GuardedInput input(in_count);
    fill(rng_, input.data(), in_count, -1.0f, 1.0f);
    std::vector<float> weight(size_t(c.out_channels) * c.in_channels), bias(c.out_channels);
    const float scale = 1.0f / std::sqrt(float(c.in_channels));
    fill(rng_, weight.data(), weight.size(), -scale, scale);
    fill(rng_, bias.data(), bias.size(), -0.5f, 0.5f);
    std::vector<float> packed(size_t(c.in_channels) * pointwise_rows_stride(c.out_channels));
    pack_pointwise_rows(weight.data(), c.in_channels, c.out_channels, packed.data());

    const int64_t row_stride = c.out_channels + c.row_padding;
    const int64_t batch_stride = plane * row_stride + c.batch_padding;
    const size_t out_count = size_t(c.batch * batch_stride);
    std::vector<float> out(out_count + kGuard, kGuardValue);
    kernels_->pointwise_rows(input.data(), c.batch, c.in_channels, plane, packed.data(),
                             c.out_channels, c.bias ? bias.data() : nullptr, out.data(), row_stride,
                             batch_stride);

    Conv2dParams p;
    p.in_channels = c.in_channels;
    p.out_channels = c.out_channels;
    std::vector<float> nchw(size_t(c.batch) * c.out_channels * plane);
    conv2d_f32_ref(input.data(), c.batch, c.h, c.w, p, weight.data(),
                   c.bias ? bias.data() : nullptr, nchw.data());
    // Expected: the reference transposed into the rows; padding keeps the guard value.
    std::vector<float> expected(out_count + kGuard, kGuardValue);
    for (int n = 0; n < c.batch; ++n)
      for (int co = 0; co < c.out_channels; ++co)
        for (int64_t px = 0; px < plane; ++px)
          expected[n * batch_stride + px * row_stride + co] =
              nchw[(size_t(n) * c.out_channels + co) * plane + px];

    std::ostringstream what;
    what << kernels_->pointwise_rows_name << " n" << c.batch << " " << c.in_channels << "->"
         << c.out_channels << " " << c.h << "x" << c.w << " row+" << c.row_padding << " batch+"
         << c.batch_padding << (c.bias ? " bias" : "") << " seed " << seed_
         << " (padding and guards included)";
    test::expect_close(out.data(), expected, false, what.str(), test::reduction_atol(c.in_channels),
                       test::reduction_rtol(c.in_channels));
  }

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  const ConvKernels* kernels_ = nullptr;
  uint32_t seed_ = 0;
  std::mt19937 rng_;
};

TEST_P(PointwiseRowsTest, SsdHeadShapes) {
  // SSD300 / SSD512 heads: 6 anchors x 4 offsets, 6 x 81 (COCO) or 6 x 21 (VOC) scores.
  const int maps[][3] = {{256, 38, 38}, {512, 19, 19}, {1280, 10, 10}, {512, 5, 5},
                         {256, 3, 3},   {128, 1, 1},   {64, 64, 64}};
  for (const auto& m : maps)
    for (int out : {24, 486, 126}) {
      run(RowsCase{1, m[0], out, m[1], m[2], 0, 0, true});
      if (HasFailure()) return;
    }
}

TEST_P(PointwiseRowsTest, RandomShapesWithPaddedRows) {
  for (int i = 0; i < 200 && !HasFailure(); ++i)
    run(RowsCase{uniform(1, 3), uniform(1, 70), uniform(1, 100), uniform(1, 23), uniform(1, 23),
                 uniform(0, 1) ? 0 : uniform(1, 20), uniform(0, 1) ? 0 : uniform(1, 40),
                 uniform(0, 3) != 0});
}

TEST_P(PointwiseRowsTest, AboveTheThreadingThreshold) {
  // Few pixel blocks: output channels are split across threads too.
  run(RowsCase{1, 1280, 486, 10, 10, 0, 0, true});
  run(RowsCase{2, 300, 97, 41, 13, 5, 7, true});
  run(RowsCase{1, 4096, 33, 2, 9, 1, 0, false});
}

TEST_P(PointwiseRowsTest, ClassifierLinearLayer) {
  // nn.Linear(1280, 1000) of classification s=2.0 runs as this kernel over a 1x1 plane; its
  // ground truth is the reference linear layer.
  const int batch = 3, in = 1280, out = 1000;
  std::vector<float> x(size_t(batch) * in), weight(size_t(out) * in), bias(out);
  fill(rng_, x.data(), x.size(), -1.0f, 1.0f);
  fill(rng_, weight.data(), weight.size(), -0.03f, 0.03f);
  fill(rng_, bias.data(), bias.size(), -0.5f, 0.5f);
  std::vector<float> packed(size_t(in) * pointwise_rows_stride(out));
  pack_pointwise_rows(weight.data(), in, out, packed.data());
  std::vector<float> got(size_t(batch) * out), want(size_t(batch) * out);
  kernels_->pointwise_rows(x.data(), batch, in, 1, packed.data(), out, bias.data(), got.data(), out,
                           out);
  linear_f32_ref(x.data(), batch, in, weight.data(), bias.data(), out, want.data());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-5 + 1e-4 * std::fabs(want[i])) << "#" << i;
}

INSTANTIATE_TEST_SUITE_P(AllIsas, PointwiseRowsTest, ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(isa_name(info.param));
                         });

TEST(PackPointwiseRows, TransposesAndZeroPads) {
  // weight[co][ci] = 10 * co + ci, 3 outputs x 2 inputs: rows of 16 floats per input channel.
  const float weight[] = {0, 1, 10, 11, 20, 21};
  ASSERT_EQ(pointwise_rows_stride(3), 16);
  ASSERT_EQ(pointwise_rows_stride(16), 16);
  ASSERT_EQ(pointwise_rows_stride(17), 32);
  std::vector<float> packed(2 * 16, -1.0f);
  pack_pointwise_rows(weight, 2, 3, packed.data());
  for (int ci = 0; ci < 2; ++ci)
    for (int co = 0; co < 16; ++co)
      EXPECT_EQ(packed[ci * 16 + co], co < 3 ? 10.0f * co + ci : 0.0f) << ci << "," << co;
}

}  // namespace
}  // namespace espnet
