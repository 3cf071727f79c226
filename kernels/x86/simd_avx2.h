// The AVX2 + FMA vector layer of the kernel bodies (kernels/*_impl.inc): 8-float ymm registers;
// AVX2 has no mask registers, so a mask is a vector of all-ones / all-zeros lanes used by
// vmaskmov (masked-off lanes read 0 and never fault) and vblendv. Included only by
// kernels/x86/*_avx2.cpp (compiled with -mavx2 -mfma); internal linkage, so nothing compiled for
// AVX2 can be picked by the linker for baseline code. Contract: kernels/simd_contract.md.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace espnet {
namespace {

struct Simd {
  static constexpr int kWidth = 8;
  static constexpr int kRegisters = 16;
  using Reg = __m256;
  using Mask = __m256i;
  using Index = __m256i;

  static Mask mask(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Mask mask_bits(uint32_t bits) {
    const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i set = _mm256_and_si256(_mm256_set1_epi32(static_cast<int>(bits)), lane_bit);
    return _mm256_cmpeq_epi32(set, lane_bit);
  }

  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float x) { return _mm256_set1_ps(x); }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Reg x) { _mm256_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm256_maskstore_ps(p, m, x); }

  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  // Lanes with the sign bit set take slope * y (vblendvps selects on the sign bit, so no compare;
  // a negative zero gives -0 * slope = +-0, equal to the reference's y < 0 ? a * y : y).
  static Reg prelu(Reg y, Reg slope) { return _mm256_blendv_ps(y, _mm256_mul_ps(y, slope), y); }
  static Reg bn_prelu(Reg x, Reg scale, Reg shift, Reg slope) {
    return prelu(fmadd(x, scale, shift), slope);
  }

  // Even / odd elements of the 16 floats lo:hi. No two-source permute across 128-bit halves:
  // vshufps gives [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6], vpermpd puts its 64-bit lanes in order.
  static Reg even(Reg lo, Reg hi) {
    const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), 0xD8));
  }
  static Reg odd(Reg lo, Reg hi) {
    const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), 0xD8));
  }

  static Index load_index(const int32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  static Reg gather_masked(const float* p, Index i, Mask m) {
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, i, _mm256_castsi256_ps(m), 4);
  }
};

}  // namespace
}  // namespace espnet
