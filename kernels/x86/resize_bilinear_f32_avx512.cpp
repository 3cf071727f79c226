// resize_bilinear_f32_avx512: the AVX-512 build of kernels/resize_bilinear_impl.inc. Horizontal
// pass, 16 outputs at a time: when upsampling (in_w <= out_w) the 16 outputs' taps lie within 17
// consecutive inputs, so two loads of the window and two vpermt2ps pick them; when downsampling,
// two gathers. The blend is vectorised too. Loads are masked to the row (no over-read), stores to
// the output row. Compiled with AVX-512 flags: everything stays in this file (anonymous namespace,
// no standard-library templates) so no AVX-512 code can leak into baseline code through the
// linker.
#include <immintrin.h>

#include <cstdint>

#include "kernels/resize_bilinear_taps.h"

namespace espnet {
namespace {

constexpr int kLanes = 16;

__mmask16 lane_mask(int count) {
  return count >= kLanes ? __mmask16(0xFFFF)
         : count <= 0    ? __mmask16(0)
                         : __mmask16((1u << count) - 1u);
}

struct Resample {
  // out[x] = (1 - w1[x]) * in_row[i0[x]] + w1[x] * in_row[i1[x]] for x < count.
  static void row(const float* in_row, int in_w, bool upsampling, const Taps& t, int count,
                  float* out) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int x = 0; x < count; x += kLanes) {
      const __mmask16 m = lane_mask(count - x);
      const __m512i i0 = _mm512_maskz_loadu_epi32(m, t.i0 + x);
      const __m512i i1 = _mm512_maskz_loadu_epi32(m, t.i1 + x);
      const __m512 w1 = _mm512_maskz_loadu_ps(m, t.w1 + x);
      __m512 a, b;
      if (upsampling) {
        // Lane 0 has the smallest index; all 16 taps lie in [base, base + 16].
        const int base = t.i0[x];
        const __m512i first = _mm512_set1_epi32(base);
        const __m512 lo = _mm512_maskz_loadu_ps(lane_mask(in_w - base), in_row + base);
        const __m512 hi =
            _mm512_maskz_loadu_ps(lane_mask(in_w - base - kLanes), in_row + base + kLanes);
        a = _mm512_permutex2var_ps(lo, _mm512_sub_epi32(i0, first), hi);
        b = _mm512_permutex2var_ps(lo, _mm512_sub_epi32(i1, first), hi);
      } else {
        a = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, i0, in_row, 4);
        b = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, i1, in_row, 4);
      }
      const __m512 r =
          _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(one, w1), a), _mm512_mul_ps(w1, b));
      _mm512_mask_storeu_ps(out + x, m, r);
    }
  }
  static void blend(const float* r0, const float* r1, float wy1, int count, float* out) {
    const __m512 w0 = _mm512_set1_ps(1.0f - wy1), w1 = _mm512_set1_ps(wy1);
    for (int x = 0; x < count; x += kLanes) {
      const __mmask16 m = lane_mask(count - x);
      const __m512 r = _mm512_add_ps(_mm512_mul_ps(w0, _mm512_maskz_load_ps(m, r0 + x)),
                                     _mm512_mul_ps(w1, _mm512_maskz_load_ps(m, r1 + x)));
      _mm512_mask_storeu_ps(out + x, m, r);
    }
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_RESIZE_KERNEL_NAME resize_bilinear_f32_avx512
#define ESPNET_RESIZE_ARGMAX_KERNEL_NAME resize_bilinear_argmax_f32_avx512
#include "kernels/resize_bilinear_impl.inc"
