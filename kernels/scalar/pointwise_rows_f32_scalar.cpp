// pointwise_rows_f32_scalar: the pixel-major point-wise convolution (PointwiseRowsFn) in portable
// C++. Per pixel: the row starts as the bias, then gains input * weight for each input channel;
// the packed weight's channels are contiguous, so the inner loop over output channels
// auto-vectorises. Writes exactly out_channels floats per row.
#include "kernels/conv_kernels.h"

namespace espnet {

void pointwise_rows_f32_scalar(const float* input, int batch, int in_channels, int64_t plane,
                               const float* packed_weight, int out_channels, const float* bias,
                               float* output, int64_t row_stride, int64_t batch_stride) {
  const int64_t ldw = pointwise_rows_stride(out_channels);
  const int64_t jobs = int64_t(batch) * plane;
  const double macs = double(jobs) * in_channels * out_channels;
#pragma omp parallel for schedule(static) if (macs >= kParallelMinMacsPointwise)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / plane, p = job % plane;
    float* row = output + n * batch_stride + p * row_stride;
    for (int co = 0; co < out_channels; ++co) row[co] = bias ? bias[co] : 0.0f;
    const float* in = input + n * in_channels * plane + p;
    for (int ci = 0; ci < in_channels; ++ci) {
      const float x = in[ci * plane];
      const float* w = packed_weight + ci * ldw;
      for (int co = 0; co < out_channels; ++co) row[co] += x * w[co];
    }
  }
}

}  // namespace espnet
