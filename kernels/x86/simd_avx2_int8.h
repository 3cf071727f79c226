// The int32 side of the AVX2 vector layer that the int8 kernel body
// (kernels/gconv1x1_u8s8_impl.inc) needs besides kernels/x86/simd_avx2.h, without the dot product
// itself: the AVX-VNNI kernel supplies vpdpbusd, and the tests' build of the same body on plain
// AVX2 (tests/support/int8_emulated_vnni_avx2.cpp) an exact emulation of it. Internal linkage, like
// simd_avx2.h, which must be included first.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace espnet {
namespace {

struct Avx2Int8Layer : Simd {
  using IReg = __m256i;
  static IReg set1_i32(int32_t x) { return _mm256_set1_epi32(x); }
  static IReg load_i32_masked(const uint32_t* p, Mask m) {
    return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), m);
  }
  static Reg to_float(IReg x) { return _mm256_cvtepi32_ps(x); }
  // A compare, not Simd::prelu's blend on the sign bit: the reference leaves -0 as it is.
  static Reg prelu_below_zero(Reg y, Reg slope) {
    const Reg negative = _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_blendv_ps(y, _mm256_mul_ps(y, slope), negative);
  }
};

}  // namespace
}  // namespace espnet
