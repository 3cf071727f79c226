#include "image/resize_pillow.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "espnet/error.h"

namespace espnet {
namespace {

// Output sizes beyond this are refused rather than allocated.
constexpr int64_t kMaxResizePixels = int64_t{1} << 28;

// Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2.
constexpr int kPrecisionBits = 22;

// Taps of one output sample: source indices first .. first + count - 1 with fixed-point weights.
struct Taps {
  std::vector<int> first, count;
  std::vector<int32_t> weights;  // out_size * max_taps, row i for output i
  int max_taps = 0;
};

// Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle) filter over
// the whole input range (box = 0 .. in_size).
Taps bilinear_taps(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;  // the triangle's support is 1
  Taps taps;
  taps.max_taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.first.resize(out_size);
  taps.count.resize(out_size);
  taps.weights.assign(static_cast<size_t>(out_size) * taps.max_taps, 0);
  std::vector<double> k(taps.max_taps);
  const double inverse_scale = 1.0 / filter_scale;
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double total = 0.0;
    for (int x = 0; x < xmax; ++x) {
      double t = std::fabs((x + xmin - center + 0.5) * inverse_scale);
      double w = t < 1.0 ? 1.0 - t : 0.0;
      k[x] = w;
      total += w;
    }
    int32_t* row = &taps.weights[static_cast<size_t>(i) * taps.max_taps];
    for (int x = 0; x < xmax; ++x) {
      double w = total != 0.0 ? k[x] / total : k[x];
      // Round half away from zero, as Pillow does (weights here are never negative).
      row[x] = w < 0 ? static_cast<int32_t>(-0.5 + w * (1 << kPrecisionBits))
                     : static_cast<int32_t>(0.5 + w * (1 << kPrecisionBits));
    }
    taps.first[i] = xmin;
    taps.count[i] = xmax;
  }
  return taps;
}

inline uint8_t clip8(int64_t accumulator) {
  int64_t v = accumulator >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

Image resize_horizontal(const Image& src, int out_w) {
  const Taps taps = bilinear_taps(src.width, out_w);
  const int c = src.channels;
  Image dst;
  dst.width = out_w;
  dst.height = src.height;
  dst.channels = c;
  dst.pixels.resize(static_cast<size_t>(out_w) * src.height * c);
  for (int y = 0; y < src.height; ++y) {
    const uint8_t* in = &src.pixels[static_cast<size_t>(y) * src.width * c];
    uint8_t* out = &dst.pixels[static_cast<size_t>(y) * out_w * c];
    for (int x = 0; x < out_w; ++x) {
      const int32_t* w = &taps.weights[static_cast<size_t>(x) * taps.max_taps];
      const uint8_t* p = in + static_cast<size_t>(taps.first[x]) * c;
      for (int ch = 0; ch < c; ++ch) {
        int64_t sum = int64_t{1} << (kPrecisionBits - 1);
        for (int t = 0; t < taps.count[x]; ++t) sum += int64_t{p[t * c + ch]} * w[t];
        out[x * c + ch] = clip8(sum);
      }
    }
  }
  return dst;
}

Image resize_vertical(const Image& src, int out_h) {
  const Taps taps = bilinear_taps(src.height, out_h);
  const int c = src.channels;
  const size_t row_len = static_cast<size_t>(src.width) * c;
  Image dst;
  dst.width = src.width;
  dst.height = out_h;
  dst.channels = c;
  dst.pixels.resize(row_len * out_h);
  std::vector<int64_t> sum(row_len);
  for (int y = 0; y < out_h; ++y) {
    const int32_t* w = &taps.weights[static_cast<size_t>(y) * taps.max_taps];
    std::fill(sum.begin(), sum.end(), int64_t{1} << (kPrecisionBits - 1));
    for (int t = 0; t < taps.count[y]; ++t) {
      const uint8_t* in = &src.pixels[(taps.first[y] + t) * row_len];
      for (size_t i = 0; i < row_len; ++i) sum[i] += int64_t{in[i]} * w[t];
    }
    uint8_t* out = &dst.pixels[static_cast<size_t>(y) * row_len];
    for (size_t i = 0; i < row_len; ++i) out[i] = clip8(sum[i]);
  }
  return dst;
}

}  // namespace

Image resize_pillow_bilinear(const Image& src, int out_w, int out_h) {
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 ||
      src.pixels.size() != static_cast<size_t>(src.width) * src.height * src.channels)
    throw Error("resize: the source image is empty or its pixel buffer does not match " +
                std::to_string(src.width) + "x" + std::to_string(src.height) + "x" +
                std::to_string(src.channels));
  if (out_w <= 0 || out_h <= 0 || int64_t{out_w} * out_h > kMaxResizePixels)
    throw Error("resize: invalid output size " + std::to_string(out_w) + "x" +
                std::to_string(out_h));
  // Pillow skips a pass whose size is unchanged (its output would equal the input anyway).
  Image result = out_w != src.width ? resize_horizontal(src, out_w) : src;
  if (out_h != src.height) result = resize_vertical(result, out_h);
  return result;
}

}  // namespace espnet
