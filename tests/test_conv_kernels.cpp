// Optimised convolution kernels (grouped 1x1, depth-wise 3x3, direct grouped 3x3) against
// conv2d_f32_ref followed by prelu_f32_ref, for every ISA level; levels this CPU lacks are skipped,
// never passed. Inputs end exactly at an inaccessible page, outputs are NaN-prefilled and guarded
// (see support/kernel_buffers.h); the seed is printed with every failure.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <random>
#include <sstream>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/conv2d_ref.h"
#include "kernels/reference/elementwise_ref.h"
#include "support/kernel_buffers.h"

namespace espnet {
namespace {

using test::fill;
using test::GuardedInput;
using test::output_buffer;
using test::test_seed;

struct Data {
  std::vector<float> weight, bias, slopes;
};

// Checks out (with guards) against ref over sums of `reduction` products.
void expect_close(const std::vector<float>& out, const std::vector<float>& ref, int reduction,
                  const std::string& what) {
  test::expect_close(out.data(), ref, true, what, test::reduction_atol(reduction),
                     test::reduction_rtol(reduction));
}

struct PointwiseCase {
  int batch, in_channels, out_channels, groups, h, w;
  bool prelu;
};

struct DepthwiseCase {
  int batch, channels, h, w, stride, dilation;
  bool prelu;
};

struct Conv3x3Case {
  int batch, in_channels, out_channels, groups, h, w, stride;
  bool prelu;
};

class ConvKernelsTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam()))
      GTEST_SKIP() << isa_name(GetParam())
                   << " not supported by this CPU or build (best: " << isa_name(detected_isa())
                   << ")";
    kernels_ = &conv_kernels_for(GetParam());
    seed_ = test_seed();
    rng_.seed(seed_);
    RecordProperty("seed", std::to_string(seed_));
    // ESPNET_TEST_SAMPLE=N runs every N-th case of the sweeps (still every kind of case): for
    // emulated runs (qemu, tools/run_aarch64_tests.sh), where the full sweeps take most of an
    // hour; the same bodies get the full sweeps natively on x86.
    if (const char* sample = std::getenv("ESPNET_TEST_SAMPLE"))
      sample_ = std::max(1, std::atoi(sample));
    RecordProperty("sample", std::to_string(sample_));
  }

  // Whether the next case of a sweep is skipped under ESPNET_TEST_SAMPLE.
  bool sampled_out() { return case_index_++ % sample_ != 0; }

  void run(const PointwiseCase& c) {
    if (sampled_out()) return;
    const int cin = c.in_channels / c.groups;
    const int64_t plane = int64_t(c.h) * c.w;
    const size_t in_count = size_t(c.batch) * c.in_channels * plane;
    const size_t out_count = size_t(c.batch) * c.out_channels * plane;
    GuardedInput input(in_count);
    fill(rng_, input.data(), in_count, -1.0f, 1.0f);
    Data d = make_data(size_t(c.out_channels) * cin, c.out_channels, cin, c.prelu);
    std::vector<float> out = output_buffer(out_count), ref(out_count);
    // The addend epilogue: none, a separate tensor (ending at a guard page), or the output itself.
    const int addend_mode = std::uniform_int_distribution<int>(0, 2)(rng_);
    GuardedInput addend(out_count);
    fill(rng_, addend.data(), out_count, -1.0f, 1.0f);
    if (addend_mode == 2) std::copy(addend.data(), addend.data() + out_count, out.begin());
    const float* addend_ptr = addend_mode == 0   ? nullptr
                              : addend_mode == 1 ? addend.data()
                                                 : out.data();
    kernels_->pointwise(input.data(), c.batch, c.in_channels, c.out_channels, c.groups, plane,
                        d.weight.data(), d.bias.data(), c.prelu ? d.slopes.data() : nullptr,
                        addend_ptr, out.data());
    Conv2dParams p;
    p.in_channels = c.in_channels;
    p.out_channels = c.out_channels;
    p.groups = c.groups;
    conv2d_f32_ref(input.data(), c.batch, c.h, c.w, p, d.weight.data(), d.bias.data(), ref.data());
    if (addend_mode != 0)
      for (size_t i = 0; i < out_count; ++i) ref[i] += addend.data()[i];
    if (c.prelu) prelu_f32_ref(ref.data(), c.batch, c.out_channels, plane, d.slopes.data());
    std::ostringstream what;
    what << kernels_->pointwise_name << " n" << c.batch << " " << c.in_channels << "->"
         << c.out_channels << " g" << c.groups << " " << c.h << "x" << c.w
         << (c.prelu ? " prelu" : "")
         << (addend_mode == 1   ? " +addend"
             : addend_mode == 2 ? " +addend in place"
                                : "")
         << " seed " << seed_;
    expect_close(out, ref, cin, what.str());
  }

  void run(const DepthwiseCase& c) {
    if (sampled_out()) return;
    const size_t in_count = size_t(c.batch) * c.channels * c.h * c.w;
    const int oh = (c.h - 1) / c.stride + 1, ow = (c.w - 1) / c.stride + 1;
    const size_t out_count = size_t(c.batch) * c.channels * oh * ow;
    GuardedInput input(in_count);
    fill(rng_, input.data(), in_count, -1.0f, 1.0f);
    Data d = make_data(size_t(c.channels) * 9, c.channels, 9, c.prelu);
    std::vector<float> out = output_buffer(out_count), ref(out_count);
    kernels_->depthwise3x3(input.data(), c.batch, c.channels, c.h, c.w, c.stride, c.dilation,
                           d.weight.data(), d.bias.data(), c.prelu ? d.slopes.data() : nullptr,
                           out.data());
    Conv2dParams p;
    p.in_channels = p.out_channels = p.groups = c.channels;
    p.kernel_h = p.kernel_w = 3;
    p.stride = c.stride;
    p.pad = p.dilation = c.dilation;
    conv2d_f32_ref(input.data(), c.batch, c.h, c.w, p, d.weight.data(), d.bias.data(), ref.data());
    if (c.prelu) prelu_f32_ref(ref.data(), c.batch, c.channels, int64_t(oh) * ow, d.slopes.data());
    std::ostringstream what;
    what << kernels_->depthwise3x3_name << " n" << c.batch << " c" << c.channels << " " << c.h
         << "x" << c.w << " s" << c.stride << " d" << c.dilation << (c.prelu ? " prelu" : "")
         << " seed " << seed_;
    expect_close(out, ref, 9, what.str());
  }

  void run(const Conv3x3Case& c) {
    if (sampled_out()) return;
    const int cin = c.in_channels / c.groups;
    const int oh = (c.h - 1) / c.stride + 1, ow = (c.w - 1) / c.stride + 1;
    const size_t in_count = size_t(c.batch) * c.in_channels * c.h * c.w;
    const size_t out_count = size_t(c.batch) * c.out_channels * oh * ow;
    GuardedInput input(in_count);
    fill(rng_, input.data(), in_count, -1.0f, 1.0f);
    Data d = make_data(size_t(c.out_channels) * cin * 9, c.out_channels, cin * 9, c.prelu);
    std::vector<float> out = output_buffer(out_count), ref(out_count);
    kernels_->conv3x3(input.data(), c.batch, c.in_channels, c.out_channels, c.groups, c.h, c.w,
                      c.stride, d.weight.data(), d.bias.data(), c.prelu ? d.slopes.data() : nullptr,
                      out.data());
    Conv2dParams p;
    p.in_channels = c.in_channels;
    p.out_channels = c.out_channels;
    p.groups = c.groups;
    p.kernel_h = p.kernel_w = 3;
    p.stride = c.stride;
    p.pad = p.dilation = 1;
    conv2d_f32_ref(input.data(), c.batch, c.h, c.w, p, d.weight.data(), d.bias.data(), ref.data());
    if (c.prelu)
      prelu_f32_ref(ref.data(), c.batch, c.out_channels, int64_t(oh) * ow, d.slopes.data());
    std::ostringstream what;
    what << kernels_->conv3x3_name << " n" << c.batch << " " << c.in_channels << "->"
         << c.out_channels << " g" << c.groups << " " << c.h << "x" << c.w << " s" << c.stride
         << (c.prelu ? " prelu" : "") << " seed " << seed_;
    expect_close(out, ref, cin * 9, what.str());
  }

  // Weights scaled by 1/sqrt(fan_in) as trained layers are, so outputs stay of order one and the
  // absolute tolerance keeps its meaning.
  Data make_data(size_t weights, int channels, int fan_in, bool prelu) {
    Data d;
    d.weight.resize(weights);
    const float scale = 1.0f / std::sqrt(float(fan_in));
    fill(rng_, d.weight.data(), weights, -scale, scale);
    d.bias.resize(size_t(channels));
    fill(rng_, d.bias.data(), d.bias.size(), -0.5f, 0.5f);
    if (prelu) {
      d.slopes.resize(size_t(channels));
      fill(rng_, d.slopes.data(), d.slopes.size(), -0.3f, 0.6f);
    }
    return d;
  }

  int pick(const std::vector<int>& values) {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng_)];
  }
  bool coin() { return std::uniform_int_distribution<int>(0, 1)(rng_) == 1; }

  const ConvKernels* kernels_ = nullptr;
  uint32_t seed_ = 0;
  int sample_ = 1;
  int64_t case_index_ = 0;
  std::mt19937 rng_;
};

