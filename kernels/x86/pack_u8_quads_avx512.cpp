// AVX-512 build of the int8 input quantizer (kernels/pack_u8_quads_impl.inc), for the AVX-512
// VNNI kernel: 16 pixels per vector, k-register masks for the plane's last partial vector and
// for the guard flags.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {

struct PackVec : Simd {
  using IReg = __m512i;
  using Flags = __mmask16;  // lanes where a value was outside the guard
  static IReg set1_i32(int32_t x) { return _mm512_set1_epi32(x); }
  static IReg zero_i32() { return _mm512_setzero_si512(); }
  // vmaxps / vminps return their second operand for NaN, so NaN becomes -1e6 and then byte 0;
  // vcvtps2dq rounds to nearest even under the default rounding mode, which run() keeps.
  static IReg u8_code(Reg x, Reg inverse, IReg zero_point) {
    const Reg y = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(x, inverse), _mm512_set1_ps(-1e6f)),
                                _mm512_set1_ps(1e6f));
    const IReg q = _mm512_add_epi32(_mm512_cvtps_epi32(y), zero_point);
    return _mm512_min_epi32(_mm512_max_epi32(q, _mm512_setzero_si512()), _mm512_set1_epi32(255));
  }
  static IReg or_shifted(IReg word, IReg byte, int shift) {
    return _mm512_or_si512(word, _mm512_slli_epi32(byte, static_cast<unsigned>(shift)));
  }
  static void store_i32(uint32_t* p, IReg x) { _mm512_storeu_si512(p, x); }
  static void store_i32_masked(uint32_t* p, Mask m, IReg x) { _mm512_mask_storeu_epi32(p, m, x); }
  static Flags no_flags() { return 0; }
  static bool any(Flags f) { return f != 0; }
  static Flags flag_outside_masked(Flags f, Reg x, Reg low, Reg high, Mask m) {
    return f | _mm512_mask_cmp_ps_mask(m, x, low, _CMP_LT_OQ) |
           _mm512_mask_cmp_ps_mask(m, x, high, _CMP_GT_OQ);
  }
  static Flags flag_outside(Flags f, Reg x, Reg low, Reg high) {
    return flag_outside_masked(f, x, low, high, Mask(0xFFFF));
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_PACK_U8_QUADS_KERNEL_NAME pack_u8_quads_avx512
#include "kernels/pack_u8_quads_impl.inc"
