#include "kernels/reference/elementwise_ref.h"

#include <cmath>

namespace espnet {

void scale_shift_prelu_f32_ref(float* data, int batch, int channels, int64_t plane,
                               const float* scale, const float* shift, const float* slope) {
  const int64_t planes = int64_t(batch) * channels;
  for (int64_t i = 0; i < planes; ++i) {
    const int c = static_cast<int>(i % channels);
    const float s = scale ? scale[c] : 1.0f, t = shift ? shift[c] : 0.0f;
    const float a = slope ? slope[c] : 1.0f;  // a slope of 1 is the identity
    float* p = data + i * plane;
    for (int64_t j = 0; j < plane; ++j) {
      const float v = p[j] * s + t;
      p[j] = v < 0.0f ? a * v : v;
    }
  }
}

void add_prelu_f32_ref(const float* a, const float* b, float* out, int batch, int channels,
                       int64_t plane, const float* slope) {
  const int64_t planes = int64_t(batch) * channels;
  for (int64_t i = 0; i < planes; ++i) {
    const float s = slope ? slope[i % channels] : 1.0f;
    for (int64_t j = i * plane; j < (i + 1) * plane; ++j) {
      const float v = a[j] + b[j];
      out[j] = v < 0.0f ? s * v : v;
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
