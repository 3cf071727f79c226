// The fused EESP spatial kernel (every dilated depth-wise branch + HFF + BN + PReLU in one pass)
// against its naive reference, for every ISA build the CPU supports (others are skipped), over
// randomised shapes: odd sizes, every ESPNetv2 branch width, dilations 1..8, stride 1 and 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>

#include "kernels/dispatch.h"
#include "kernels/eesp_spatial.h"
#include "support/kernel_buffers.h"

namespace espnet {
namespace {

uint32_t seed() {
  const char* env = std::getenv("ESPNET_TEST_SEED");
  return env ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : 1234567u;
}

class EespSpatial : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam()))
      GTEST_SKIP() << isa_name(GetParam())
                   << " not supported by this CPU or build (best: " << isa_name(detected_isa())
                   << ")";
    fn_ = conv_kernels_for(GetParam()).eesp_spatial;
    name_ = conv_kernels_for(GetParam()).eesp_spatial_name;
    rng_.seed(seed());
  }

  void check(int batch, int width, int h, int w, int stride, std::vector<int> dilations) {
    const int k = static_cast<int>(dilations.size());
    const int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
    const size_t in_count = size_t(batch) * width * h * w;
    const size_t out_count = size_t(batch) * k * width * oh * ow;
    test::GuardedInput input(in_count);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (size_t i = 0; i < in_count; ++i) input.data()[i] = u(rng_);
    std::vector<float> weights(size_t(k) * width * 9), scale(size_t(k) * width),
        shift(scale.size()), slopes(scale.size());
    for (float& v : weights) v = u(rng_) * 0.4f;
    for (float& v : scale) v = 0.5f + 0.5f * u(rng_);
    for (float& v : shift) v = 0.2f * u(rng_);
    for (float& v : slopes) v = 0.3f * u(rng_);
    std::vector<float> out = test::output_buffer(out_count), ref(out_count);
    fn_(input.data(), batch, width, h, w, stride, k, dilations.data(), weights.data(), scale.data(),
        shift.data(), slopes.data(), out.data());
    eesp_spatial_f32_ref(input.data(), batch, width, h, w, stride, k, dilations.data(),
                         weights.data(), scale.data(), shift.data(), slopes.data(), ref.data());
    std::ostringstream what;
    what << name_ << " n" << batch << " width " << width << " " << h << "x" << w << " s" << stride
         << " d";
    for (int d : dilations) what << d;
    what << " (seed " << seed() << ")";
    size_t bad = 0, worst = 0;
    for (size_t i = 0; i < out_count; ++i) {
      const double diff = std::fabs(double(out[i]) - ref[i]);
      if (!(diff <= 1e-6 + 1e-5 * std::fabs(ref[i]))) {
        if (bad++ == 0) worst = i;
      }
    }
    EXPECT_EQ(bad, 0u) << what.str() << ": first bad #" << worst << " got " << out[worst]
                       << " want " << ref[worst];
    EXPECT_TRUE(std::all_of(out.begin() + out_count, out.end(),
                            [](float v) { return v == test::kGuardValue; }))
        << what.str() << ": wrote past the output";
  }

  EespSpatialFn fn_ = nullptr;
  const char* name_ = "";
  std::mt19937 rng_;
};

TEST_P(EespSpatial, EspNetv2Configurations) {
  // Dilation sets of the levels (1,2,3,4 / 1,1,2,3 / 1,1,1,2) at the real branch widths.
  const std::vector<std::vector<int>> sets = {{1, 2, 3, 4}, {1, 1, 2, 3}, {1, 1, 1, 2}};
  for (int width : {4, 8, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256})
    for (const auto& d : sets)
      for (int stride : {1, 2}) check(1, width, 14 + width % 5, 14 + width % 7, stride, d);
}

TEST_P(EespSpatial, OddSizesDilationsUpTo8) {
  std::uniform_int_distribution<int> size(1, 40), branches(1, 8), dil(1, 8), width(1, 9);
  for (int trial = 0; trial < 120; ++trial) {
    std::vector<int> d(static_cast<size_t>(branches(rng_)));
    for (int& v : d) v = dil(rng_);
    check(1 + trial % 2, width(rng_), size(rng_), size(rng_), 1 + trial % 2, d);
  }
}

TEST_P(EespSpatial, LargePlanesUseEveryPath) {
  check(1, 4, 128, 256, 1, {1, 2, 3, 4});
  check(1, 8, 129, 255, 2, {1, 2, 3, 4});
  check(2, 3, 67, 93, 1, {8, 1, 5});
  // Rows of 49-63 pixels: every vector count of a block with a partial last vector.
  check(1, 5, 23, 61, 1, {1, 2, 3, 4});
  check(1, 5, 23, 49, 1, {1, 1, 2, 3});
  check(1, 6, 31, 119, 2, {1, 2, 3, 4});
}

INSTANTIATE_TEST_SUITE_P(Isas, EespSpatial, ::testing::ValuesIn(kAllIsas),
                         [](const auto& info) { return std::string(isa_name(info.param)); });

}  // namespace
}  // namespace espnet
