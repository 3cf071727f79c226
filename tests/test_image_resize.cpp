// Pillow's and OpenCV's resizes on small hand-checked cases and random images.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "espnet/error.h"
#include "image/resize_opencv.h"
#include "image/resize_pillow.h"

namespace espnet {
namespace {

Image random_image(int w, int h, int c, std::mt19937& rng) {
  Image img;
  img.width = w;
  img.height = h;
  img.channels = c;
  img.pixels.resize(static_cast<size_t>(w) * h * c);
  // Smooth-ish content plus noise, so both flat areas and edges are exercised.
  std::uniform_int_distribution<int> noise(-40, 40);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) {
        int v = (x * 7 + y * 3 + ch * 50) % 256 + noise(rng);
        img.pixels[(static_cast<size_t>(y) * w + x) * c + ch] =
            static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
      }
  return img;
}

// Pillow's antialiased bilinear in double precision (no fixed point), for comparison.
std::vector<double> pillow_float_axis(const std::vector<double>& in, int in_size, int out_size,
                                      int stride, int count) {
  const double scale = double(in_size) / out_size, fs = std::max(scale, 1.0);
  std::vector<double> out(static_cast<size_t>(out_size) * count);
  for (int i = 0; i < out_size; ++i) {
    const double c = (i + 0.5) * scale;
    const int lo = std::max(0, int(c - fs + 0.5)), hi = std::min(in_size, int(c + fs + 0.5));
    double total = 0;
    std::vector<double> w;
    for (int j = lo; j < hi; ++j) {
      w.push_back(std::max(0.0, 1 - std::fabs((j - c + 0.5) / fs)));
      total += w.back();
    }
    for (int k = 0; k < count; ++k) {
      double s = 0;
      for (int j = lo; j < hi; ++j) s += in[static_cast<size_t>(j) * stride + k] * w[j - lo];
      out[static_cast<size_t>(i) * count + k] = s / total;
    }
  }
  return out;
}

TEST(ResizePillow, SameSizeIsACopy) {
  std::mt19937 rng(1);
  const Image img = random_image(13, 7, 3, rng);
  const Image out = resize_pillow_bilinear(img, 13, 7);
  EXPECT_EQ(out.pixels, img.pixels);
}

TEST(ResizePillow, HandCheckedHalving) {
  // 4 -> 2 in one row: scale 2, support 2; output 0 centred at 1 takes taps 0..2 with weights
  // tri(-0.5 / 2 ... ) = 0.75, 0.75, 0.25 normalised -> 3/7, 3/7, 1/7.
  Image img;
  img.width = 4;
  img.height = 1;
  img.channels = 1;
  img.pixels = {0, 70, 140, 210};
  const Image out = resize_pillow_bilinear(img, 2, 1);
  ASSERT_EQ(out.pixels.size(), 2u);
  EXPECT_EQ(out.pixels[0], 50);   // (0*3 + 70*3 + 140) / 7 = 50
  EXPECT_EQ(out.pixels[1], 160);  // (70 + 140*3 + 210*3) / 7 = 160
}

TEST(ResizePillow, WithinOneLevelOfExactArithmetic) {
  const unsigned seed = 20240611;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  const int sizes[][4] = {{275, 183, 256, 160}, {31, 17, 64, 40}, {100, 50, 33, 77}, {9, 9, 1, 1}};
  for (const auto& s : sizes) {
    const Image img = random_image(s[0], s[1], 3, rng);
    const Image out = resize_pillow_bilinear(img, s[2], s[3]);
    ASSERT_EQ(out.width, s[2]);
    ASSERT_EQ(out.height, s[3]);
    // Horizontal pass rounded to 8 bits, then vertical, in double: the fixed-point version
    // differs only by coefficient rounding.
    std::vector<double> in(img.pixels.begin(), img.pixels.end());
    std::vector<double> rows;
    for (int y = 0; y < s[1]; ++y) {
      std::vector<double> row(in.begin() + size_t(y) * s[0] * 3,
                              in.begin() + size_t(y + 1) * s[0] * 3);
      std::vector<double> r = pillow_float_axis(row, s[0], s[2], 3, 3);
      for (double& v : r) v = std::min(255.0, std::max(0.0, std::floor(v + 0.5)));
      rows.insert(rows.end(), r.begin(), r.end());
    }
    const std::vector<double> ref = pillow_float_axis(rows, s[1], s[3], s[2] * 3, s[2] * 3);
    int worst = 0;
    for (size_t i = 0; i < ref.size(); ++i)
      worst = std::max(worst, int(std::fabs(out.pixels[i] - std::floor(ref[i] + 0.5))));
    EXPECT_LE(worst, 1) << s[0] << "x" << s[1] << " -> " << s[2] << "x" << s[3];
  }
}

// Pillow's Resample.c for 8-bit images written out plainly (per output sample, taps from the
// triangle filter, 22-bit coefficients, int64 sums): the ground truth of the optimised resize,
// which fixes the tap count per pass, accumulates in int32 and splits rows across threads.
std::vector<uint8_t> pillow_axis_reference(const std::vector<uint8_t>& in, int in_size,
                                           int out_size, int lines, int line_stride,
                                           int sample_stride, int samples) {
  const double scale = double(in_size) / out_size, filter_scale = std::max(scale, 1.0);
  std::vector<uint8_t> out;
  std::vector<std::vector<int64_t>> coefficients(static_cast<size_t>(out_size));
  std::vector<int> first(static_cast<size_t>(out_size));
  for (int i = 0; i < out_size; ++i) {
    const double centre = (i + 0.5) * scale;
    const int lo = std::max(0, int(centre - filter_scale + 0.5));
    const int hi = std::min(in_size, int(centre + filter_scale + 0.5));
    std::vector<double> w;
    double total = 0;
    for (int j = lo; j < hi; ++j) {
      const double t = std::fabs((j - centre + 0.5) / filter_scale);
      w.push_back(t < 1.0 ? 1.0 - t : 0.0);
      total += w.back();
    }
    for (double v : w)
      coefficients[size_t(i)].push_back(int64_t(0.5 + (total != 0 ? v / total : v) * (1 << 22)));
    first[size_t(i)] = lo;
  }
  out.resize(size_t(lines) * out_size * samples);
  for (int line = 0; line < lines; ++line)
    for (int i = 0; i < out_size; ++i)
      for (int k = 0; k < samples; ++k) {
        int64_t sum = int64_t{1} << 21;
        for (size_t t = 0; t < coefficients[size_t(i)].size(); ++t)
          sum += int64_t{in[size_t(line) * line_stride +
                            (size_t(first[size_t(i)]) + t) * sample_stride + k]} *
                 coefficients[size_t(i)][t];
        out[(size_t(line) * out_size + i) * samples + k] =
            uint8_t(std::min<int64_t>(255, std::max<int64_t>(0, sum >> 22)));
      }
  return out;
}

Image pillow_reference(const Image& img, int out_w, int out_h) {
  const int c = img.channels;
  Image h = img;
  if (out_w != img.width) {
    h.pixels = pillow_axis_reference(img.pixels, img.width, out_w, img.height, img.width * c, c, c);
    h.width = out_w;
  }
  Image v = h;
  if (out_h != h.height) {
    // Columns as lines: line x samples the c bytes of column x down the rows.
    std::vector<uint8_t> by_column =
        pillow_axis_reference(h.pixels, h.height, out_h, h.width, c, h.width * c, c);
    v.height = out_h;
    v.pixels.resize(size_t(out_w) * out_h * c);
    for (int x = 0; x < out_w; ++x)
      for (int y = 0; y < out_h; ++y)
        for (int k = 0; k < c; ++k)
          v.pixels[(size_t(y) * out_w + x) * c + k] = by_column[(size_t(x) * out_h + y) * c + k];
  }
  return v;
}

// Random sizes: reductions (up to 40x, where the taps outnumber a short row), enlargements,
// one-pixel sides, 1-4 channels, on 1 and 2 threads, against the plain reference byte for byte.
TEST(ResizePillow, MatchesThePlainReferenceExactly) {
  std::mt19937 rng(20261207);
  const auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  const int fixed[][4] = {{750, 400, 736, 384}, {1024, 768, 341, 256}, {400, 300, 10, 7},
                          {5, 3, 200, 100},     {1, 1, 3, 2},          {640, 480, 640, 17}};
  for (int trial = 0; trial < 60; ++trial) {
    int w, h, ow, oh;
    if (trial < 6) {
      w = fixed[trial][0], h = fixed[trial][1], ow = fixed[trial][2], oh = fixed[trial][3];
    } else {
      w = uniform(1, 300), h = uniform(1, 200);
      ow = uniform(0, 2) ? uniform(1, w) : uniform(1, 3 * w);
      oh = uniform(0, 2) ? uniform(1, h) : uniform(1, 3 * h);
    }
    const int c = trial < 6 ? 3 : uniform(1, 4);
    const Image img = random_image(w, h, c, rng);
    const Image want = pillow_reference(img, ow, oh);
    for (int threads : {1, 2}) {
      const Image got = resize_pillow_bilinear(img, ow, oh, threads);
      ASSERT_EQ(got.width, ow);
      ASSERT_EQ(got.height, oh);
      ASSERT_EQ(got.channels, c);
      ASSERT_EQ(got.pixels, want.pixels) << w << "x" << h << "x" << c << " -> " << ow << "x" << oh
                                         << " on " << threads << " threads";
    }
  }
}

TEST(ResizePillow, BadSizesAreErrors) {
  Image img;
  EXPECT_THROW(resize_pillow_bilinear(img, 4, 4), Error);
  img.width = img.height = 2;
  img.channels = 3;
  img.pixels.resize(12);
  EXPECT_THROW(resize_pillow_bilinear(img, 0, 4), Error);
  EXPECT_THROW(resize_pillow_bilinear(img, 1 << 20, 1 << 20), Error);
  img.pixels.resize(11);
  EXPECT_THROW(resize_pillow_bilinear(img, 4, 4), Error);
}

TEST(ResizeOpenCV, FloatHandChecked) {
  // One row, 4 -> 3: scale 4/3; f = (i + 0.5) * 4/3 - 0.5 = 1/6, 3/2, 17/6.
  const float in[4] = {0.f, 6.f, 12.f, 18.f};
  std::vector<float> out = resize_opencv_linear_f32(in, 4, 1, 1, 3, 1);
  ASSERT_EQ(out.size(), 3u);
  const float f0 = static_cast<float>(0.5 * (4.0 / 3.0) - 0.5);
  EXPECT_FLOAT_EQ(out[0], 0.f * (1 - f0) + 6.f * f0);  // 1
  EXPECT_FLOAT_EQ(out[1], 9.f);                        // halfway between 6 and 12
  EXPECT_FLOAT_EQ(out[2], 17.f);                       // j = 2, t = 5/6: 12 + 6 * 5/6
  // 5 -> 2: f = 0.75, 3.25: the second is interpolated between samples 3 and 4.
  const float five[5] = {0.f, 4.f, 8.f, 12.f, 16.f};
  out = resize_opencv_linear_f32(five, 5, 1, 1, 2, 1);
  EXPECT_FLOAT_EQ(out[0], 3.f);
  EXPECT_FLOAT_EQ(out[1], 13.f);
  // 3 -> 1: f = 1 exactly, the middle sample.
  out = resize_opencv_linear_f32(five, 3, 1, 1, 1, 1);
  EXPECT_FLOAT_EQ(out[0], 4.f);
  // 2 -> 5 up-scaling: f = -0.3 (clamped to 0), 0.1, 0.5, 0.9, 1.3 (clamped to 1).
  const float two[2] = {10.f, 20.f};
  out = resize_opencv_linear_f32(two, 2, 1, 1, 5, 1);
  const float expected[5] = {10.f, 11.f, 15.f, 19.f, 20.f};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(out[i], expected[i], 1e-5) << i;
  // The same along the vertical axis.
  out = resize_opencv_linear_f32(two, 1, 2, 1, 1, 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(out[i], expected[i], 1e-5) << i;
}

TEST(ResizeOpenCV, FloatExactHalvingIsTheMean) {
  std::vector<float> in(8 * 6 * 3);
  for (size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.37f * i) * 3.f;
  const std::vector<float> out = resize_opencv_linear_f32(in.data(), 8, 6, 3, 4, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int yy, int xx) { return in[(size_t(yy) * 8 + xx) * 3 + c]; };
        const float mean = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) +
                            at(2 * y + 1, 2 * x + 1)) *
                           0.25f;
        EXPECT_NEAR(out[(size_t(y) * 4 + x) * 3 + c], mean, 1e-6);
      }
}