const std::vector<std::pair<int, int>> kSizes = {{1, 1},   {3, 3},   {5, 7},  {15, 7},
                                                 {18, 17}, {25, 33}, {64, 48}};
const std::vector<int> kWidths = {4, 8, 16, 20, 32, 64, 96, 128, 192, 256, 384, 512, 1024};

// Group counts as ESPNetv2 uses them: 1, 2, 4 and gcd(in, out), where they divide.
std::vector<int> group_choices(int in, int out) {
  std::vector<int> groups;
  for (int g : {1, 2, 4, std::gcd(in, out)})
    if (in % g == 0 && out % g == 0 && std::find(groups.begin(), groups.end(), g) == groups.end())
      groups.push_back(g);
  return groups;
}

TEST_P(ConvKernelsTest, PointwiseSmallChannelsEverySize) {
  for (const auto& [h, w] : kSizes)
    for (int in = 1; in <= 33; in += (in < 9 ? 1 : 4))
      for (int out : {1, 3, 4, 8, 9, 16, 17, 33}) {
        for (int g : group_choices(in, out))
          run(PointwiseCase{1 + coin(), in, out, g, h, w, coin()});
        if (HasFailure()) return;
      }
}

TEST_P(ConvKernelsTest, PointwiseRandomShapes) {
  for (int i = 0; i < 300 && !HasFailure(); ++i) {
    const int in = std::uniform_int_distribution<int>(1, 33)(rng_);
    const int out = std::uniform_int_distribution<int>(1, 33)(rng_);
    const auto [h, w] = kSizes[std::uniform_int_distribution<size_t>(0, kSizes.size() - 1)(rng_)];
    run(PointwiseCase{1 + coin(), in, out, pick(group_choices(in, out)), h, w, coin()});
  }
}

