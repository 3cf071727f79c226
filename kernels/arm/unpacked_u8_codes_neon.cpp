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
// The row loop around it is the portable body's.
#include <arm_neon.h>

#include <cstdint>

namespace espnet {
namespace {
int neon_codes_row(const float* x, int64_t count, float inverse, float low, float high,
                   float guard_low, float guard_high, float* out);
}  // namespace
}  // namespace espnet

#define ESPNET_UNPACKED_CODES_NAME unpacked_u8_codes_neon
#define ESPNET_UNPACKED_CODES_ROW neon_codes_row
#include "kernels/unpacked_u8_codes_impl.inc"

namespace espnet {
namespace {

// The row loop of unpacked_u8_codes_impl.inc, 4 values at a time; the last count % 4 go through
// its plain loop.
int neon_codes_row(const float* x, int64_t count, float inverse, float low, float high,
                   float guard_low, float guard_high, float* out) {
  const float32x4_t vinverse = vdupq_n_f32(inverse), vlow = vdupq_n_f32(low),
                    vhigh = vdupq_n_f32(high), guard_lo = vdupq_n_f32(guard_low),
                    guard_hi = vdupq_n_f32(guard_high), clamp_lo = vdupq_n_f32(-1e6f),
                    clamp_hi = vdupq_n_f32(1e6f), zero = vdupq_n_f32(0.0f);
  uint32x4_t beyond = vdupq_n_u32(0);
  int64_t p = 0;
  for (; p + 4 <= count; p += 4) {
    const float32x4_t v = vld1q_f32(x + p);
    beyond = vorrq_u32(beyond, vorrq_u32(vcltq_f32(v, guard_lo), vcgtq_f32(v, guard_hi)));
    const float32x4_t clamped =
        vminnmq_f32(vmaxnmq_f32(vmulq_f32(v, vinverse), clamp_lo), clamp_hi);
    const float32x4_t rounded = vaddq_f32(vrndnq_f32(clamped), zero);  // -0 becomes +0
    vst1q_f32(out + p, vminq_f32(vmaxq_f32(rounded, vlow), vhigh));
  }
  const int outside = vmaxvq_u32(beyond) != 0;
  return outside |
         plain_codes_row(x + p, count - p, inverse, low, high, guard_low, guard_high, out + p);
}

}  // namespace
}  // namespace espnet
