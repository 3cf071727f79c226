// resize_bilinear_f32_neon: the NEON build of kernels/resize_bilinear_impl.inc. Horizontal pass,
// 4 outputs at a time: when upsampling (in_w <= out_w) the 4 outputs' taps lie within 5
// consecutive inputs, so one 8-float window (two q registers, loaded lane by lane only at the
// row's end) and a byte table lookup (tbl over two registers) pick them; when downsampling the
// taps are read lane by lane (no gather in Advanced SIMD). The vertical blend is plain vector
// code. Nothing outside the input row or the output is read or written.
#include <arm_neon.h>

#include <cstdint>

#include "kernels/arm/simd_neon.h"
#include "kernels/resize_bilinear_taps.h"

namespace espnet {
namespace {

constexpr int kLanes = Simd::kWidth;

// Byte indices into a 32-byte table for float lanes idx[l] (0..7): 4 * idx + 0..3.
uint8x16_t byte_indices(int32x4_t idx) {
  const uint32x4_t scaled = vshlq_n_u32(vreinterpretq_u32_s32(idx), 2);
  const uint32x4_t spread = vmulq_n_u32(scaled, 0x01010101u);
  return vaddq_u8(vreinterpretq_u8_u32(spread), vreinterpretq_u8_u32(vdupq_n_u32(0x03020100u)));
}

struct Resample {
  // out[x] = (1 - w1[x]) * in_row[i0[x]] + w1[x] * in_row[i1[x]] for x < count.
  static void row(const float* in_row, int in_w, bool upsampling, const Taps& t, int count,
                  float* out) {
    const float32x4_t one = vdupq_n_f32(1.0f);
    for (int x = 0; x < count; x += kLanes) {
      const Simd::Mask m = Simd::mask(count - x);
      float32x4_t a, b, w1;
      if (upsampling && count - x >= kLanes) {
        // Lane 0 has the smallest index; all 4 taps lie in [base, base + 4].
        const int base = t.i0[x];
        const int32x4_t first = vdupq_n_s32(base);
        uint8x16x2_t window;
        window.val[0] =
            vreinterpretq_u8_f32(Simd::load_masked(in_row + base, Simd::mask(in_w - base)));
        window.val[1] = vreinterpretq_u8_f32(
            Simd::load_masked(in_row + base + kLanes, Simd::mask(in_w - base - kLanes)));
        const int32x4_t i0 = vsubq_s32(vld1q_s32(t.i0 + x), first);
        const int32x4_t i1 = vsubq_s32(vld1q_s32(t.i1 + x), first);
        a = vreinterpretq_f32_u8(vqtbl2q_u8(window, byte_indices(i0)));
        b = vreinterpretq_f32_u8(vqtbl2q_u8(window, byte_indices(i1)));
        w1 = vld1q_f32(t.w1 + x);
      } else {
        float la[kLanes] = {}, lb[kLanes] = {}, lw[kLanes] = {};
        for (int l = 0; l < kLanes; ++l)
          if (m >> l & 1u) {
            la[l] = in_row[t.i0[x + l]];
            lb[l] = in_row[t.i1[x + l]];
            lw[l] = t.w1[x + l];
          }
        a = vld1q_f32(la), b = vld1q_f32(lb), w1 = vld1q_f32(lw);
      }
      // The reference's (1 - w1) * a + w1 * b, in that order (no fused multiply-add).
      const float32x4_t r = vaddq_f32(vmulq_f32(vsubq_f32(one, w1), a), vmulq_f32(w1, b));
      Simd::store_masked(out + x, m, r);
    }
  }
  static void blend(const float* r0, const float* r1, float wy1, int count, float* out) {
    const float32x4_t w0 = vdupq_n_f32(1.0f - wy1), w1 = vdupq_n_f32(wy1);
    for (int x = 0; x < count; x += kLanes) {
      const Simd::Mask m = Simd::mask(count - x);
      const float32x4_t r = vaddq_f32(vmulq_f32(w0, Simd::load_masked(r0 + x, m)),
                                      vmulq_f32(w1, Simd::load_masked(r1 + x, m)));
      Simd::store_masked(out + x, m, r);
    }
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_RESIZE_KERNEL_NAME resize_bilinear_f32_neon
#define ESPNET_RESIZE_ARGMAX_KERNEL_NAME resize_bilinear_argmax_f32_neon
#include "kernels/resize_bilinear_impl.inc"
