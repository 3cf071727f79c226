#include "kernels/conv_kernels.h"

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
