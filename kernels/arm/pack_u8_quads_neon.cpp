// NEON quantization of fp32 activations into u8 quads (kernels/int8_kernels.h), for the
// dot-product kernel: the float operations of pack_u8_quads_ref (bit-identical) and its guard
// flag, four pixels at a time; the last 1-3 pixels of a plane go through the same operations on
// a padded copy.
#include <arm_neon.h>

#include "kernels/int8_kernels.h"

namespace espnet {
namespace {

// rne(value * inverse) + zero point, clamped to [0, 255]. The product is clamped to +-1e6 first
// with the IEEE maxNum/minNum forms, which return the number for a NaN operand: NaN becomes
// -1e6 and then byte 0, as in the reference.
inline uint32x4_t quantize(float32x4_t value, float32x4_t inverse, int32x4_t zero_point) {
  const float32x4_t x =
      vminnmq_f32(vmaxnmq_f32(vmulq_f32(value, inverse), vdupq_n_f32(-1e6f)), vdupq_n_f32(1e6f));
  const int32x4_t q = vaddq_s32(vcvtnq_s32_f32(x), zero_point);
  return vreinterpretq_u32_s32(vminq_s32(vmaxq_s32(q, vdupq_n_s32(0)), vdupq_n_s32(255)));
}

// Lanes of x outside [low, high] (false for NaN).
inline uint32x4_t outside(float32x4_t x, float32x4_t low, float32x4_t high) {
  return vorrq_u32(vcltq_f32(x, low), vcgtq_f32(x, high));
}

}  // namespace

bool pack_u8_quads_neon(const float* input, int batch, int channels, int groups, int64_t plane,
                        const float* inverse_scale, const int32_t* zero_point, float guard_low,
                        float guard_high, uint32_t* packed) {
  const int cin = channels / groups, quads = (cin + 3) / 4;
  const int64_t jobs = int64_t(batch) * groups * quads;
  const float32x4_t low = vdupq_n_f32(guard_low), high = vdupq_n_f32(guard_high);
  int beyond_any = 0;
#pragma omp parallel for schedule(static) \
    reduction(|                           \
              : beyond_any) if (jobs * plane * 4 >= (1 << 17) && jobs > 1)
  for (int64_t job = 0; job < jobs; ++job) {
    const int k = static_cast<int>(job % quads);
    const int64_t g = job / quads % groups, n = job / (int64_t(quads) * groups);
    const float* first = input + (n * channels + g * cin + 4 * k) * plane;
    const int present = cin - 4 * k < 4 ? cin - 4 * k : 4;
    const int64_t channel = g * cin + 4 * k;
    float32x4_t inverse[4];
    int32x4_t zero[4];
    for (int j = 0; j < present; ++j) {
      inverse[j] = vdupq_n_f32(inverse_scale[channel + j]);
      zero[j] = vdupq_n_s32(zero_point[channel + j]);
    }
    uint32_t* dst = packed + job * plane;
    uint32x4_t beyond = vdupq_n_u32(0);
    int64_t p = 0;
    for (; p + 4 <= plane; p += 4) {
      uint32x4_t word = vdupq_n_u32(0);
      for (int j = 0; j < present; ++j) {  // a padding channel's byte is 0 (its weights are 0)
        const float32x4_t x = vld1q_f32(first + j * plane + p);
        beyond = vorrq_u32(beyond, outside(x, low, high));
        word = vorrq_u32(word, vshlq_u32(quantize(x, inverse[j], zero[j]), vdupq_n_s32(8 * j)));
      }
      vst1q_u32(dst + p, word);
    }
    if (p < plane) {  // 1-3 pixels, on a zero-padded copy; the padding lanes never count
      const int64_t left = plane - p;
      const uint32_t lane_index[4] = {0, 1, 2, 3};
      const uint32x4_t present_lanes =
          vcltq_u32(vld1q_u32(lane_index), vdupq_n_u32(static_cast<uint32_t>(left)));
      uint32x4_t word = vdupq_n_u32(0);
      for (int j = 0; j < present; ++j) {
        float tail[4] = {0, 0, 0, 0};
        for (int64_t i = 0; i < left; ++i) tail[i] = first[j * plane + p + i];
        const float32x4_t x = vld1q_f32(tail);
        beyond = vorrq_u32(beyond, vandq_u32(outside(x, low, high), present_lanes));
        word = vorrq_u32(word, vshlq_u32(quantize(x, inverse[j], zero[j]), vdupq_n_s32(8 * j)));
      }
      uint32_t words[4];
      vst1q_u32(words, word);
      for (int64_t i = 0; i < left; ++i) dst[p + i] = words[i];
    }
    beyond_any |= vmaxvq_u32(beyond) != 0;
  }
  return !beyond_any;
}

}  // namespace espnet
