// adaptive_avg_pool_f32_scalar: F.adaptive_avg_pool2d, portable C++, separable. Output columns
// go in chunks of at most kCells cells whose input span fits a stack row of kSpan floats; a
// chunk's cell bounds are computed once (no division per pixel). For each output row the input
// rows of its cells are summed column by column into the stack row (a loop the compiler
// vectorises), then each cell sums its columns of that row (cells of up to 4 columns, as when
// the pyramid's larger levels are pooled back, over a fixed count: no branch on the width) and
// the divisions by the cells' areas run as one vectorised loop. A single cell
// wider than kSpan is summed directly. Sums run in a different order than in
// adaptive_avg_pool_f32_ref (columns first), so results differ by rounding only.
// Threads split (plane, block of output rows) jobs for inputs of at least kParallelMinElements.
#include <algorithm>
#include <cstdint>

#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {
namespace {

constexpr int kSpan = 4096;
constexpr int kCells = 1024;
constexpr int64_t kPixelsPerJob = 4096;

// Cell bounds, floor(i * in / out) and ceil((i + 1) * in / out). In 32 bits whenever the
// products fit (every size a network meets): a 64-bit division costs several times more, and
// these run for every cell of every job.
int cell_begin(int i, int in, int out) {
  if (int64_t(out) * in <= UINT32_MAX)
    return static_cast<int>(uint32_t(i) * uint32_t(in) / uint32_t(out));
  return static_cast<int>(int64_t(i) * in / out);
}
int cell_end(int i, int in, int out) {
  // (i + 1) * in + out - 1 <= out * (in + 1) - 1.
  if (int64_t(out) * (int64_t(in) + 1) <= UINT32_MAX)
    return static_cast<int>((uint32_t(i + 1) * uint32_t(in) + uint32_t(out - 1)) / uint32_t(out));
  return static_cast<int>((int64_t(i + 1) * in + out - 1) / out);
}

// Columns of zeros after a stack row's span, so that cells of at most kNarrow columns can be
// summed over a fixed count (see narrow_cell_sums).
constexpr int kNarrow = 4;

// The sums of n cells of at most kWidth columns each, with no branch on the cell's width: the
// widths of consecutive cells vary (2, 3, 2, ... when the output is 2/3 of the input), and a
// loop bound per cell was mispredicted often enough to take half the kernel's time. Columns past
// a cell's end add +0.0f, which changes no sum here: a sum that starts at +0.0f is never -0.
template <int kWidth>
void narrow_cell_sums(const float* sums, const int* x0, const int* x1, int n, float* cell_sums) {
  for (int k = 0; k < n; ++k) {
    const float* s = sums + x0[k];
    const int width = x1[k] - x0[k];
    float sum = 0.0f;
    for (int c = 0; c < kWidth; ++c) sum += c < width ? s[c] : 0.0f;
    cell_sums[k] = sum;
  }
}

// Cells [xs, xe) of rows [y_begin, y_end); cell k spans stack-row columns [x0[k], x1[k]), which
// are input columns c0 + x0[k] ..., and is at most widest columns wide. `sums` has room for
// kNarrow columns past the span.
void pool_chunk(const float* in, int in_h, int in_w, int out_h, int y_begin, int y_end, int xs,
                int xe, int c0, int c1, const int* x0, const int* x1, const float* widths,
                int widest, float* sums, float* cell_sums, float* out, int out_w) {
  for (int c = c1 - c0; c < c1 - c0 + kNarrow; ++c) sums[c] = 0.0f;
  for (int y = y_begin; y < y_end; ++y) {
    const int y0 = cell_begin(y, in_h, out_h), y1 = cell_end(y, in_h, out_h);
    const float* row = in + int64_t(y0) * in_w + c0;
    for (int c = 0; c < c1 - c0; ++c) sums[c] = row[c];
    for (int iy = y0 + 1; iy < y1; ++iy) {
      row = in + int64_t(iy) * in_w + c0;
      for (int c = 0; c < c1 - c0; ++c) sums[c] += row[c];
    }
    // The cells' sums first, then their divisions in a loop of their own, which the compiler
    // vectorises (one division per cell in the same loop left each waiting for the last). The
    // product of two small exact integers rounds as their integer product would: same results.
    float* out_row = out + int64_t(y) * out_w + xs;
    const float rows = float(y1 - y0);
    const int n = xe - xs;
    if (widest <= 2) {
      narrow_cell_sums<2>(sums, x0, x1, n, cell_sums);
    } else if (widest <= kNarrow) {
      narrow_cell_sums<kNarrow>(sums, x0, x1, n, cell_sums);
    } else {
      for (int k = 0; k < n; ++k) {
        float sum = 0.0f;
        for (int c = x0[k]; c < x1[k]; ++c) sum += sums[c];
        cell_sums[k] = sum;
      }
    }
    for (int k = 0; k < xe - xs; ++k) out_row[k] = cell_sums[k] / (rows * widths[k]);
  }
}

// Cell x of rows [y_begin, y_end), too wide for the stack row.
void pool_wide_cell(const float* in, int in_h, int in_w, int out_h, int out_w, int y_begin,
                    int y_end, int x, float* out) {
  const int x0 = cell_begin(x, in_w, out_w), x1 = cell_end(x, in_w, out_w);
  for (int y = y_begin; y < y_end; ++y) {
    const int y0 = cell_begin(y, in_h, out_h), y1 = cell_end(y, in_h, out_h);
    float sum = 0.0f;
    for (int iy = y0; iy < y1; ++iy)
      for (int c = x0; c < x1; ++c) sum += in[int64_t(iy) * in_w + c];
    out[int64_t(y) * out_w + x] = sum / float((y1 - y0) * (x1 - x0));
  }
}

// The common exact halving (EfficientPyrPool's scale-2 level pooled back): every cell is 2x2.
// Same sum order as the general path for a 2x2 cell (row by row, then the two columns).
void halve(const float* input, int64_t planes, int out_h, int out_w, float* output) {
  const int in_w = 2 * out_w;
  const int64_t rows = planes * out_h;
#pragma omp parallel for schedule(static) if (double(rows) * out_w * 4 >= kParallelMinElements)
  for (int64_t r = 0; r < rows; ++r) {
    const float* top = input + r * 2 * in_w;
    const float* bottom = top + in_w;
    float* out = output + r * out_w;
    for (int x = 0; x < out_w; ++x)
      out[x] = ((top[2 * x] + bottom[2 * x]) + (top[2 * x + 1] + bottom[2 * x + 1])) * 0.25f;
  }
}

}  // namespace

