// adaptive_avg_pool_f32_scalar: F.adaptive_avg_pool2d, portable C++, separable: for each output
// row the input rows of its cells are summed column by column into a stack row (a loop the
// compiler vectorises), then each output cell sums its columns of that row and divides by the
// cell's area. Output columns go in chunks whose input span fits the stack row (kSpan floats);
// a single cell wider than that is summed directly. Sums run in a different order than in
// adaptive_avg_pool_f32_ref (columns first), so results differ by rounding only.
// Threads split (plane, block of output rows) jobs for inputs of at least kParallelMinElements.
#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {
namespace {

constexpr int kSpan = 4096;
constexpr int64_t kPixelsPerJob = 4096;

int cell_begin(int i, int in, int out) {
  return static_cast<int>(int64_t(i) * in / out);
}
int cell_end(int i, int in, int out) {
  return static_cast<int>((int64_t(i + 1) * in + out - 1) / out);
}

// Output row y, columns [xs, xe), whose input columns [c0, c1) fit in `sums`.
void pool_columns(const float* in, int in_w, int y0, int y1, int out_w, int xs, int xe, int c0,
                  int c1, float* sums, float* out_row) {
  const float* row = in + int64_t(y0) * in_w;
  for (int c = c0; c < c1; ++c) sums[c - c0] = row[c];
  for (int iy = y0 + 1; iy < y1; ++iy) {
    row = in + int64_t(iy) * in_w;
    for (int c = c0; c < c1; ++c) sums[c - c0] += row[c];
  }
  for (int x = xs; x < xe; ++x) {
    const int x0 = cell_begin(x, in_w, out_w), x1 = cell_end(x, in_w, out_w);
    float sum = 0.0f;
    for (int c = x0; c < x1; ++c) sum += sums[c - c0];
    out_row[x] = sum / float((y1 - y0) * (x1 - x0));
  }
}

// A cell too wide for the stack row.
float pool_cell(const float* in, int in_w, int y0, int y1, int x0, int x1) {
  float sum = 0.0f;
  for (int iy = y0; iy < y1; ++iy)
    for (int c = x0; c < x1; ++c) sum += in[int64_t(iy) * in_w + c];
  return sum / float((y1 - y0) * (x1 - x0));
}

}  // namespace

void adaptive_avg_pool_f32_scalar(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                  int out_w, float* output) {
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
    float sums[kSpan];
    for (int y = y_begin; y < y_end; ++y) {
      const int y0 = cell_begin(y, in_h, out_h), y1 = cell_end(y, in_h, out_h);
      float* out_row = output + p * out_plane + int64_t(y) * out_w;
      int xs = 0;
      while (xs < out_w) {
        const int c0 = cell_begin(xs, in_w, out_w);
        if (cell_end(xs, in_w, out_w) - c0 > kSpan) {
          out_row[xs] = pool_cell(in, in_w, y0, y1, c0, cell_end(xs, in_w, out_w));
          ++xs;
          continue;
        }
        int xe = xs + 1;
        while (xe < out_w && cell_end(xe, in_w, out_w) - c0 <= kSpan) ++xe;
        pool_columns(in, in_w, y0, y1, out_w, xs, xe, c0, cell_end(xe - 1, in_w, out_w), sums,
                     out_row);
        xs = xe;
      }
    }
  }
}

}  // namespace espnet
