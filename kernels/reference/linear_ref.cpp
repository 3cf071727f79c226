#include "kernels/reference/linear_ref.h"

#include <cstdint>

namespace espnet {

void linear_f32_ref(const float* input, int batch, int in_features, const float* weight,
                    const float* bias, int out_features, float* output) {
  for (int n = 0; n < batch; ++n) {
    const float* x = input + int64_t(n) * in_features;
#pragma omp parallel for schedule(static)
    for (int o = 0; o < out_features; ++o) {
      const float* w = weight + int64_t(o) * in_features;
      float sum = 0.0f;
      for (int i = 0; i < in_features; ++i) sum += w[i] * x[i];
      output[int64_t(n) * out_features + o] = sum + (bias ? bias[o] : 0.0f);
    }
  }
}

}  // namespace espnet
