// avg_pool3x3s2_f32_scalar: nn.AvgPool2d(3, 2, padding 1), count_include_pad, portable C++.
// Per output row, in chunks of kAvgPoolColumns output columns: the (up to) three input rows are
// summed into a stack row of 2 * columns + 1 vertical sums, zero where the window pokes into the
// padding, then each output is (sum[2x] + sum[2x + 1] + sum[2x + 2]) / 9. No over-read.
// Threads split (plane, block of rows) jobs for inputs of at least kParallelMinElements.
#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {
namespace {

constexpr int64_t kPixelsPerJob = 8192;

void pool_row(const float* const* rows, int row_count, int in_w, int xs, int xe, float* sums,
              float* out_row) {
  const int first = 2 * xs - 1;  // input column of sums[0]
  const int n = 2 * (xe - xs) + 1;
  const int j0 = first < 0 ? -first : 0;
  const int j1 = in_w - first < n ? in_w - first : n;
  for (int j = 0; j < j0; ++j) sums[j] = 0.0f;
  for (int j = j1; j < n; ++j) sums[j] = 0.0f;
  for (int j = j0; j < j1; ++j) sums[j] = rows[0][first + j];
  for (int r = 1; r < row_count; ++r) {
    const float* row = rows[r];
    for (int j = j0; j < j1; ++j) sums[j] += row[first + j];
  }
  const float inv = 1.0f / 9.0f;
  for (int x = xs; x < xe; ++x) {
    const float* s = sums + 2 * (x - xs);
    out_row[x] = (s[0] + s[1] + s[2]) * inv;
  }
}

}  // namespace

void avg_pool3x3s2_f32_scalar(const float* input, int64_t planes, int in_h, int in_w,
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
    float sums[2 * kAvgPoolColumns + 1];
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
