#include "kernels/reference/elementwise_ref.h"

#include <cmath>

namespace espnet {

void scale_shift_prelu_f32_ref(float* data, int batch, int channels, int64_t plane,
                               const float* scale, const float* shift, const float* slope) {
  const int64_t planes = int64_t(batch) * channels;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < planes; ++i) {
    const int c = static_cast<int>(i % channels);
    const float s = scale ? scale[c] : 1.0f, t = shift ? shift[c] : 0.0f;
    float* p = data + i * plane;
    for (int64_t j = 0; j < plane; ++j) p[j] = p[j] * s + t;
    if (slope) {
      const float a = slope[c];
      for (int64_t j = 0; j < plane; ++j) p[j] = p[j] < 0.0f ? a * p[j] : p[j];
    }
  }
}

void prelu_f32_ref(float* data, int batch, int channels, int64_t plane, const float* slope) {
  scale_shift_prelu_f32_ref(data, batch, channels, plane, nullptr, nullptr, slope);
}

void relu_f32_ref(float* data, int64_t count) {
  for (int64_t i = 0; i < count; ++i) data[i] = data[i] < 0.0f ? 0.0f : data[i];
}

void add_f32_ref(const float* a, const float* b, float* out, int64_t count) {
  for (int64_t i = 0; i < count; ++i) out[i] = a[i] + b[i];
}

void sigmoid_f32_ref(float* data, int64_t count) {
  for (int64_t i = 0; i < count; ++i) data[i] = 1.0f / (1.0f + std::exp(-data[i]));
}

}  // namespace espnet