TEST_P(ConvKernelsTest, PointwiseEspnetWidths) {
  for (int in : kWidths)
    for (int out : kWidths) {
      for (int g : group_choices(in, out)) {
        // The largest test size whose reference run stays under ~1M multiply-adds.
        const double per_pixel = double(in) / g * out * 2;
        auto size = kSizes[0];
        for (const auto& s : kSizes)
          if (per_pixel * s.first * s.second <= 1e6) size = s;
        run(PointwiseCase{1 + coin(), in, out, g, size.first, size.second, coin()});
      }
      if (HasFailure()) return;
    }
  // Above the threading threshold: jobs split over batch, group and pixel chunks.
  run(PointwiseCase{2, 256, 256, 4, 64, 48, true});
  run(PointwiseCase{2, 32, 8, 4, 128, 97, true});
  // Above the threshold with too few pixel chunks for the threads: output channels are split
  // into blocks too (the SSD heads and extras, level 5 at 10x10; odd channel counts for tails).
  run(PointwiseCase{1, 1280, 510, 1, 10, 10, false});
  run(PointwiseCase{1, 1024, 1020, 4, 5, 5, true});
  run(PointwiseCase{2, 768, 102, 1, 19, 19, true});
  run(PointwiseCase{1, 1792, 257, 1, 3, 7, false});
}

TEST_P(ConvKernelsTest, DepthwiseEverySizeDilationStride) {
  for (const auto& [h, w] : kSizes)
    for (int d = 1; d <= 8; ++d)
      for (int s : {1, 2}) {
        run(DepthwiseCase{1 + coin(), std::uniform_int_distribution<int>(1, 33)(rng_), h, w, s, d,
                          coin()});
        if (HasFailure()) return;
      }
}

TEST_P(ConvKernelsTest, DepthwiseWideRowsAndTails) {
  // Rows long enough for several vectors plus every tail length, with each dilation.
  for (int w = 17; w <= 75; w += 2)
    for (int d : {1, 2, 3, 5, 8})
      for (int s : {1, 2}) {
        run(DepthwiseCase{1, 3, 9 + d, w, s, d, coin()});
        if (HasFailure()) return;
      }
}

