#include "image/resize_opencv.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "espnet/error.h"

namespace espnet {
namespace {

// Output sizes beyond this are refused rather than allocated.
constexpr int64_t kMaxResizePixels = int64_t{1} << 28;

// OpenCV's INTER_RESIZE_COEF_BITS: 8-bit resizing uses 11-bit fixed-point weights.
constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;

// Source index and fraction of one output sample along one axis, as cv::hal::resize computes
// them: f = (float)((i + 0.5) * scale - 0.5) with scale = 1 / (out / in) in double.
struct LinearTap {
  int index;       // first source sample
  float fraction;  // weight of the second one; the first gets 1 - fraction
};

LinearTap linear_tap(int i, double scale) {
  const float f = static_cast<float>((i + 0.5) * scale - 0.5);
  const int j = static_cast<int>(std::floor(f));
  return {j, f - static_cast<float>(j)};
}

// Horizontal taps: OpenCV clamps them (index 0 with no fraction on the left, the last sample
// with no fraction on the right).
std::vector<LinearTap> horizontal_taps(int in_size, int out_size) {
  const double scale = 1.0 / (static_cast<double>(out_size) / in_size);
  std::vector<LinearTap> taps(out_size);
  for (int i = 0; i < out_size; ++i) {
    LinearTap t = linear_tap(i, scale);
    if (t.index < 0) t = {0, 0.f};
    if (t.index >= in_size - 1) t = {in_size - 1, 0.f};
    taps[i] = t;
  }
  return taps;
}

// Vertical taps keep the fraction: OpenCV clamps only the row indices (both rows become the
// border row), so a border output is r * (1 - t) + r * t.
std::vector<LinearTap> vertical_taps(int in_size, int out_size) {
  const double scale = 1.0 / (static_cast<double>(out_size) / in_size);
  std::vector<LinearTap> taps(out_size);
  for (int i = 0; i < out_size; ++i) taps[i] = linear_tap(i, scale);
  return taps;
}

inline int clamp_index(int i, int size) {
  return i < 0 ? 0 : (i >= size ? size - 1 : i);
}

void check_sizes(int w, int h, int c, int out_w, int out_h, const char* what) {
  if (w <= 0 || h <= 0 || c <= 0 || int64_t{w} * h > kMaxResizePixels)
    throw Error(std::string(what) + ": invalid source size " + std::to_string(w) + "x" +
                std::to_string(h) + "x" + std::to_string(c));
  if (out_w <= 0 || out_h <= 0 || int64_t{out_w} * out_h > kMaxResizePixels || c > 64)
    throw Error(std::string(what) + ": invalid output size " + std::to_string(out_w) + "x" +
                std::to_string(out_h) + "x" + std::to_string(c));
}

bool is_exact_half(int w, int h, int out_w, int out_h) {
  // cv::hal::resize: scale = 1 / (out / in) is within DBL_EPSILON of 2 on both axes.
  const double sx = 1.0 / (static_cast<double>(out_w) / w);
  const double sy = 1.0 / (static_cast<double>(out_h) / h);
  return std::abs(sx - 2.0) < 2.220446049250313e-16 && std::abs(sy - 2.0) < 2.220446049250313e-16;
}

}  // namespace

std::vector<float> resize_opencv_linear_f32(const float* hwc, int w, int h, int c, int out_w,
                                            int out_h) {
  check_sizes(w, h, c, out_w, out_h, "resize_opencv_linear_f32");
  if (hwc == nullptr) throw Error("resize_opencv_linear_f32: null source");
  const size_t out_row = static_cast<size_t>(out_w) * c;
  std::vector<float> out(out_row * out_h);
  if (out_w == w && out_h == h) {  // cv::resize copies
    std::copy(hwc, hwc + out.size(), out.begin());
    return out;
  }
  const size_t in_row = static_cast<size_t>(w) * c;

  if (is_exact_half(w, h, out_w, out_h)) {
    // OpenCV's INTER_AREA fast path: the 2x2 mean. Its vector code (1 or 4 channels) adds the
    // pairs of each row first; the scalar code (other channel counts) adds in source order.
    const bool pairwise = c == 1 || c == 4;
    for (int y = 0; y < out_h; ++y) {
      const float* r0 = hwc + static_cast<size_t>(2 * y) * in_row;
      const float* r1 = r0 + in_row;
      float* o = &out[static_cast<size_t>(y) * out_row];
      for (int x = 0; x < out_w; ++x)
        for (int ch = 0; ch < c; ++ch) {
          const size_t i0 = static_cast<size_t>(2 * x) * c + ch, i1 = i0 + c;
          const float sum = pairwise ? (r0[i0] + r0[i1]) + (r1[i0] + r1[i1])
                                     : ((r0[i0] + r0[i1]) + r1[i0]) + r1[i1];
          o[static_cast<size_t>(x) * c + ch] = sum * 0.25f;
        }
    }
    return out;
  }

  const std::vector<LinearTap> xt = horizontal_taps(w, out_w);
  const std::vector<LinearTap> yt = vertical_taps(h, out_h);

  // Horizontal pass of one source row into float32, as HResizeLinear<float> does.
  auto horizontal = [&](int sy, float* dst) {
    const float* row = hwc + static_cast<size_t>(sy) * in_row;
    for (int x = 0; x < out_w; ++x) {
      const LinearTap t = xt[x];
      const float a0 = 1.f - t.fraction, a1 = t.fraction;
      const float* s0 = row + static_cast<size_t>(t.index) * c;
      if (t.index >= w - 1) {  // OpenCV's right-border branch copies the last sample
        for (int ch = 0; ch < c; ++ch) dst[static_cast<size_t>(x) * c + ch] = s0[ch];
      } else {
        for (int ch = 0; ch < c; ++ch) {
          const float p = s0[ch] * a0;
          const float q = s0[ch + c] * a1;
          dst[static_cast<size_t>(x) * c + ch] = p + q;
        }
      }
    }
  };

  std::vector<float> row0(out_row), row1(out_row);
  int cached0 = -1, cached1 = -1;
  for (int y = 0; y < out_h; ++y) {
    const LinearTap t = yt[y];
    const int s0 = clamp_index(t.index, h), s1 = clamp_index(t.index + 1, h);
    // Reuse the rows already computed for the previous output row (they are usually shared).
    if (s0 == cached1 && s0 != cached0) {
      std::swap(row0, row1);
      std::swap(cached0, cached1);
    }
    if (cached0 != s0) {
      horizontal(s0, row0.data());
      cached0 = s0;
    }
    if (cached1 != s1) {
      if (s1 == s0) {
        row1 = row0;
      } else {
        horizontal(s1, row1.data());
      }
      cached1 = s1;
    }
    const float b0 = 1.f - t.fraction, b1 = t.fraction;
    float* o = &out[static_cast<size_t>(y) * out_row];
    for (size_t i = 0; i < out_row; ++i) {
      const float p = row0[i] * b0;
      const float q = row1[i] * b1;
      o[i] = p + q;
    }
  }
  return out;
}

Image resize_opencv_linear_u8(const Image& src, int out_w, int out_h) {
  const int w = src.width, h = src.height, c = src.channels;
  check_sizes(w, h, c, out_w, out_h, "resize_opencv_linear_u8");
  if (src.pixels.size() != static_cast<size_t>(w) * h * c)
    throw Error("resize_opencv_linear_u8: the pixel buffer does not match the image size");
  Image dst;
  dst.width = out_w;
  dst.height = out_h;
  dst.channels = c;
  if (out_w == w && out_h == h) {
    dst.pixels = src.pixels;
    return dst;
  }
  const size_t in_row = static_cast<size_t>(w) * c;
  const size_t out_row = static_cast<size_t>(out_w) * c;
  dst.pixels.resize(out_row * out_h);

  if (is_exact_half(w, h, out_w, out_h)) {
    // INTER_AREA fast path: the rounded mean of each 2x2 block.
    for (int y = 0; y < out_h; ++y) {
      const uint8_t* r0 = &src.pixels[static_cast<size_t>(2 * y) * in_row];
      const uint8_t* r1 = r0 + in_row;
      uint8_t* o = &dst.pixels[static_cast<size_t>(y) * out_row];
      for (int x = 0; x < out_w; ++x)
        for (int ch = 0; ch < c; ++ch) {
          const size_t i0 = static_cast<size_t>(2 * x) * c + ch, i1 = i0 + c;
          o[static_cast<size_t>(x) * c + ch] =
              static_cast<uint8_t>((r0[i0] + r0[i1] + r1[i0] + r1[i1] + 2) >> 2);
        }
    }
    return dst;
  }

  // Weights as OpenCV stores them: saturate_cast<short>(w * 2048), i.e. rounded to nearest even.
  auto fixed = [](float weight) { return static_cast<int>(std::nearbyint(weight * kCoefScale)); };
  const std::vector<LinearTap> xt = horizontal_taps(w, out_w);
  const std::vector<LinearTap> yt = vertical_taps(h, out_h);

  // Horizontal pass: integer rows scaled by 2048.
  auto horizontal = [&](int sy, int32_t* out) {
    const uint8_t* row = &src.pixels[static_cast<size_t>(sy) * in_row];
    for (int x = 0; x < out_w; ++x) {
      const LinearTap t = xt[x];
      const int a0 = fixed(1.f - t.fraction), a1 = fixed(t.fraction);
      const uint8_t* s0 = row + static_cast<size_t>(t.index) * c;
      for (int ch = 0; ch < c; ++ch) {
        int32_t v = t.index >= w - 1 ? s0[ch] * kCoefScale : s0[ch] * a0 + s0[ch + c] * a1;
        out[static_cast<size_t>(x) * c + ch] = v;
      }
    }
  };

  std::vector<int32_t> row0(out_row), row1(out_row);
  // OpenCV's SSE2 vertical pass covers all but the last few values of a row; it rounds as
  // ((S0 >> 4) * b0 >> 16) + ((S1 >> 4) * b1 >> 16) + 2 >> 2. The tail is exact fixed point.
  const size_t tail_start = out_row > 4 ? ((out_row - 4 + 3) / 4) * 4 : 0;
  for (int y = 0; y < out_h; ++y) {
    const LinearTap t = yt[y];
    horizontal(clamp_index(t.index, h), row0.data());
    horizontal(clamp_index(t.index + 1, h), row1.data());
    const int b0 = fixed(1.f - t.fraction), b1 = fixed(t.fraction);
    uint8_t* o = &dst.pixels[static_cast<size_t>(y) * out_row];
    for (size_t i = 0; i < out_row; ++i) {
      int v;
      if (i < tail_start) {
        const int16_t p0 = static_cast<int16_t>(row0[i] >> 4),
                      p1 = static_cast<int16_t>(row1[i] >> 4);
        const int m0 = (p0 * b0) >> 16, m1 = (p1 * b1) >> 16;
        v = (m0 + m1 + 2) >> 2;
      } else {
        v = static_cast<int>((int64_t{row0[i]} * b0 + int64_t{row1[i]} * b1 + (1 << 21)) >> 22);
      }
      o[i] = static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
    }
  }
  return dst;
}

}  // namespace espnet
