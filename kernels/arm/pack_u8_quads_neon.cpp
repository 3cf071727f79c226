// NEON build of the int8 input quantizer (kernels/pack_u8_quads_impl.inc), for the dot-product
// kernel: 4 pixels per vector; the plane's last 1-3 pixels go through the layer's stack copy.
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {

struct PackVec : Simd {
  using IReg = uint32x4_t;
  using Flags = uint32x4_t;  // all-ones lanes where a value was outside the guard
  static IReg set1_i32(int32_t x) { return vreinterpretq_u32_s32(vdupq_n_s32(x)); }
  static IReg zero_i32() { return vdupq_n_u32(0); }
  // The product is clamped with the IEEE maxNum/minNum forms, which return the number for a NaN
  // operand: NaN becomes -1e6 and then byte 0, as in the reference; fcvtns rounds to nearest
  // even.
  static IReg u8_code(Reg x, Reg inverse, IReg zero_point) {
    const Reg y =
        vminnmq_f32(vmaxnmq_f32(vmulq_f32(x, inverse), vdupq_n_f32(-1e6f)), vdupq_n_f32(1e6f));
    const int32x4_t q = vaddq_s32(vcvtnq_s32_f32(y), vreinterpretq_s32_u32(zero_point));
    return vreinterpretq_u32_s32(vminq_s32(vmaxq_s32(q, vdupq_n_s32(0)), vdupq_n_s32(255)));
  }
  static IReg or_shifted(IReg word, IReg byte, int shift) {
    return vorrq_u32(word, vshlq_u32(byte, vdupq_n_s32(shift)));
  }
  static void store_i32(uint32_t* p, IReg x) { vst1q_u32(p, x); }
  static void store_i32_masked(uint32_t* p, Mask m, IReg x) {
    uint32_t lanes[kWidth];
    vst1q_u32(lanes, x);
    for (int l = 0; l < kWidth; ++l)
      if (m >> l & 1u) p[l] = lanes[l];
  }
  static Flags no_flags() { return vdupq_n_u32(0); }
  static bool any(Flags f) { return vmaxvq_u32(f) != 0; }
  static Flags flag_outside(Flags f, Reg x, Reg low, Reg high) {
    return vorrq_u32(f, vorrq_u32(vcltq_f32(x, low), vcgtq_f32(x, high)));
  }
  static Flags flag_outside_masked(Flags f, Reg x, Reg low, Reg high, Mask m) {
    const uint32_t bits[kWidth] = {1u, 2u, 4u, 8u};
    const uint32x4_t on = vtstq_u32(vdupq_n_u32(m), vld1q_u32(bits));
    return vorrq_u32(f, vandq_u32(flag_outside(no_flags(), x, low, high), on));
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_PACK_U8_QUADS_KERNEL_NAME pack_u8_quads_neon
#include "kernels/pack_u8_quads_impl.inc"
