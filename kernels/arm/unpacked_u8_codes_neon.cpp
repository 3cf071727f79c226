// unpacked_u8_codes_neon: the int8 fallback's input step (UnpackedU8CodesFn) in Advanced SIMD,
// for ARM CPUs without the dot product (Cortex-A53/A55/A72/A73: Raspberry Pi 3 and 4). The
// portable body (kernels/unpacked_u8_codes_impl.inc) compiles here to NaN-careful compare and
// select chains, about as many instructions as the reference's one element at a time; the
// instructions below do each step at once, with the reference's results:
// - fmaxnm / fminnm clamp to [-1e6, 1e6] and turn a NaN into -1e6 (they return the number when
//   one operand is NaN), which ends as code 0 as the reference's NaN does;
// - frintn rounds to nearest, ties to even, as nearbyint does in the default rounding mode;
// - adding +0 turns a rounded -0 (from -0.5 < v < 0) into the reference's +0, as the
//   reference's integer round trip does;
// - the guard's compares are false for NaN, as in the reference.
// The last plane % 4 values take the same steps one at a time.
#include <arm_neon.h>

#include <cmath>
#include <cstdint>

#include "kernels/int8_kernels.h"

namespace espnet {
namespace {

// One value: std::fmax / fmin are fmaxnm / fminnm here, std::nearbyint is frinti (the current
// rounding mode: to nearest even).
float code_of(float x, float inverse, float low, float high) {
  const float r = std::nearbyint(std::fmin(1e6f, std::fmax(-1e6f, x * inverse))) + 0.0f;
  return r > low ? (r < high ? r : high) : low;
}

}  // namespace

bool unpacked_u8_codes_neon(const float* input, int batch, int channels, int64_t plane,
                            const float* inverse_scale, const int32_t* zero_point, float guard_low,
                            float guard_high, float* output) {
  const int64_t rows = int64_t(batch) * channels;
  int outside = 0;
#pragma omp parallel for schedule(static) reduction(| : outside) if (rows * plane >= (1 << 17))
  for (int64_t row = 0; row < rows; ++row) {
    const int c = static_cast<int>(row % channels);
    const float inverse = inverse_scale[c];
    const float low = -float(zero_point[c]), high = 255.0f - float(zero_point[c]);
    const float* x = input + row * plane;
    float* out = output + row * plane;
    const float32x4_t vinverse = vdupq_n_f32(inverse), vlow = vdupq_n_f32(low),
                      vhigh = vdupq_n_f32(high), guard_lo = vdupq_n_f32(guard_low),
                      guard_hi = vdupq_n_f32(guard_high), clamp_lo = vdupq_n_f32(-1e6f),
                      clamp_hi = vdupq_n_f32(1e6f), zero = vdupq_n_f32(0.0f);
    uint32x4_t beyond = vdupq_n_u32(0);
    int64_t p = 0;
    for (; p + 4 <= plane; p += 4) {
      const float32x4_t v = vld1q_f32(x + p);
      beyond = vorrq_u32(beyond, vorrq_u32(vcltq_f32(v, guard_lo), vcgtq_f32(v, guard_hi)));
      const float32x4_t clamped =
          vminnmq_f32(vmaxnmq_f32(vmulq_f32(v, vinverse), clamp_lo), clamp_hi);
      const float32x4_t rounded = vaddq_f32(vrndnq_f32(clamped), zero);  // -0 becomes +0
      vst1q_f32(out + p, vminq_f32(vmaxq_f32(rounded, vlow), vhigh));
    }
    int row_outside = vmaxvq_u32(beyond) != 0;
    for (; p < plane; ++p) {
      row_outside |= (x[p] < guard_low) | (x[p] > guard_high);
      out[p] = code_of(x[p], inverse, low, high);
    }
    outside |= row_outside;
  }
  return !outside;
}

}  // namespace espnet
