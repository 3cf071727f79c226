#include "kernels/reference/conv2d_ref.h"

#include <algorithm>

namespace espnet {

int conv_output_size(int in, int kernel, int stride, int pad, int dilation) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

void conv2d_f32_ref(const float* input, int batch, int in_h, int in_w, const Conv2dParams& p,
                    const float* weight, const float* bias, float* output) {
  const int out_h = conv_output_size(in_h, p.kernel_h, p.stride, p.pad, p.dilation);
  const int out_w = conv_output_size(in_w, p.kernel_w, p.stride, p.pad, p.dilation);
  const int cin_per_group = p.in_channels / p.groups;
  const int cout_per_group = p.out_channels / p.groups;
  const int64_t in_plane = int64_t(in_h) * in_w;
  const int64_t out_plane = int64_t(out_h) * out_w;
  const int64_t total = int64_t(batch) * p.out_channels;
#pragma omp parallel for schedule(static)
  for (int64_t job = 0; job < total; ++job) {
    const int n = static_cast<int>(job / p.out_channels);
    const int co = static_cast<int>(job % p.out_channels);
    const int g = co / cout_per_group;
    float* out = output + job * out_plane;
    std::fill(out, out + out_plane, bias ? bias[co] : 0.0f);
    for (int ci = 0; ci < cin_per_group; ++ci) {
      const float* in = input + (int64_t(n) * p.in_channels + g * cin_per_group + ci) * in_plane;
      const float* w = weight + (int64_t(co) * cin_per_group + ci) * p.kernel_h * p.kernel_w;
      for (int ky = 0; ky < p.kernel_h; ++ky) {
        for (int kx = 0; kx < p.kernel_w; ++kx) {
          const float wv = w[ky * p.kernel_w + kx];
          const int dy = ky * p.dilation - p.pad;
          const int dx = kx * p.dilation - p.pad;
          // Output columns whose input column 0 <= x*stride + dx < in_w (so no padding reads).
          const int x_begin = std::max(0, (-dx + p.stride - 1) / p.stride);
          const int x_end = std::min(out_w, dx >= in_w ? 0 : (in_w - 1 - dx) / p.stride + 1);
          for (int y = 0; y < out_h; ++y) {
            const int iy = y * p.stride + dy;
            if (iy < 0 || iy >= in_h) continue;
            const float* in_row = in + int64_t(iy) * in_w + dx;
            float* out_row = out + int64_t(y) * out_w;
            if (p.stride == 1) {
              for (int x = x_begin; x < x_end; ++x) out_row[x] += wv * in_row[x];
            } else {
              for (int x = x_begin; x < x_end; ++x) out_row[x] += wv * in_row[x * p.stride];
            }
          }
        }
      }
    }
  }
}

}  // namespace espnet
