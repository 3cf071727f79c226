#include "kernels/reference/pool_ref.h"

#include <algorithm>

#include "kernels/reference/conv2d_ref.h"

namespace espnet {

void avg_pool_f32_ref(const float* input, int64_t planes, int in_h, int in_w, int kernel,
                      int stride, int pad, float* output) {
  const int out_h = conv_output_size(in_h, kernel, stride, pad, 1);
  const int out_w = conv_output_size(in_w, kernel, stride, pad, 1);
  const float inv = 1.0f / float(kernel * kernel);
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = input + p * in_h * in_w;
    float* out = output + p * out_h * out_w;
    for (int y = 0; y < out_h; ++y) {
      for (int x = 0; x < out_w; ++x) {
        float sum = 0.0f;
        for (int ky = 0; ky < kernel; ++ky) {
          const int iy = y * stride - pad + ky;
          if (iy < 0 || iy >= in_h) continue;
          for (int kx = 0; kx < kernel; ++kx) {
            const int ix = x * stride - pad + kx;
            if (ix >= 0 && ix < in_w) sum += in[iy * in_w + ix];
          }
        }
        out[y * out_w + x] = sum * inv;
      }
    }
  }
}

void adaptive_avg_pool_f32_ref(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                               int out_w, float* output) {
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = input + p * in_h * in_w;
    float* out = output + p * out_h * out_w;
    for (int y = 0; y < out_h; ++y) {
      const int y0 = int(int64_t(y) * in_h / out_h);
      const int y1 = int((int64_t(y + 1) * in_h + out_h - 1) / out_h);
      for (int x = 0; x < out_w; ++x) {
        const int x0 = int(int64_t(x) * in_w / out_w);
        const int x1 = int((int64_t(x + 1) * in_w + out_w - 1) / out_w);
        float sum = 0.0f;
        for (int iy = y0; iy < y1; ++iy)
          for (int ix = x0; ix < x1; ++ix) sum += in[iy * in_w + ix];
        out[y * out_w + x] = sum / float((y1 - y0) * (x1 - x0));
      }
    }
  }
}

void global_avg_pool_f32_ref(const float* input, int64_t planes, int64_t plane, float* output) {
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = input + p * plane;
    double sum = 0.0;
    for (int64_t i = 0; i < plane; ++i) sum += in[i];
    output[p] = static_cast<float>(sum / double(plane));
  }
}

}  // namespace espnet
