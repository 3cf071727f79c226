// resize_bilinear_f32_avx2: the AVX2 build of kernels/resize_bilinear_impl.inc. Horizontal pass,
// 8 outputs at a time: when upsampling (in_w <= out_w) the 8 outputs' taps lie within 9
// consecutive inputs, so two loads of the window (base..base+7, base+8..base+15) and a
// full-width vpermps of each (it reads the index's low 3 bits) pick them, a blend on index > 7
// choosing between the two; when downsampling, masked gathers. The blend of the two rows is
// vectorised too. Near a row's end loads are masked (masked-off lanes of vmaskmov read nothing and
// never fault), so nothing outside the input row, the output row and the kernel's own stack rows
// is touched. The arithmetic is the reference's (1 - w1) * a + w1 * b;
// with -mfma GCC may fuse a multiply and the add (as in the AVX-512 build), which moves a result
// by at most an ulp or so: the kernel tests compare with the reference's tolerance.
#include <immintrin.h>

#include <cstdint>

#include "kernels/resize_bilinear_taps.h"
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {

constexpr int kLanes = Simd::kWidth;

// window[idx] for idx in 0..15, window = lo:hi.
__m256 pick(__m256 lo, __m256 hi, __m256i idx) {
  const __m256 from_lo = _mm256_permutevar8x32_ps(lo, idx);
  const __m256 from_hi = _mm256_permutevar8x32_ps(hi, idx);
  const __m256i in_hi = _mm256_cmpgt_epi32(idx, _mm256_set1_epi32(kLanes - 1));
  return _mm256_blendv_ps(from_lo, from_hi, _mm256_castsi256_ps(in_hi));
}

// The reference's (1 - w1) * a + w1 * b.
__m256 lerp(__m256 a, __m256 b, __m256 w1) {
  const __m256 w0 = _mm256_sub_ps(_mm256_set1_ps(1.0f), w1);
  return _mm256_add_ps(_mm256_mul_ps(w0, a), _mm256_mul_ps(w1, b));
}

// Full vectors use plain loads and stores. The last partial vector of a stack row is stored whole
// (the row has room), of an output row one float at a time: vmaskmov stores are slow on some CPUs
// (AMD), and a version masking every access ran at half the portable kernel's speed.
struct Resample {
  // out[x] = (1 - w1[x]) * in_row[i0[x]] + w1[x] * in_row[i1[x]] for x < count.
  static void row(const float* in_row, int in_w, bool upsampling, const Taps& t, int count,
                  float* out) {
    int x = 0;
    for (; x + kLanes <= count; x += kLanes)
      Simd::store(out + x, taps(in_row, in_w, upsampling, t, x, Simd::load_index(t.i0 + x),
                                Simd::load_index(t.i1 + x), Simd::load(t.w1 + x), nullptr));
    if (x < count) {
      // `out` is a stack row of kColumns (a multiple of 8) floats: the whole vector fits.
      const Simd::Mask m = Simd::mask(count - x);
      Simd::store(out + x,
                  taps(in_row, in_w, upsampling, t, x, _mm256_maskload_epi32(t.i0 + x, m),
                       _mm256_maskload_epi32(t.i1 + x, m), Simd::load_masked(t.w1 + x, m), &m));
    }
  }
  static void blend(const float* r0, const float* r1, float wy1, int count, float* out) {
    const __m256 w1 = _mm256_set1_ps(wy1);
    int x = 0;
    for (; x + kLanes <= count; x += kLanes)
      Simd::store(out + x, lerp(Simd::load(r0 + x), Simd::load(r1 + x), w1));
    const float wy0 = 1.0f - wy1;
    for (; x < count; ++x) out[x] = wy0 * r0[x] + wy1 * r1[x];
  }

 private:
  // The 8 outputs from x: `tail` masks the lanes past the chunk's end (nullptr: none).
  static __m256 taps(const float* in_row, int in_w, bool upsampling, const Taps& t, int x,
                     __m256i i0, __m256i i1, __m256 w1, const Simd::Mask* tail) {
    __m256 a, b;
    if (upsampling) {
      // Lane 0 has the smallest index; all 8 taps lie in [base, base + 8].
      const int base = t.i0[x];
      const __m256i first = _mm256_set1_epi32(base);
      __m256 lo, hi;
      if (base + 2 * kLanes <= in_w) {
        lo = Simd::load(in_row + base);
        hi = Simd::load(in_row + base + kLanes);
      } else {
        lo = Simd::load_masked(in_row + base, Simd::mask(in_w - base));
        hi = Simd::load_masked(in_row + base + kLanes, Simd::mask(in_w - base - kLanes));
      }
      // Masked-off lanes hold index 0 - base: any lane, and their result is never stored.
      a = pick(lo, hi, _mm256_sub_epi32(i0, first));
      b = pick(lo, hi, _mm256_sub_epi32(i1, first));
    } else {
      const Simd::Mask all = _mm256_set1_epi32(-1);
      a = Simd::gather_masked(in_row, i0, tail ? *tail : all);
      b = Simd::gather_masked(in_row, i1, tail ? *tail : all);
    }
    return lerp(a, b, w1);
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_RESIZE_KERNEL_NAME resize_bilinear_f32_avx2
#define ESPNET_RESIZE_ARGMAX_KERNEL_NAME resize_bilinear_argmax_f32_avx2
#include "kernels/resize_bilinear_impl.inc"
