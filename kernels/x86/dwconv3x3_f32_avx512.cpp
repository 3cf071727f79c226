// dwconv3x3_f32_avx512: depth-wise 3x3, padding == dilation (any d >= 1), stride 1 or 2, NCHW,
// AVX-512F (+FMA). Vectorised over the output columns of one row (16 lanes). Per row: taps of
// input rows outside the image are dropped from the row's tap list (top/bottom borders), border
// columns ([0, interior_begin) and [interior_end, out_w)) go through the bounds-checked scalar
// dwconv3x3_pixel, interior columns are loaded without checks at x*s - d, x*s, x*s + d.
// Stride 2 loads 32 consecutive inputs as two vectors and keeps the even ones with one
// vpermt2ps (no gather). Every load and store is masked to the elements actually needed, so
// nothing outside the tensors is read or written (no over-read, no materialised padding).
// Threads split (plane, block of rows) with about 8K output pixels per job. Planes with rows
// under 32 pixels take the flattened small-plane path instead (dwconv3x3_small_impl.inc).
// Compiled with AVX-512 flags: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX-512 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/conv_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 16;
constexpr int64_t kPixelsPerJob = 8192;

__mmask16 lane_mask(int count) {
  return count >= kLanes ? __mmask16(0xFFFF)
         : count <= 0    ? __mmask16(0)
                         : __mmask16((1u << count) - 1u);
}

struct RowTaps {
  int count = 0;              // input rows inside the image (0..3)
  const float* rows[3] = {};  // their starts
  __m512 w[3][3];             // their weights, broadcast
};

// Interior columns [begin, end) of one output row; `center` = input column of x = 0 is 0.
template <int kStride>
void interior_row(const RowTaps& taps, int dilation, int begin, int end, __m512 bias,
                  const float* slope, float* out_row) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512 a = _mm512_set1_ps(slope ? *slope : 1.0f);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  for (int x = begin; x < end; x += kLanes) {
    const int count = end - x < kLanes ? end - x : kLanes;
    const __mmask16 out_mask = lane_mask(count);
    // Stride 2 needs inputs 0, 2, ..., 2 (count - 1) of a run: 2 count - 1 floats.
    const __mmask16 lo_mask = lane_mask(2 * count - 1);
    const __mmask16 hi_mask = lane_mask(2 * count - 1 - kLanes);
    __m512 acc = bias;
    for (int r = 0; r < taps.count; ++r) {
      const float* center = taps.rows[r] + int64_t(x) * kStride;
      for (int kx = 0; kx < 3; ++kx) {
        const float* src = center + (kx - 1) * dilation;
        __m512 v;
        if (kStride == 1) {
          v = _mm512_maskz_loadu_ps(out_mask, src);
        } else {
          const __m512 lo = _mm512_maskz_loadu_ps(lo_mask, src);
          const __m512 hi = _mm512_maskz_loadu_ps(hi_mask, src + kLanes);
          v = _mm512_permutex2var_ps(lo, even, hi);
        }
        acc = _mm512_fmadd_ps(taps.w[r][kx], v, acc);
      }
    }
    if (slope) acc = _mm512_mask_mul_ps(acc, _mm512_cmp_ps_mask(acc, zero, _CMP_LT_OQ), acc, a);
    _mm512_mask_storeu_ps(out_row + x, out_mask, acc);
  }
}

void border_columns(const float* in, int in_h, int in_w, int stride, int dilation, int y, int begin,
                    int end, const float* w, float bias, const float* slope, float* out_row) {
  for (int x = begin; x < end; ++x) {
    float v = dwconv3x3_pixel(in, in_h, in_w, y * stride, x * stride, dilation, w, bias);
    if (slope && v < 0.0f) v *= *slope;
    out_row[x] = v;
  }
}

// Traits for the small-plane path (kernels/dwconv3x3_small_impl.inc).
struct Vec {
  static constexpr int kWidth = 16;
  using Reg = __m512;
  using Mask = __mmask16;
  using Index = __m512i;
  static Mask mask_bits(uint32_t bits) { return static_cast<Mask>(bits); }
  static Index load_index(const int32_t* p) { return _mm512_loadu_si512(p); }
  static Reg set1(float x) { return _mm512_set1_ps(x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg prelu(Reg y, Reg slope) {
    return _mm512_mask_mul_ps(y, _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_LT_OQ), y, slope);
  }
  static Reg load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static Reg gather_masked(const float* p, Index i, Mask m) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, i, p, 4);
  }
  static void store_masked(float* p, Mask m, Reg x) { _mm512_mask_storeu_ps(p, m, x); }
};

}  // namespace
}  // namespace espnet

#include "kernels/dwconv3x3_small_impl.inc"

namespace espnet {

void dwconv3x3_f32_avx512(const float* input, int batch, int channels, int in_h, int in_w,
                          int stride, int dilation, const float* weight, const float* bias,
                          const float* slopes, float* output) {
  if (dwconv3x3_small(input, batch, channels, in_h, in_w, stride, dilation, weight, bias, slopes,
                      output))
    return;
  const Dwconv3x3Geometry geo = dwconv3x3_geometry(in_h, in_w, stride, dilation);
  const int64_t planes = int64_t(batch) * channels;
  const int64_t in_plane = int64_t(in_h) * in_w, out_plane = int64_t(geo.out_h) * geo.out_w;
  const double macs = 9.0 * double(planes) * double(out_plane);
  const bool parallel = macs >= kParallelMinMacsDepthwise;
  const int rows_per_job =
      espnet::rows_per_job(geo.out_h, geo.out_w, kPixelsPerJob, planes, parallel);
  const int64_t row_blocks = (geo.out_h + rows_per_job - 1) / rows_per_job;
  const int64_t jobs = planes * row_blocks;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t p = job / row_blocks;
    const int c = static_cast<int>(p % channels);
    const float* in = input + p * in_plane;
    const float* w = weight + int64_t(c) * 9;
    const float b = bias ? bias[c] : 0.0f;
    const float* slope = slopes ? slopes + c : nullptr;
    const int y_begin = static_cast<int>(job % row_blocks) * rows_per_job;
    const int y_end = y_begin + rows_per_job < geo.out_h ? y_begin + rows_per_job : geo.out_h;
    RowTaps taps;
    for (int y = y_begin; y < y_end; ++y) {
      float* out_row = output + p * out_plane + int64_t(y) * geo.out_w;
      taps.count = 0;
      for (int ky = 0; ky < 3; ++ky) {
        const int iy = y * stride + (ky - 1) * dilation;
        if (iy < 0 || iy >= in_h) continue;
        taps.rows[taps.count] = in + int64_t(iy) * in_w;
        for (int kx = 0; kx < 3; ++kx) taps.w[taps.count][kx] = _mm512_set1_ps(w[ky * 3 + kx]);
        ++taps.count;
      }
      border_columns(in, in_h, in_w, stride, dilation, y, 0, geo.interior_begin, w, b, slope,
                     out_row);
      if (stride == 1)
        interior_row<1>(taps, dilation, geo.interior_begin, geo.interior_end, _mm512_set1_ps(b),
                        slope, out_row);
      else
        interior_row<2>(taps, dilation, geo.interior_begin, geo.interior_end, _mm512_set1_ps(b),
                        slope, out_row);
      border_columns(in, in_h, in_w, stride, dilation, y, geo.interior_end, geo.out_w, w, b, slope,
                     out_row);
    }
  }
}

}  // namespace espnet
