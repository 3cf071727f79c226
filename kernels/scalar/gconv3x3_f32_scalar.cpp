// gconv3x3_f32_scalar: grouped 3x3 convolution, padding 1, dilation 1, stride 1 or 2, NCHW,
// portable C++. Per output row of one output channel: the row starts at the bias, every input
// channel of the group and every tap inside the image adds w * input over the columns whose tap
// lies inside the row (the padding is never read nor materialised), then the PReLU. The row
// stays in L1 while the group's inputs stream past; the compiler may vectorise stride 1.
// Threads split (image, output channel, block of rows) jobs above kParallelMinMacsConv3x3.
#include "kernels/conv_kernels.h"

namespace espnet {
namespace {

constexpr int64_t kPixelsPerJob = 8192;

}  // namespace

void gconv3x3_f32_scalar(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int in_h, int in_w, int stride, const float* weight,
                         const float* bias, const float* slopes, float* output) {
  const int out_h = (in_h - 1) / stride + 1, out_w = (in_w - 1) / stride + 1;
  const int cin = in_channels / groups, cout = out_channels / groups;
  const int64_t in_plane = int64_t(in_h) * in_w, out_plane = int64_t(out_h) * out_w;
  // Tap kx reads column x * stride + kx - 1: inside the row for x in [x_begin[kx], x_end[kx]).
  int x_begin[3], x_end[3];
  for (int kx = 0; kx < 3; ++kx) {
    const int dx = kx - 1;
    x_begin[kx] = dx < 0 ? 1 : 0;
    const int end = in_w - 1 - dx >= 0 ? (in_w - 1 - dx) / stride + 1 : 0;
    x_end[kx] = end < out_w ? end : out_w;
    if (x_end[kx] < x_begin[kx]) x_end[kx] = x_begin[kx];
  }
  const int64_t planes = int64_t(batch) * out_channels;
  const double macs = 9.0 * cin * double(planes) * double(out_plane);
  const bool parallel = macs >= kParallelMinMacsConv3x3;
  const int rows_per_job = espnet::rows_per_job(out_h, out_w, kPixelsPerJob, planes, parallel);
  const int64_t row_blocks = (out_h + rows_per_job - 1) / rows_per_job;
  const int64_t jobs = planes * row_blocks;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t p = job / row_blocks;
    const int n = static_cast<int>(p / out_channels), co = static_cast<int>(p % out_channels);
    const int g = co / cout;
    const float* in = input + (int64_t(n) * in_channels + int64_t(g) * cin) * in_plane;
    const float* w = weight + int64_t(co) * cin * 9;
    const float b = bias ? bias[co] : 0.0f;
    const int y_begin = static_cast<int>(job % row_blocks) * rows_per_job;
    const int y_end = y_begin + rows_per_job < out_h ? y_begin + rows_per_job : out_h;
    for (int y = y_begin; y < y_end; ++y) {
      float* out_row = output + p * out_plane + int64_t(y) * out_w;
      for (int x = 0; x < out_w; ++x) out_row[x] = b;
      for (int ci = 0; ci < cin; ++ci) {
        for (int ky = 0; ky < 3; ++ky) {
          const int iy = y * stride + ky - 1;
          if (iy < 0 || iy >= in_h) continue;
          const float* row = in + ci * in_plane + int64_t(iy) * in_w;
          for (int kx = 0; kx < 3; ++kx) {
            const float wv = w[(ci * 3 + ky) * 3 + kx];
            const int dx = kx - 1;
            if (stride == 1) {
              for (int x = x_begin[kx]; x < x_end[kx]; ++x) out_row[x] += wv * row[x + dx];
            } else {
              for (int x = x_begin[kx]; x < x_end[kx]; ++x) out_row[x] += wv * row[2 * x + dx];
            }
          }
        }
      }
      if (slopes) {
        const float a = slopes[co];
        for (int x = 0; x < out_w; ++x)
          out_row[x] = out_row[x] < 0.0f ? a * out_row[x] : out_row[x];
      }
    }
  }
}

}  // namespace espnet
