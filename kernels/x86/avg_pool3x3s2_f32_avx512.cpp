// avg_pool3x3s2_f32_avx512: nn.AvgPool2d(3, 2, padding 1), count_include_pad, AVX-512F.
// Per output row, in chunks of kAvgPoolColumns output columns: the (up to) three input rows are
// summed 16 columns at a time into a 64-byte aligned stack row (zero where the window pokes into
// the padding, masked loads for the row's last partial vector), then 16 outputs at a time take
// the even (left tap), odd (centre) and shifted even (right tap) sums out of two vector pairs
// with vpermt2ps, add them and scale by 1/9. The stack row has 48 zeroed floats of slack, so the
// horizontal pass may read past the sums it needs; tensors are never over-read or over-written.
// Threads split (plane, block of rows) jobs for inputs of at least kParallelMinElements.
// Compiled with AVX-512 flags: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX-512 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 16;
constexpr int kSlack = 48;
constexpr int64_t kPixelsPerJob = 8192;

__mmask16 lane_mask(int count) {
  return count >= kLanes ? __mmask16(0xFFFF)
         : count <= 0    ? __mmask16(0)
                         : __mmask16((1u << count) - 1u);
}

void vertical_sums(const float* const* rows, int row_count, int first, int j0, int j1,
                   float* sums) {
  for (int j = j0; j < j1; j += kLanes) {
    const __mmask16 m = lane_mask(j1 - j);
    __m512 v = _mm512_maskz_loadu_ps(m, rows[0] + (first + j));
    for (int r = 1; r < row_count; ++r)
      v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, rows[r] + (first + j)));
    _mm512_mask_storeu_ps(sums + j, m, v);
  }
}

void pool_row(const float* const* rows, int row_count, int in_w, int xs, int xe, float* sums,
              float* out_row) {
  const int first = 2 * xs - 1;  // input column of sums[0]
  const int n = 2 * (xe - xs) + 1;
  const int j0 = first < 0 ? -first : 0;
  const int j1 = in_w - first < n ? in_w - first : n;
  for (int j = 0; j < j0; ++j) sums[j] = 0.0f;
  for (int j = j1; j < n + kSlack; ++j) sums[j] = 0.0f;
  vertical_sums(rows, row_count, first, j0, j1, sums);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  const __m512 inv = _mm512_set1_ps(1.0f / 9.0f);
  for (int x = xs; x < xe; x += kLanes) {
    const float* s = sums + 2 * (x - xs);
    const __m512 lo = _mm512_loadu_ps(s), hi = _mm512_loadu_ps(s + kLanes);
    const __m512 lo2 = _mm512_loadu_ps(s + 2), hi2 = _mm512_loadu_ps(s + 2 + kLanes);
    __m512 v =
        _mm512_add_ps(_mm512_permutex2var_ps(lo, even, hi), _mm512_permutex2var_ps(lo, odd, hi));
    v = _mm512_add_ps(v, _mm512_permutex2var_ps(lo2, even, hi2));
    _mm512_mask_storeu_ps(out_row + x, lane_mask(xe - x), _mm512_mul_ps(v, inv));
  }
}

}  // namespace

void avg_pool3x3s2_f32_avx512(const float* input, int64_t planes, int in_h, int in_w,
                              float* output) {
  const int out_h = (in_h - 1) / 2 + 1, out_w = (in_w - 1) / 2 + 1;
  int rows_per_job = static_cast<int>(kPixelsPerJob / out_w);
  if (rows_per_job < 1) rows_per_job = 1;
  const int64_t row_blocks = (out_h + rows_per_job - 1) / rows_per_job;
  const int64_t jobs = planes * row_blocks;
  const int64_t in_plane = int64_t(in_h) * in_w, out_plane = int64_t(out_h) * out_w;
#pragma omp parallel for schedule(static) if (double(planes) * double(in_plane) >= \
                                              kParallelMinElements)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t p = job / row_blocks;
    const int y_begin = static_cast<int>(job % row_blocks) * rows_per_job;
    const int y_end = y_begin + rows_per_job < out_h ? y_begin + rows_per_job : out_h;
    const float* in = input + p * in_plane;
    alignas(64) float sums[2 * kAvgPoolColumns + 1 + kSlack];
    for (int y = y_begin; y < y_end; ++y) {
      const float* rows[3];
      int count = 0;
      for (int iy = 2 * y - 1; iy <= 2 * y + 1; ++iy)
        if (iy >= 0 && iy < in_h) rows[count++] = in + int64_t(iy) * in_w;
      float* out_row = output + p * out_plane + int64_t(y) * out_w;
      for (int xs = 0; xs < out_w; xs += kAvgPoolColumns) {
        const int xe = xs + kAvgPoolColumns < out_w ? xs + kAvgPoolColumns : out_w;
        pool_row(rows, count, in_w, xs, xe, sums, out_row);
      }
    }
  }
}

}  // namespace espnet
