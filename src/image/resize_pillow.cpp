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

// Pillow accumulates in 32-bit integers, and so do we: a sum starts at 2^21 and adds bytes
// (<= 255) times weights that are >= 0 and sum to 2^22 give or take half a unit per tap, so it
// stays below 255 * (2^22 + taps) + 2^21 < 2^31.
inline uint8_t clip8(int32_t accumulator) {
  const int32_t v = accumulator >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// Below this many multiply-adds a pass runs on one thread (a 64x64 thumbnail costs less than
// waking a second one).
constexpr int64_t kParallelMinTaps = int64_t{1} << 18;

// The horizontal pass's taps with one count for every output: `width` taps from `first`, the
// Pillow weights placed at their offset and zeros around them (a zero tap adds nothing, so the
// sums are Pillow's exactly). A window that would run past the row's end starts earlier
// instead. With a fixed count the tap loop unrolls and no branch depends on the output.
struct FixedTaps {
  int width = 0;
  std::vector<int> first;
  std::vector<int32_t> weights;  // out_size * width
};

FixedTaps fixed_width(const Taps& taps, int in_size) {
  FixedTaps fixed;
  // The most taps any output has (max_taps allows for the widest possible window: often more).
  fixed.width = 1;
  for (const int count : taps.count) fixed.width = std::max(fixed.width, count);
  const size_t out_size = taps.first.size();
  fixed.first.resize(out_size);
  fixed.weights.assign(out_size * fixed.width, 0);
  for (size_t x = 0; x < out_size; ++x) {
    const int start = std::min(taps.first[x], in_size - fixed.width);
    const int offset = taps.first[x] - start;  // offset + count <= width: see the struct
    fixed.first[x] = start;
    for (int t = 0; t < taps.count[x]; ++t)
      fixed.weights[x * fixed.width + offset + t] = taps.weights[x * taps.max_taps + t];
  }
  return fixed;
}

// One row of the horizontal pass: kChannels interleaved channels and kWidth taps per output, or
// (0) the counts in `channels` and `taps.width`.
template <int kChannels, int kWidth>
void horizontal_row(const uint8_t* in, const FixedTaps& taps, int out_w, int channels,
                    uint8_t* out) {
  const int c = kChannels > 0 ? kChannels : channels;
  const int width = kWidth > 0 ? kWidth : taps.width;
  for (int x = 0; x < out_w; ++x) {
    const int32_t* w = &taps.weights[static_cast<size_t>(x) * width];
    const uint8_t* p = in + static_cast<size_t>(taps.first[x]) * c;
    if constexpr (kChannels > 0) {
      int32_t sum[kChannels];
      for (int ch = 0; ch < kChannels; ++ch) sum[ch] = int32_t{1} << (kPrecisionBits - 1);
      for (int t = 0; t < width; ++t)
        for (int ch = 0; ch < kChannels; ++ch) sum[ch] += int32_t{p[t * kChannels + ch]} * w[t];
      for (int ch = 0; ch < kChannels; ++ch) out[x * kChannels + ch] = clip8(sum[ch]);
    } else {
      for (int ch = 0; ch < c; ++ch) {
        int32_t sum = int32_t{1} << (kPrecisionBits - 1);
        for (int t = 0; t < width; ++t) sum += int32_t{p[t * c + ch]} * w[t];
        out[x * c + ch] = clip8(sum);
      }
    }
  }
}

// The row function for these channels and taps: unrolled for RGB photos with up to 5 taps per
// output (2-3 for a photo resized by less than 1.5x either way, 4-5 for a halving), generic
// otherwise.
using HorizontalRowFn = void (*)(const uint8_t*, const FixedTaps&, int, int, uint8_t*);
HorizontalRowFn horizontal_row_for(int channels, int width) {
  if (channels == 3) {
    switch (width) {
      case 2:
        return horizontal_row<3, 2>;
      case 3:
        return horizontal_row<3, 3>;
      case 4:
        return horizontal_row<3, 4>;
      case 5:
        return horizontal_row<3, 5>;
      default:
        return horizontal_row<3, 0>;
    }
  }
  return horizontal_row<0, 0>;
}

Image resize_horizontal(const Image& src, int out_w, int threads) {
  const FixedTaps taps = fixed_width(bilinear_taps(src.width, out_w), src.width);
  const int c = src.channels;
  Image dst;
  dst.width = out_w;
  dst.height = src.height;
  dst.channels = c;
  dst.pixels.resize(static_cast<size_t>(out_w) * src.height * c);
  const HorizontalRowFn row = horizontal_row_for(c, taps.width);
  const int64_t work = int64_t{src.height} * out_w * c * taps.width;
#pragma omp parallel for num_threads(std::max(1, threads)) \
    schedule(static) if (threads > 1 && work >= kParallelMinTaps)
  for (int y = 0; y < src.height; ++y)
    row(&src.pixels[static_cast<size_t>(y) * src.width * c], taps, out_w, c,
        &dst.pixels[static_cast<size_t>(y) * out_w * c]);
  return dst;
}

Image resize_vertical(const Image& src, int out_h, int threads) {
  const Taps taps = bilinear_taps(src.height, out_h);
  const int c = src.channels;
  const size_t row_len = static_cast<size_t>(src.width) * c;
  Image dst;
  dst.width = src.width;
  dst.height = out_h;
  dst.channels = c;
  dst.pixels.resize(row_len * out_h);
  const int64_t work = int64_t{out_h} * static_cast<int64_t>(row_len) * taps.max_taps;
  // Each output row in blocks of kBlock bytes whose sums stay on the stack: the loops over a
  // block are plain int32 arithmetic the compiler vectorises.
  constexpr size_t kBlock = 512;
#pragma omp parallel for num_threads(std::max(1, threads)) \
    schedule(static) if (threads > 1 && work >= kParallelMinTaps)
  for (int y = 0; y < out_h; ++y) {
    const int32_t* w = &taps.weights[static_cast<size_t>(y) * taps.max_taps];
    const uint8_t* first_row = &src.pixels[static_cast<size_t>(taps.first[y]) * row_len];
    uint8_t* out = &dst.pixels[static_cast<size_t>(y) * row_len];
    const int count = taps.count[y];
    for (size_t begin = 0; begin < row_len; begin += kBlock) {
      const size_t n = std::min(kBlock, row_len - begin);
      int32_t sum[kBlock];
      for (size_t i = 0; i < n; ++i) sum[i] = int32_t{1} << (kPrecisionBits - 1);
      for (int t = 0; t < count; ++t) {
        const uint8_t* in = first_row + static_cast<size_t>(t) * row_len + begin;
        const int32_t wt = w[t];
        for (size_t i = 0; i < n; ++i) sum[i] += int32_t{in[i]} * wt;
      }
      for (size_t i = 0; i < n; ++i) out[begin + i] = clip8(sum[i]);
    }
  }
  return dst;
}

}  // namespace

Image resize_pillow_bilinear(const Image& src, int out_w, int out_h, int threads) {
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 ||
      src.pixels.size() != static_cast<size_t>(src.width) * src.height * src.channels)
    throw Error("resize: the source image is empty or its pixel buffer does not match " +
                std::to_string(src.width) + "x" + std::to_string(src.height) + "x" +
                std::to_string(src.channels));
  if (out_w <= 0 || out_h <= 0 || int64_t{out_w} * out_h > kMaxResizePixels)
    throw Error("resize: invalid output size " + std::to_string(out_w) + "x" +
                std::to_string(out_h));
  // Pillow skips a pass whose size is unchanged (its output would equal the input anyway).
  if (out_w == src.width) return out_h == src.height ? src : resize_vertical(src, out_h, threads);
  Image horizontal = resize_horizontal(src, out_w, threads);
  return out_h == src.height ? horizontal : resize_vertical(horizontal, out_h, threads);
}

}  // namespace espnet
