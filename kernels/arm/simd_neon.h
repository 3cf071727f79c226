// The NEON (AArch64 Advanced SIMD) vector layer of the kernel bodies (kernels/*_impl.inc):
// 4-float q registers, 32 of them, fused multiply-add (fmla). Included only by
// kernels/arm/*_neon.cpp; internal linkage like the x86 layers. Contract:
// kernels/simd_contract.md.
//
// NEON has no masked loads or stores: a mask is a lane bit set, and a partial vector goes
// through a small stack copy of just its lanes (the bodies use plain loads and stores for full
// vectors, so this runs once per row or tile tail). Nothing outside the lanes asked for is read
// or written, as on x86.
#pragma once

#include <arm_neon.h>

#include <cstdint>

namespace espnet {
namespace {

struct Simd {
  static constexpr int kWidth = 4;
  static constexpr int kRegisters = 32;
  using Reg = float32x4_t;
  using Mask = uint32_t;  // lane l on when bit l is set
  using Index = int32x4_t;
  static constexpr Mask kAll = 0xFu;

  static Mask mask(int count) {
    return count >= kWidth ? kAll : count <= 0 ? 0u : (1u << count) - 1u;
  }
  static Mask mask_bits(uint32_t bits) { return bits & kAll; }

  static Reg zero() { return vdupq_n_f32(0.0f); }
  static Reg set1(float x) { return vdupq_n_f32(x); }
  static Reg broadcast(const float* p) { return vld1q_dup_f32(p); }
  static Reg load(const float* p) { return vld1q_f32(p); }
  static Reg load_masked(const float* p, Mask m) {
    if ((m & kAll) == kAll) return vld1q_f32(p);
    float lanes[kWidth] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int l = 0; l < kWidth; ++l)
      if (m >> l & 1u) lanes[l] = p[l];
    return vld1q_f32(lanes);
  }
  static void store(float* p, Reg x) { vst1q_f32(p, x); }
  static void store_masked(float* p, Mask m, Reg x) {
    if ((m & kAll) == kAll) return vst1q_f32(p, x);
    float lanes[kWidth];
    vst1q_f32(lanes, x);
    for (int l = 0; l < kWidth; ++l)
      if (m >> l & 1u) p[l] = lanes[l];
  }

  static Reg add(Reg a, Reg b) { return vaddq_f32(a, b); }
  static Reg sub(Reg a, Reg b) { return vsubq_f32(a, b); }
  static Reg mul(Reg a, Reg b) { return vmulq_f32(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return vfmaq_f32(c, a, b); }
  // fcmlt against zero gives the lane mask, bsl selects slope * y there.
  static Reg prelu(Reg y, Reg slope) { return vbslq_f32(vcltzq_f32(y), vmulq_f32(y, slope), y); }
  static Reg bn_prelu(Reg x, Reg scale, Reg shift, Reg slope) {
    return prelu(fmadd(x, scale, shift), slope);
  }

  // Even / odd elements of the 8 floats lo:hi: one uzp1 / uzp2 each.
  static Reg even(Reg lo, Reg hi) { return vuzp1q_f32(lo, hi); }
  static Reg odd(Reg lo, Reg hi) { return vuzp2q_f32(lo, hi); }

  static Index load_index(const int32_t* p) { return vld1q_s32(p); }
  // No gather instruction in Advanced SIMD: lane by lane.
  static Reg gather_masked(const float* p, Index i, Mask m) {
    float lanes[kWidth] = {0.0f, 0.0f, 0.0f, 0.0f};
    int32_t index[kWidth];
    vst1q_s32(index, i);
    for (int l = 0; l < kWidth; ++l)
      if (m >> l & 1u) lanes[l] = p[index[l]];
    return vld1q_f32(lanes);
  }
};

}  // namespace
}  // namespace espnet
