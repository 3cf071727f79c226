// resize_bilinear_f32_scalar: the portable build of kernels/resize_bilinear_impl.inc. Plain loops
// (the blend vectorises); the arithmetic is the reference's, term for term, so results agree with
// resize_bilinear_align_corners_f32_ref to the last bit when the compiler does not contract into
// FMA (the baseline ISA has none).
#include <cstdint>

#include "kernels/resize_bilinear_taps.h"

namespace espnet {
namespace {

struct Resample {
  static void row(const float* in_row, int /*in_w*/, bool /*upsampling*/, const Taps& t, int count,
                  float* out) {
    for (int x = 0; x < count; ++x) {
      const float w1 = t.w1[x], w0 = 1.0f - w1;
      out[x] = w0 * in_row[t.i0[x]] + w1 * in_row[t.i1[x]];
    }
  }
  static void blend(const float* r0, const float* r1, float wy1, int count, float* out) {
    const float wy0 = 1.0f - wy1;
    for (int x = 0; x < count; ++x) out[x] = wy0 * r0[x] + wy1 * r1[x];
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_RESIZE_KERNEL_NAME resize_bilinear_f32_scalar
#define ESPNET_RESIZE_ARGMAX_KERNEL_NAME resize_bilinear_argmax_f32_scalar
#include "kernels/resize_bilinear_impl.inc"
