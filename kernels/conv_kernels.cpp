#include "kernels/conv_kernels.h"

#include <omp.h>

namespace espnet {

int64_t pointwise_rows_stride(int out_channels) {
  return (int64_t(out_channels) + 15) / 16 * 16;
}

void pack_pointwise_rows(const float* weight, int in_channels, int out_channels, float* packed) {
  const int64_t stride = pointwise_rows_stride(out_channels);
  for (int ci = 0; ci < in_channels; ++ci)
    for (int64_t co = 0; co < stride; ++co)
      packed[ci * stride + co] = co < out_channels ? weight[co * in_channels + ci] : 0.0f;
}

int64_t tiles_per_block(int64_t tiles, int64_t outer, bool parallel) {
  constexpr int64_t kJobsPerThread = 4;
  if (tiles < 1) return 1;
  if (!parallel || omp_in_parallel() || outer < 1) return tiles;
  const int64_t wanted = kJobsPerThread * omp_get_max_threads();
  if (outer >= wanted) return tiles;
  int64_t blocks = (wanted + outer - 1) / outer;
  if (blocks > tiles) blocks = tiles;
  return (tiles + blocks - 1) / blocks;
}

int rows_per_job(int out_h, int out_w, int64_t pixels_per_job, int64_t outer, bool parallel) {
  int64_t rows = out_w > 0 ? pixels_per_job / out_w : 1;
  if (rows < 1) rows = 1;
  const int64_t limit = tiles_per_block(out_h, outer, parallel);
  return static_cast<int>(rows < limit ? rows : limit);
}

Dwconv3x3Geometry dwconv3x3_geometry(int in_h, int in_w, int stride, int dilation) {
  Dwconv3x3Geometry g;
  // Padding == dilation, so conv_output_size reduces to (in - 1) / stride + 1.
  g.out_h = (in_h - 1) / stride + 1;
  g.out_w = (in_w - 1) / stride + 1;
  // Left tap x * stride - d >= 0, right tap x * stride + d <= in_w - 1.
  int begin = (dilation + stride - 1) / stride;
  int end = in_w - 1 - dilation >= 0 ? (in_w - 1 - dilation) / stride + 1 : 0;
  if (begin > g.out_w) begin = g.out_w;
  if (end > g.out_w) end = g.out_w;
  if (end < begin) end = begin;
  g.interior_begin = begin;
  g.interior_end = end;
  return g;
}

float dwconv3x3_pixel(const float* plane, int in_h, int in_w, int center_y, int center_x,
                      int dilation, const float* w, float bias) {
  float sum = bias;
  for (int ky = 0; ky < 3; ++ky) {
    const int iy = center_y + (ky - 1) * dilation;
    if (iy < 0 || iy >= in_h) continue;
    const float* row = plane + int64_t(iy) * in_w;
    for (int kx = 0; kx < 3; ++kx) {
      const int ix = center_x + (kx - 1) * dilation;
      if (ix >= 0 && ix < in_w) sum += w[ky * 3 + kx] * row[ix];
    }
  }
  return sum;
}

}  // namespace espnet
