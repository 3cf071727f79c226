// resize_bilinear_f32_avx512: F.interpolate(mode='bilinear', align_corners=True), AVX-512F.
// The plan of the portable kernel (separable; each needed input row resampled horizontally once
// into a stack row, two of them cached; an output row is wy0 * row0 + wy1 * row1), with both
// passes vectorised. Horizontal pass, 16 outputs at a time: when upsampling (in_w <= out_w) the
// 16 outputs' taps lie within 17 consecutive inputs, so two loads of the window and two
// vpermt2ps pick them; when downsampling, two gathers. Taps are computed in float exactly as the
// reference does. Loads are masked to the row (no over-read); stores to the output row.
// Threads split (plane, block of output rows) jobs for outputs of at least kParallelMinElements.
// Compiled with AVX-512 flags: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX-512 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 16;
constexpr int kColumns = 512;  // output columns per chunk (taps and rows on the stack)
constexpr int64_t kPixelsPerJob = 16384;

__mmask16 lane_mask(int count) {
  return count >= kLanes ? __mmask16(0xFFFF)
         : count <= 0    ? __mmask16(0)
                         : __mmask16((1u << count) - 1u);
}

// PyTorch computes the scale as (in - 1) / (out - 1) and the source as scale * dst, in float.
float tap_scale(int in, int out) {
  return out > 1 ? float(in - 1) / float(out - 1) : 0.0f;
}

struct Taps {
  alignas(64) int i0[kColumns];
  alignas(64) int i1[kColumns];
  alignas(64) float w1[kColumns];  // weight of i1; i0 gets 1 - w1
};

void make_taps(float scale, int begin, int end, int in, int* i0, int* i1, float* w1) {
  for (int o = begin; o < end; ++o) {
    const float src = scale * float(o);
    int a = static_cast<int>(src);
    if (a > in - 1) a = in - 1;
    i0[o - begin] = a;
    i1[o - begin] = a + 1 < in ? a + 1 : in - 1;
    w1[o - begin] = src - float(a);
  }
}

// out[x] = (1 - w1[x]) * in_row[i0[x]] + w1[x] * in_row[i1[x]] for x < count.
void resample_row(const float* in_row, int in_w, bool upsampling, const Taps& t, int count,
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
    const __m512 r = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(one, w1), a), _mm512_mul_ps(w1, b));
    _mm512_mask_storeu_ps(out + x, m, r);
  }
}

}  // namespace

void resize_bilinear_f32_avx512(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                int out_w, float* output) {
  const float scale_y = tap_scale(in_h, out_h), scale_x = tap_scale(in_w, out_w);
  const bool upsampling = in_w <= out_w;
  int rows_per_job = static_cast<int>(kPixelsPerJob / out_w);
  if (rows_per_job < 1) rows_per_job = 1;
  const int64_t row_blocks = (out_h + rows_per_job - 1) / rows_per_job;
  const int64_t jobs = planes * row_blocks;
  const int64_t in_plane = int64_t(in_h) * in_w, out_plane = int64_t(out_h) * out_w;
#pragma omp parallel for schedule(static) if (double(planes) * double(out_plane) >= \
                                              kParallelMinElements)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t p = job / row_blocks;
    const int y_begin = static_cast<int>(job % row_blocks) * rows_per_job;
    const int y_end = y_begin + rows_per_job < out_h ? y_begin + rows_per_job : out_h;
    const float* in = input + p * in_plane;
    Taps taps;
    alignas(64) float rows[2][kColumns];
    for (int xs = 0; xs < out_w; xs += kColumns) {
      const int xe = xs + kColumns < out_w ? xs + kColumns : out_w, count = xe - xs;
      make_taps(scale_x, xs, xe, in_w, taps.i0, taps.i1, taps.w1);
      // slot[k] holds input row cached[k] resampled; slot 0 is the upper row of the pair.
      float* slot[2] = {rows[0], rows[1]};
      int cached[2] = {-1, -1};
      for (int y = y_begin; y < y_end; ++y) {
        int iy0, iy1;
        float wy1;
        make_taps(scale_y, y, y + 1, in_h, &iy0, &iy1, &wy1);
        if (cached[0] != iy0 && cached[1] == iy0) {  // moved down one input row: reuse it
          float* const s = slot[0];
          slot[0] = slot[1], slot[1] = s;
          cached[0] = iy0, cached[1] = -1;
        }
        if (cached[0] != iy0) {
          resample_row(in + int64_t(iy0) * in_w, in_w, upsampling, taps, count, slot[0]);
          cached[0] = iy0;
        }
        if (cached[1] != iy1) {
          resample_row(in + int64_t(iy1) * in_w, in_w, upsampling, taps, count, slot[1]);
          cached[1] = iy1;
        }
        const __m512 w0 = _mm512_set1_ps(1.0f - wy1), w1 = _mm512_set1_ps(wy1);
        float* out_row = output + p * out_plane + int64_t(y) * out_w + xs;
        for (int x = 0; x < count; x += kLanes) {
          const __mmask16 m = lane_mask(count - x);
          const __m512 r = _mm512_add_ps(_mm512_mul_ps(w0, _mm512_maskz_load_ps(m, slot[0] + x)),
                                         _mm512_mul_ps(w1, _mm512_maskz_load_ps(m, slot[1] + x)));
          _mm512_mask_storeu_ps(out_row + x, m, r);
        }
      }
    }
  }
}

}  // namespace espnet
