#include "kernels/reference/resize_ref.h"

#include <algorithm>

namespace espnet {
namespace {

struct Tap {
  int i0, i1;
  float w1;  // weight of i1; i0 gets 1 - w1
};

// PyTorch computes the scale as (in - 1) / (out - 1) in float and the source position as
// scale * dst in float; we do the same so the taps agree to the last bit.
float tap_scale(int in, int out) {
  return out > 1 ? float(in - 1) / float(out - 1) : 0.0f;
}

Tap make_tap(float scale, int o, int in) {
  const float src = scale * float(o);
  const int i0 = std::min(static_cast<int>(src), in - 1);
  return {i0, std::min(i0 + 1, in - 1), src - float(i0)};
}

}  // namespace

void resize_bilinear_align_corners_f32_ref(const float* input, int64_t planes, int in_h, int in_w,
                                           int out_h, int out_w, float* output) {
  const float scale_y = tap_scale(in_h, out_h), scale_x = tap_scale(in_w, out_w);
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < planes; ++p) {
    const float* in = input + p * in_h * in_w;
    float* out = output + p * out_h * out_w;
    for (int y = 0; y < out_h; ++y) {
      const Tap a = make_tap(scale_y, y, in_h);
      const float* r0 = in + int64_t(a.i0) * in_w;
      const float* r1 = in + int64_t(a.i1) * in_w;
      const float wy1 = a.w1, wy0 = 1.0f - a.w1;
      for (int x = 0; x < out_w; ++x) {
        const Tap b = make_tap(scale_x, x, in_w);
        const float wx1 = b.w1, wx0 = 1.0f - b.w1;
        out[int64_t(y) * out_w + x] =
            wy0 * (wx0 * r0[b.i0] + wx1 * r0[b.i1]) + wy1 * (wx0 * r1[b.i0] + wx1 * r1[b.i1]);
      }
    }
  }
}

}  // namespace espnet
