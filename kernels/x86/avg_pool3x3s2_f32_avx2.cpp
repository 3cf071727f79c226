// avg_pool3x3s2_f32_avx2: nn.AvgPool2d(3, 2, padding 1), count_include_pad, AVX2.
// Per output row, in chunks of kAvgPoolColumns output columns: the (up to) three input rows are
// summed 8 columns at a time into a 32-byte aligned stack row (zero where the window pokes into
// the padding, vmaskmov loads for the row's last partial vector), then 8 outputs at a time take
// the even (left tap), odd (centre) and shifted even (right tap) sums out of two vector pairs
// with vshufps + vpermpd, add them and scale by 1/9. The stack row has 48 zeroed floats of slack,
// so the horizontal pass may read past the sums it needs; tensors are never over-read or
// over-written. Threads split (plane, block of rows) jobs for inputs of at least
// kParallelMinElements. Compiled with -mavx2 -mfma: everything stays in this file (anonymous
// namespace, no standard-library templates) so no AVX2 code can leak into baseline code through the
// linker.
#include <immintrin.h>

#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 8;
constexpr int kSlack = 48;
constexpr int64_t kPixelsPerJob = 8192;

__m256i lane_mask(int count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6] -> 64-bit lanes 0, 2, 1, 3: the even elements of lo:hi.
__m256 even_of(__m256 lo, __m256 hi) {
  const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), 0xD8));
}
__m256 odd_of(__m256 lo, __m256 hi) {
  const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), 0xD8));
}

void vertical_sums(const float* const* rows, int row_count, int first, int j0, int j1,
                   float* sums) {
  for (int j = j0; j < j1; j += kLanes) {
    const __m256i m = lane_mask(j1 - j);
    __m256 v = _mm256_maskload_ps(rows[0] + (first + j), m);
    for (int r = 1; r < row_count; ++r)
      v = _mm256_add_ps(v, _mm256_maskload_ps(rows[r] + (first + j), m));
    _mm256_maskstore_ps(sums + j, m, v);
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
  const __m256 inv = _mm256_set1_ps(1.0f / 9.0f);
  for (int x = xs; x < xe; x += kLanes) {
    const float* s = sums + 2 * (x - xs);
    const __m256 lo = _mm256_loadu_ps(s), hi = _mm256_loadu_ps(s + kLanes);
    const __m256 lo2 = _mm256_loadu_ps(s + 2), hi2 = _mm256_loadu_ps(s + 2 + kLanes);
    __m256 v = _mm256_add_ps(even_of(lo, hi), odd_of(lo, hi));
    v = _mm256_mul_ps(_mm256_add_ps(v, even_of(lo2, hi2)), inv);
    if (xe - x >= kLanes)
      _mm256_storeu_ps(out_row + x, v);
    else
      _mm256_maskstore_ps(out_row + x, lane_mask(xe - x), v);
  }
}

}  // namespace

void avg_pool3x3s2_f32_avx2(const float* input, int64_t planes, int in_h, int in_w, float* output) {
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
    alignas(32) float sums[2 * kAvgPoolColumns + 1 + kSlack];
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
