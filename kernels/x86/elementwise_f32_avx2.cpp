// Per-channel element-wise kernels, AVX2 + FMA: 8 lanes over each plane, unaligned full-vector
// loads and stores, the last partial vector of a chunk masked with vmaskmov (nothing outside the
// tensors is read or written). PReLU selects slope * x by the sign bit (vblendvps). Threads split
// (plane, chunk of 16K elements) jobs, only for tensors of at least kParallelMinElements. Compiled
// with -mavx2 -mfma: everything stays in this file (anonymous namespace, no standard-library
// templates) so no AVX2 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/elementwise_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 8;

__m256i lane_mask(int64_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

struct Chunk {
  int64_t plane_index, begin, end;
};

Chunk chunk_of(int64_t job, int64_t parts, int64_t plane) {
  const int64_t begin = (job % parts) * kElementwiseChunk;
  const int64_t end = begin + kElementwiseChunk < plane ? begin + kElementwiseChunk : plane;
  return {job / parts, begin, end};
}

// Lanes with the sign bit set take slope * v (a negative zero gives +-0, equal to the reference).
__m256 prelu(__m256 v, __m256 slope) {
  return _mm256_blendv_ps(v, _mm256_mul_ps(v, slope), v);
}

template <bool kPrelu>
void scale_shift_range(float* d, int64_t begin, int64_t end, __m256 s, __m256 t, __m256 a) {
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    __m256 v = _mm256_fmadd_ps(_mm256_loadu_ps(d + i), s, t);
    if (kPrelu) v = prelu(v, a);
    _mm256_storeu_ps(d + i, v);
  }
  if (i < end) {
    const __m256i m = lane_mask(end - i);
    __m256 v = _mm256_fmadd_ps(_mm256_maskload_ps(d + i, m), s, t);
    if (kPrelu) v = prelu(v, a);
    _mm256_maskstore_ps(d + i, m, v);
  }
}

template <bool kPrelu>
void add_range(const float* x, const float* y, float* o, int64_t begin, int64_t end, __m256 a) {
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    __m256 v = _mm256_add_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
    if (kPrelu) v = prelu(v, a);
    _mm256_storeu_ps(o + i, v);
  }
  if (i < end) {
    const __m256i m = lane_mask(end - i);
    __m256 v = _mm256_add_ps(_mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m));
    if (kPrelu) v = prelu(v, a);
    _mm256_maskstore_ps(o + i, m, v);
  }
}

}  // namespace

void scale_shift_prelu_f32_avx2(float* data, int batch, int channels, int64_t plane,
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
    const __m256 s = _mm256_set1_ps(scale ? scale[c] : 1.0f);
    const __m256 t = _mm256_set1_ps(shift ? shift[c] : 0.0f);
    float* d = data + ch.plane_index * plane;
    if (slopes)
      scale_shift_range<true>(d, ch.begin, ch.end, s, t, _mm256_set1_ps(slopes[c]));
    else
      scale_shift_range<false>(d, ch.begin, ch.end, s, t, s);
  }
}

void add_prelu_f32_avx2(const float* a, const float* b, float* out, int batch, int channels,
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
    if (slopes)
      add_range<true>(a + offset, b + offset, out + offset, ch.begin, ch.end,
                      _mm256_set1_ps(slopes[ch.plane_index % channels]));
    else
      add_range<false>(a + offset, b + offset, out + offset, ch.begin, ch.end, _mm256_setzero_ps());
  }
}

void add_f32_avx2(const float* a, const float* b, float* out, int64_t count) {
  add_prelu_f32_avx2(a, b, out, 1, 1, count, nullptr);
}

}  // namespace espnet
