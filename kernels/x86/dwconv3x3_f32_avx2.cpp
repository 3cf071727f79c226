// dwconv3x3_f32_avx2: depth-wise 3x3, padding == dilation (any d >= 1), stride 1 or 2, NCHW,
// AVX2 + FMA. Same plan as the AVX-512 variant with 8 lanes: per row, taps of input rows outside
// the image are dropped, border columns use the bounds-checked scalar dwconv3x3_pixel, interior
// columns load x*s - d, x*s, x*s + d without checks. Stride 2 loads 16 consecutive inputs as two
// vectors and keeps the even ones (vshufps + vpermpd, no gather). Full vectors use plain loads
// except the upper half of a stride-2 pair (vmaskmov, its last float is not needed and may lie
// past the tensor); the last partial vector of a row uses vmaskmov loads and stores. Nothing
// outside the tensors is read or written.
// Threads split (plane, block of rows) with about 8K output pixels per job. Planes with rows
// under 32 pixels take the flattened small-plane path instead (dwconv3x3_small_impl.inc).
// Compiled with -mavx2 -mfma: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX2 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/conv_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 8;
constexpr int64_t kPixelsPerJob = 8192;

struct RowTaps {
  int count = 0;              // input rows inside the image (0..3)
  const float* rows[3] = {};  // their starts
  __m256 w[3][3];             // their weights, broadcast
};

__m256i lane_mask(int count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Even elements of src[0 .. 2 * lanes - 1): lo holds src[0..7], hi src[8..15] (masked).
__m256 load_even(const float* src, __m256i lo_mask, __m256i hi_mask, bool full_lo) {
  const __m256 lo = full_lo ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, lo_mask);
  const __m256 hi = _mm256_maskload_ps(src + kLanes, hi_mask);
  // [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6] -> 64-bit lanes 0, 2, 1, 3.
  const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), 0xD8));
}

template <int kStride>
void interior_row(const RowTaps& taps, int dilation, int begin, int end, __m256 bias,
                  const float* slope, float* out_row) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 a = _mm256_set1_ps(slope ? *slope : 1.0f);
  for (int x = begin; x < end; x += kLanes) {
    const int count = end - x < kLanes ? end - x : kLanes;
    const bool full = count == kLanes;
    const __m256i out_mask = lane_mask(count);
    const __m256i lo_mask = lane_mask(2 * count - 1);
    const __m256i hi_mask = lane_mask(2 * count - 1 - kLanes);
    __m256 acc = bias;
    for (int r = 0; r < taps.count; ++r) {
      const float* center = taps.rows[r] + int64_t(x) * kStride;
      for (int kx = 0; kx < 3; ++kx) {
        const float* src = center + (kx - 1) * dilation;
        __m256 v;
        if (kStride == 1)
          v = full ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, out_mask);
        else
          v = load_even(src, lo_mask, hi_mask, full);
        acc = _mm256_fmadd_ps(taps.w[r][kx], v, acc);
      }
    }
    if (slope)
      acc = _mm256_blendv_ps(acc, _mm256_mul_ps(acc, a), _mm256_cmp_ps(acc, zero, _CMP_LT_OQ));
    if (full)
      _mm256_storeu_ps(out_row + x, acc);
    else
      _mm256_maskstore_ps(out_row + x, out_mask, acc);
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
  static constexpr int kWidth = 8;
  using Reg = __m256;
  using Mask = __m256i;
  using Index = __m256i;
  static Mask mask_bits(uint32_t bits) {
    const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i set = _mm256_and_si256(_mm256_set1_epi32(static_cast<int>(bits)), lane_bit);
    return _mm256_cmpeq_epi32(set, lane_bit);
  }
  static Index load_index(const int32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  static Reg set1(float x) { return _mm256_set1_ps(x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg prelu(Reg y, Reg slope) {
    return _mm256_blendv_ps(y, _mm256_mul_ps(y, slope),
                            _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_LT_OQ));
  }
  static Reg load_masked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static Reg gather_masked(const float* p, Index i, Mask m) {
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, i, _mm256_castsi256_ps(m), 4);
  }
  static void store_masked(float* p, Mask m, Reg x) { _mm256_maskstore_ps(p, m, x); }
};

}  // namespace
}  // namespace espnet

#include "kernels/dwconv3x3_small_impl.inc"

namespace espnet {

void dwconv3x3_f32_avx2(const float* input, int batch, int channels, int in_h, int in_w, int stride,
                        int dilation, const float* weight, const float* bias, const float* slopes,
                        float* output) {
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
        for (int kx = 0; kx < 3; ++kx) taps.w[taps.count][kx] = _mm256_set1_ps(w[ky * 3 + kx]);
        ++taps.count;
      }
      border_columns(in, in_h, in_w, stride, dilation, y, 0, geo.interior_begin, w, b, slope,
                     out_row);
      if (stride == 1)
        interior_row<1>(taps, dilation, geo.interior_begin, geo.interior_end, _mm256_set1_ps(b),
                        slope, out_row);
      else
        interior_row<2>(taps, dilation, geo.interior_begin, geo.interior_end, _mm256_set1_ps(b),
                        slope, out_row);
      border_columns(in, in_h, in_w, stride, dilation, y, geo.interior_end, geo.out_w, w, b, slope,
                     out_row);
    }
  }
}

}  // namespace espnet
