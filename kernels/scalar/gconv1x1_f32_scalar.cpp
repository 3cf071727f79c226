// gconv1x1_f32_scalar: grouped point-wise convolution, NCHW, portable C++ (no intrinsics; the
// compiler may auto-vectorise with the baseline ISA). One output plane per job: fill with the
// bias (plus the addend, if any), add weight * input plane for each of the group's input channels,
// then PReLU. Reads and writes exactly the tensors' extents (no over-read, no tails).
#include "kernels/conv_kernels.h"

namespace espnet {

void gconv1x1_f32_scalar(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int64_t plane, const float* weight, const float* bias,
                         const float* slopes, const float* addend, float* output) {
  const int cin_per_group = in_channels / groups;
  const int cout_per_group = out_channels / groups;
  const int64_t jobs = int64_t(batch) * out_channels;
  const double macs = double(jobs) * double(plane) * cin_per_group;
#pragma omp parallel for schedule(static) if (macs >= kParallelMinMacsPointwise)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / out_channels;
    const int co = static_cast<int>(job % out_channels);
    const int group = co / cout_per_group;
    const float* in = input + (n * in_channels + int64_t(group) * cin_per_group) * plane;
    const float* w = weight + int64_t(co) * cin_per_group;
    float* out = output + job * plane;
    const float b = bias ? bias[co] : 0.0f;
    // The addend is taken first, so it may be the output itself (read before overwritten).
    const float* add = addend ? addend + job * plane : nullptr;
    if (add)
      for (int64_t i = 0; i < plane; ++i) out[i] = b + add[i];
    else
      for (int64_t i = 0; i < plane; ++i) out[i] = b;
    for (int ci = 0; ci < cin_per_group; ++ci) {
      const float wv = w[ci];
      const float* src = in + ci * plane;
      for (int64_t i = 0; i < plane; ++i) out[i] += wv * src[i];
    }
    if (slopes) {
      const float a = slopes[co];
      for (int64_t i = 0; i < plane; ++i) out[i] = out[i] < 0.0f ? a * out[i] : out[i];
    }
  }
}

}  // namespace espnet
