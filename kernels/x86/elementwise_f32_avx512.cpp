// Per-channel element-wise kernels, AVX-512F: 16 lanes over each plane, unaligned full-vector
// loads and stores, the last partial vector of a chunk masked (nothing outside the tensors is read
// or written). PReLU is a masked multiply on the lanes below zero. Threads split (plane, chunk of
// 16K elements) jobs, only for tensors of at least kParallelMinElements.
// Compiled with AVX-512 flags: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX-512 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/elementwise_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 16;

__mmask16 lane_mask(int64_t count) {
  return count >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1u);
}

struct Chunk {
  int64_t plane_index, begin, end;
};

Chunk chunk_of(int64_t job, int64_t parts, int64_t plane) {
  const int64_t begin = (job % parts) * kElementwiseChunk;
  const int64_t end = begin + kElementwiseChunk < plane ? begin + kElementwiseChunk : plane;
  return {job / parts, begin, end};
}

__m512 prelu(__m512 v, __m512 slope) {
  return _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, slope);
}

template <bool kPrelu>
void scale_shift_range(float* d, int64_t begin, int64_t end, __m512 s, __m512 t, __m512 a) {
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    __m512 v = _mm512_fmadd_ps(_mm512_loadu_ps(d + i), s, t);
    if (kPrelu) v = prelu(v, a);
    _mm512_storeu_ps(d + i, v);
  }
  if (i < end) {
    const __mmask16 m = lane_mask(end - i);
    __m512 v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, d + i), s, t);
    if (kPrelu) v = prelu(v, a);
    _mm512_mask_storeu_ps(d + i, m, v);
  }
}

template <bool kPrelu>
void add_range(const float* x, const float* y, float* o, int64_t begin, int64_t end, __m512 a) {
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    __m512 v = _mm512_add_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
    if (kPrelu) v = prelu(v, a);
    _mm512_storeu_ps(o + i, v);
  }
  if (i < end) {
    const __mmask16 m = lane_mask(end - i);
    __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
    if (kPrelu) v = prelu(v, a);
    _mm512_mask_storeu_ps(o + i, m, v);
  }
}

}  // namespace

void scale_shift_prelu_f32_avx512(float* data, int batch, int channels, int64_t plane,
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
    const __m512 s = _mm512_set1_ps(scale ? scale[c] : 1.0f);
    const __m512 t = _mm512_set1_ps(shift ? shift[c] : 0.0f);
    float* d = data + ch.plane_index * plane;
    if (slopes)
      scale_shift_range<true>(d, ch.begin, ch.end, s, t, _mm512_set1_ps(slopes[c]));
    else
      scale_shift_range<false>(d, ch.begin, ch.end, s, t, s);
  }
}

void add_prelu_f32_avx512(const float* a, const float* b, float* out, int batch, int channels,
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
                      _mm512_set1_ps(slopes[ch.plane_index % channels]));
    else
      add_range<false>(a + offset, b + offset, out + offset, ch.begin, ch.end, _mm512_setzero_ps());
  }
}

void add_f32_avx512(const float* a, const float* b, float* out, int64_t count) {
  add_prelu_f32_avx512(a, b, out, 1, 1, count, nullptr);
}

}  // namespace espnet
