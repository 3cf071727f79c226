// AVX2 quantization of fp32 activations into u8 quads (kernels/int8_kernels.h), for the AVX-VNNI
// kernel: pack_u8_quads_avx512 on 8-lane vectors, with the same float operations (bit-identical
// to pack_u8_quads_ref) and the same guard flag. Partial vectors use masked loads and stores.
#include <immintrin.h>

#include "kernels/int8_kernels.h"

namespace espnet {
namespace {

inline __m256i quantize(__m256 value, __m256 inverse, __m256i zero_point) {
  // Clamped to +-1e6 before the conversion, as the reference does (max/min return their second
  // operand for NaN, so NaN becomes -1e6 and then byte 0).
  const __m256 x = _mm256_min_ps(
      _mm256_max_ps(_mm256_mul_ps(value, inverse), _mm256_set1_ps(-1e6f)), _mm256_set1_ps(1e6f));
  const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(x), zero_point);
  return _mm256_min_epi32(_mm256_max_epi32(q, _mm256_setzero_si256()), _mm256_set1_epi32(255));
}

inline __m256i lanes(int64_t count) {
  const int n = count >= 8 ? 8 : static_cast<int>(count);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace

bool pack_u8_quads_avx2(const float* input, int batch, int channels, int groups, int64_t plane,
                        const float* inverse_scale, const int32_t* zero_point, float guard_low,
                        float guard_high, uint32_t* packed) {
  const int cin = channels / groups, quads = (cin + 3) / 4;
  const int64_t jobs = int64_t(batch) * groups * quads;
  const __m256 low = _mm256_set1_ps(guard_low), high = _mm256_set1_ps(guard_high);
  int outside = 0;
#pragma omp parallel for schedule(static) \
    reduction(|                           \
              : outside) if (jobs * plane * 4 >= (1 << 17) && jobs > 1)
  for (int64_t job = 0; job < jobs; ++job) {
    const int k = static_cast<int>(job % quads);
    const int64_t g = job / quads % groups, n = job / (int64_t(quads) * groups);
    const float* first = input + (n * channels + g * cin + 4 * k) * plane;
    const int present = cin - 4 * k < 4 ? cin - 4 * k : 4;
    const int64_t channel = g * cin + 4 * k;
    __m256 inverse[4];
    __m256i zero[4];
    for (int j = 0; j < present; ++j) {
      inverse[j] = _mm256_set1_ps(inverse_scale[channel + j]);
      zero[j] = _mm256_set1_epi32(zero_point[channel + j]);
    }
    uint32_t* dst = packed + job * plane;
    __m256 beyond = _mm256_setzero_ps();  // lanes with a value outside the guard
    for (int64_t p = 0; p < plane; p += 8) {
      const __m256i m = lanes(plane - p);
      __m256i word = _mm256_setzero_si256();
      for (int j = 0; j < present; ++j) {  // a padding channel's byte is 0 (its weights are 0)
        const __m256 x = _mm256_maskload_ps(first + j * plane + p, m);
        const __m256 out =
            _mm256_or_ps(_mm256_cmp_ps(x, low, _CMP_LT_OQ), _mm256_cmp_ps(x, high, _CMP_GT_OQ));
        beyond = _mm256_or_ps(beyond, _mm256_and_ps(out, _mm256_castsi256_ps(m)));
        word = _mm256_or_si256(word, _mm256_slli_epi32(quantize(x, inverse[j], zero[j]), 8 * j));
      }
      _mm256_maskstore_epi32(reinterpret_cast<int*>(dst + p), m, word);
    }
    outside |= _mm256_movemask_ps(beyond) != 0;
  }
  return !outside;
}

}  // namespace espnet
