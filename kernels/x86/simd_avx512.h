// The AVX-512 vector layer of the kernel bodies (kernels/*_impl.inc): 16-float zmm registers,
// lane masks in k registers. Included only by kernels/x86/*_avx512.cpp (compiled with AVX-512
// flags); internal linkage, so nothing compiled for AVX-512 can be picked by the linker for
// baseline code. The contract every ISA's `Simd` meets is in kernels/simd_contract.md.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace espnet {
namespace {

struct Simd {
  static constexpr int kWidth = 16;
  static constexpr int kRegisters = 32;
  using Reg = __m512;
  using Mask = __mmask16;
  using Index = __m512i;

  static Mask mask(int count) {
    return count >= kWidth ? Mask(0xFFFF) : count <= 0 ? Mask(0) : Mask((1u << count) - 1u);
  }
  static Mask mask_bits(uint32_t bits) { return static_cast<Mask>(bits); }

  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float x) { return _mm512_set1_ps(x); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Reg x) { _mm512_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm512_mask_storeu_ps(p, m, x); }

  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  // A masked multiply of the negative lanes: one compare into a k register, one vmulps.
  static Reg prelu(Reg y, Reg slope) {
    return _mm512_mask_mul_ps(y, _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_LT_OQ), y, slope);
  }
  static Reg bn_prelu(Reg x, Reg scale, Reg shift, Reg slope) {
    return prelu(fmadd(x, scale, shift), slope);
  }

  // Even / odd elements of the 32 floats lo:hi: one two-source permute (vpermt2ps) each.
  static Reg even(Reg lo, Reg hi) {
    const __m512i idx =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(lo, idx, hi);
  }
  static Reg odd(Reg lo, Reg hi) {
    const __m512i idx =
        _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    return _mm512_permutex2var_ps(lo, idx, hi);
  }

  static Index load_index(const int32_t* p) { return _mm512_loadu_si512(p); }
  // p[index[l]] on the lanes of m, 0 elsewhere (off lanes touch no memory): vgatherdps.
  static Reg gather_masked(const float* p, Index i, Mask m) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, i, p, 4);
  }
};

}  // namespace
}  // namespace espnet