TEST_P(ConvKernelsTest, DepthwiseEspnetWidths) {
  for (int c : kWidths)
    for (int d : {1, 2, 3, 4, 5, 8}) {
      const int s = coin() ? 2 : 1;
      const auto [h, w] = c >= 256 ? kSizes[4] : kSizes[5 + coin()];
      run(DepthwiseCase{1 + coin(), c, h, w, s, d, coin()});
      if (HasFailure()) return;
    }
  // Cityscapes level2: threaded, planes split into blocks of rows.
  run(DepthwiseCase{1, 16, 128, 256, 1, 1, true});
  run(DepthwiseCase{2, 16, 129, 255, 2, 3, true});
}

TEST_P(ConvKernelsTest, Conv3x3EverySizeStrideAndBlock) {
  // Output channels per group 1..17 cover every register block (8, 4, 3, 2, 1) and their sums;
  // inputs per group 1..6; every test size (1x1 and 3x3 are all border).
  for (const auto& [h, w] : kSizes)
    for (int s : {1, 2}) {
      for (int cout = 1; cout <= 17; cout += (cout < 9 ? 1 : 4)) {
        const int cin = std::uniform_int_distribution<int>(1, 6)(rng_);
        const int groups = std::uniform_int_distribution<int>(1, 3)(rng_);
        run(Conv3x3Case{1 + coin(), cin * groups, cout * groups, groups, h, w, s, coin()});
      }
      if (HasFailure()) return;
    }
}

TEST_P(ConvKernelsTest, Conv3x3WideRowsAndTails) {
  // Rows spanning several vectors with every tail length, both strides.
  for (int w = 15; w <= 70; ++w)
    for (int s : {1, 2}) {
      run(Conv3x3Case{1, 3, 4, 1, 5, w, s, coin()});
      if (HasFailure()) return;
    }
}

TEST_P(ConvKernelsTest, Conv3x3RowsWiderThanAMaskChunk) {
  // The kernel makes a row's column masks 32 vectors at a time (128-512 columns by ISA): rows of
  // one, two and several chunks, with tails, at both strides, grouped.
  for (int out_w : {127, 129, 257, 263, 513, 520, 1031})
    for (int s : {1, 2}) {
      run(Conv3x3Case{1, 6, 4, 2, 3, out_w * s - (s - 1) * coin(), s, coin()});
      if (HasFailure()) return;
    }
}

TEST_P(ConvKernelsTest, Conv3x3EspnetLayers) {
  // The ESPNetv2 layers this kernel serves, at reduced sizes: the stem (3->32, stride 2), the
  // image shortcut (3->3), EfficientPyrPool's merge (groups = out, 2..5 inputs each) and
  // EfficientPWConv's gcd-grouped 3x3.
  run(Conv3x3Case{1, 3, 32, 1, 57, 45, 2, true});
  run(Conv3x3Case{2, 3, 3, 1, 28, 28, 1, true});
  for (int per_group = 2; per_group <= 5; ++per_group)
    run(Conv3x3Case{1, 10 * per_group, 10, 10, 24, 24, 1, true});
  run(Conv3x3Case{1, 128, 48, 16, 24, 24, 1, true});
  run(Conv3x3Case{1, 256, 64, 64, 12, 12, 1, true});
  run(Conv3x3Case{1, 408, 102, 102, 19, 19, 1, true});
  run(Conv3x3Case{1, 204, 51, 51, 38, 38, 1, true});
  // Above the threading threshold: image rows split into jobs.
  run(Conv3x3Case{2, 3, 32, 1, 224, 160, 2, true});
}

TEST_P(ConvKernelsTest, ToleranceCatchesWrongResult) {
  // The comparison itself must be able to fail: a perturbed output is reported.
  std::vector<float> ref = {1.0f, -2.0f, 0.0f};
  std::vector<float> out = output_buffer(ref.size());
  std::copy(ref.begin(), ref.end(), out.begin());
  out[1] = -2.001f;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    expect_close(out, ref, 9, "perturbed");
    out[1] = ref[1];
    out[ref.size()] = 0.0f;  // a clobbered guard
    expect_close(out, ref, 9, "guard");
  }
  EXPECT_EQ(failures.size(), 2);
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) {
  return isa_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, ConvKernelsTest, ::testing::ValuesIn(kAllIsas), isa_param_name);

}  // namespace
}  // namespace espnet
