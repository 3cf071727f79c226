// Per-channel element-wise kernels, portable C++: one pass per element, the PReLU written as a
// select so that the compiler vectorises it (this file is built with -fno-trapping-math, which
// lets GCC compute slope * x for every element instead of branching on the sign; see
// kernels/elementwise_kernels.h). Threads split (plane, chunk of 16K elements) jobs, only for
// tensors of at least kParallelMinElements.
#include "kernels/elementwise_kernels.h"

namespace espnet {
namespace {

// Job `job` of a tensor split into `parts` chunks per plane: its plane and element range.
struct Chunk {
  int64_t plane_index, begin, end;
};

Chunk chunk_of(int64_t job, int64_t parts, int64_t plane) {
  const int64_t begin = (job % parts) * kElementwiseChunk;
  const int64_t end = begin + kElementwiseChunk < plane ? begin + kElementwiseChunk : plane;
  return {job / parts, begin, end};
}

}  // namespace

void scale_shift_prelu_f32_scalar(float* data, int batch, int channels, int64_t plane,
                                  const float* scale, const float* shift, const float* slopes) {
  if ((!scale && !shift && !slopes) || plane <= 0) return;
  const int64_t planes = int64_t(batch) * channels;
  const int64_t parts = (plane + kElementwiseChunk - 1) / kElementwiseChunk;
  const int64_t jobs = planes * parts;
#pragma omp parallel for schedule(static) if (double(planes) * double(plane) >= \
                                              kParallelMinElements)
  for (int64_t job = 0; job < jobs; ++job) {
    const Chunk ch = chunk_of(job, parts, plane);
    const int c = static_cast<int>(ch.plane_index % channels);
    const float s = scale ? scale[c] : 1.0f, t = shift ? shift[c] : 0.0f;
    float* d = data + ch.plane_index * plane;
    if (slopes) {
      const float a = slopes[c];
      for (int64_t i = ch.begin; i < ch.end; ++i) {
        const float v = d[i] * s + t;
        d[i] = v < 0.0f ? a * v : v;
      }
    } else {
      for (int64_t i = ch.begin; i < ch.end; ++i) d[i] = d[i] * s + t;
    }
  }
}

void add_prelu_f32_scalar(const float* a, const float* b, float* out, int batch, int channels,
                          int64_t plane, const float* slopes) {
  if (plane <= 0) return;
  const int64_t planes = int64_t(batch) * channels;
  const int64_t parts = (plane + kElementwiseChunk - 1) / kElementwiseChunk;
  const int64_t jobs = planes * parts;
#pragma omp parallel for schedule(static) if (double(planes) * double(plane) >= \
                                              kParallelMinElements)
  for (int64_t job = 0; job < jobs; ++job) {
    const Chunk ch = chunk_of(job, parts, plane);
    const int64_t offset = ch.plane_index * plane;
    const float* x = a + offset;
    const float* y = b + offset;
    float* o = out + offset;
    if (slopes) {
      const float s = slopes[ch.plane_index % channels];
      for (int64_t i = ch.begin; i < ch.end; ++i) {
        const float v = x[i] + y[i];
        o[i] = v < 0.0f ? s * v : v;
      }
    } else {
      for (int64_t i = ch.begin; i < ch.end; ++i) o[i] = x[i] + y[i];
    }
  }
}

void add_f32_scalar(const float* a, const float* b, float* out, int64_t count) {
  add_prelu_f32_scalar(a, b, out, 1, 1, count, nullptr);
}

}  // namespace espnet