void adaptive_avg_pool_f32_scalar(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                  int out_w, float* output) {
  if (in_h == 2 * out_h && in_w == 2 * out_w) return halve(input, planes, out_h, out_w, output);
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
    float* out = output + p * out_plane;
    float sums[kSpan + kNarrow], cell_sums[kCells], widths[kCells];
    int x0[kCells], x1[kCells];
    int xs = 0;
    while (xs < out_w) {
      const int c0 = cell_begin(xs, in_w, out_w);
      if (cell_end(xs, in_w, out_w) - c0 > kSpan) {
        pool_wide_cell(in, in_h, in_w, out_h, out_w, y_begin, y_end, xs, out);
        ++xs;
        continue;
      }
      int xe = xs, widest = 0;
      while (xe < out_w && xe - xs < kCells) {
        const int end = cell_end(xe, in_w, out_w);
        if (end - c0 > kSpan) break;
        x0[xe - xs] = cell_begin(xe, in_w, out_w) - c0;
        x1[xe - xs] = end - c0;
        widths[xe - xs] = float(x1[xe - xs] - x0[xe - xs]);
        widest = std::max(widest, x1[xe - xs] - x0[xe - xs]);
        ++xe;
      }
      // Cell ends grow with x, so the chunk's last cell ends its span.
      pool_chunk(in, in_h, in_w, out_h, y_begin, y_end, xs, xe, c0, c0 + x1[xe - xs - 1], x0, x1,
                 widths, widest, sums, cell_sums, out, out_w);
      xs = xe;
    }
  }
}

}  // namespace espnet
