// dwconv3x3_f32_scalar: depth-wise 3x3, padding == dilation, stride 1 or 2, NCHW, portable C++.
// Per output row: the taps of rows outside the image are skipped, border columns go through
// dwconv3x3_pixel (bounds-checked), interior columns read without checks (the compiler may
// auto-vectorise them). No padding is materialised; no over-read.
#include "kernels/conv_kernels.h"

namespace espnet {

void dwconv3x3_f32_scalar(const float* input, int batch, int channels, int in_h, int in_w,
                          int stride, int dilation, const float* weight, const float* bias,
                          const float* slopes, float* output) {
  const Dwconv3x3Geometry geo = dwconv3x3_geometry(in_h, in_w, stride, dilation);
  const int64_t planes = int64_t(batch) * channels;
  const int64_t in_plane = int64_t(in_h) * in_w, out_plane = int64_t(geo.out_h) * geo.out_w;
  const double macs = 9.0 * double(planes) * double(out_plane);
#pragma omp parallel for schedule(static) if (macs >= kParallelMinMacsDepthwise)
  for (int64_t p = 0; p < planes; ++p) {
    const int c = static_cast<int>(p % channels);
    const float* in = input + p * in_plane;
    const float* w = weight + int64_t(c) * 9;
    const float b = bias ? bias[c] : 0.0f;
    float* out = output + p * out_plane;
    for (int y = 0; y < geo.out_h; ++y) {
      float* out_row = out + int64_t(y) * geo.out_w;
      const int cy = y * stride;
      for (int x = 0; x < geo.interior_begin; ++x)
        out_row[x] = dwconv3x3_pixel(in, in_h, in_w, cy, x * stride, dilation, w, b);
      for (int x = geo.interior_begin; x < geo.interior_end; ++x) out_row[x] = b;
      for (int ky = 0; ky < 3; ++ky) {
        const int iy = cy + (ky - 1) * dilation;
        if (iy < 0 || iy >= in_h) continue;
        const float* row = in + int64_t(iy) * in_w;
        const float w0 = w[ky * 3], w1 = w[ky * 3 + 1], w2 = w[ky * 3 + 2];
        for (int x = geo.interior_begin; x < geo.interior_end; ++x) {
          const float* center = row + int64_t(x) * stride;
          out_row[x] += w0 * center[-dilation] + w1 * center[0] + w2 * center[dilation];
        }
      }
      for (int x = geo.interior_end; x < geo.out_w; ++x)
        out_row[x] = dwconv3x3_pixel(in, in_h, in_w, cy, x * stride, dilation, w, b);
      if (slopes) {
        const float a = slopes[c];
        for (int x = 0; x < geo.out_w; ++x)
          out_row[x] = out_row[x] < 0.0f ? a * out_row[x] : out_row[x];
      }
    }
  }
}

}  // namespace espnet