TEST(ResizeOpenCV, EightBitWithinOneLevelOfFloat) {
  const unsigned seed = 777;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  const int sizes[][4] = {{640, 480, 300, 300}, {123, 77, 512, 512}, {300, 300, 300, 299},
                          {5, 3, 17, 11},       {64, 64, 32, 32},    {1, 1, 4, 4}};
  for (const auto& s : sizes) {
    const Image img = random_image(s[0], s[1], 3, rng);
    const Image out = resize_opencv_linear_u8(img, s[2], s[3]);
    ASSERT_EQ(out.width, s[2]);
    ASSERT_EQ(out.height, s[3]);
    std::vector<float> f(img.pixels.begin(), img.pixels.end());
    const std::vector<float> ref = resize_opencv_linear_f32(f.data(), s[0], s[1], 3, s[2], s[3]);
    int worst = 0;
    size_t off = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      const int d = std::abs(int(out.pixels[i]) - int(std::lround(ref[i])));
      worst = std::max(worst, d);
      off += d != 0;
    }
    std::printf("%dx%d -> %dx%d: max %d, differing %.4f\n", s[0], s[1], s[2], s[3], worst,
                double(off) / ref.size());
    EXPECT_LE(worst, 1);
  }
}

TEST(ResizeOpenCV, BadSizesAreErrors) {
  const float px[4] = {0, 1, 2, 3};
  EXPECT_THROW(resize_opencv_linear_f32(px, 2, 2, 1, 0, 3), Error);
  EXPECT_THROW(resize_opencv_linear_f32(px, 0, 2, 1, 2, 3), Error);
  EXPECT_THROW(resize_opencv_linear_f32(nullptr, 2, 2, 1, 2, 3), Error);
  EXPECT_THROW(resize_opencv_linear_f32(px, 2, 2, 1, 1 << 20, 1 << 20), Error);
  Image img;
  EXPECT_THROW(resize_opencv_linear_u8(img, 3, 3), Error);
}

}  // namespace
}  // namespace espnet
