// AVX2 build of the int8 input quantizer (kernels/pack_u8_quads_impl.inc), for the AVX-VNNI
// kernel: 8 pixels per vector, vmaskmov for the plane's last partial vector.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {

struct PackVec : Simd {
  using IReg = __m256i;
  using Flags = __m256;  // all-ones lanes where a value was outside the guard
  static IReg set1_i32(int32_t x) { return _mm256_set1_epi32(x); }
  static IReg zero_i32() { return _mm256_setzero_si256(); }
  // vmaxps / vminps return their second operand for NaN, so NaN becomes -1e6 and then byte 0;
  // vcvtps2dq rounds to nearest even under the default rounding mode, which run() keeps.
  static IReg u8_code(Reg x, Reg inverse, IReg zero_point) {
    const Reg y = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(x, inverse), _mm256_set1_ps(-1e6f)),
                                _mm256_set1_ps(1e6f));
    const IReg q = _mm256_add_epi32(_mm256_cvtps_epi32(y), zero_point);
    return _mm256_min_epi32(_mm256_max_epi32(q, _mm256_setzero_si256()), _mm256_set1_epi32(255));
  }
  static IReg or_shifted(IReg word, IReg byte, int shift) {
    return _mm256_or_si256(word, _mm256_slli_epi32(byte, shift));
  }
  static void store_i32(uint32_t* p, IReg x) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), x);
  }
  static void store_i32_masked(uint32_t* p, Mask m, IReg x) {
    _mm256_maskstore_epi32(reinterpret_cast<int*>(p), m, x);
  }
  static Flags no_flags() { return _mm256_setzero_ps(); }
  static bool any(Flags f) { return _mm256_movemask_ps(f) != 0; }
  static Flags flag_outside(Flags f, Reg x, Reg low, Reg high) {
    return _mm256_or_ps(
        f, _mm256_or_ps(_mm256_cmp_ps(x, low, _CMP_LT_OQ), _mm256_cmp_ps(x, high, _CMP_GT_OQ)));
  }
  static Flags flag_outside_masked(Flags f, Reg x, Reg low, Reg high, Mask m) {
    return _mm256_or_ps(
        f, _mm256_and_ps(flag_outside(no_flags(), x, low, high), _mm256_castsi256_ps(m)));
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_PACK_U8_QUADS_KERNEL_NAME pack_u8_quads_avx2
#include "kernels/pack_u8_quads_impl.inc"
