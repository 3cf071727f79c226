// AVX-512 quantization of fp32 activations into u8 quads (kernels/int8_kernels.h): per 16 pixels
// and 4 channels, multiply by the channel's inverse scale, round to nearest even (vcvtps2dq under
// the default rounding mode, which run() keeps; the product is first clamped to +-1e6, NaN to
// -1e6), add the channel's zero point, clamp to [0, 255] and merge the four bytes into one word
// per pixel. The same float operations as pack_u8_quads_ref: bit-identical.
// The last partial vector of a plane uses masked loads and stores. The same pass flags values
// outside the layer's guard range (compares on the loaded vectors: no second read).
#include <immintrin.h>

#include "kernels/int8_kernels.h"

namespace espnet {
namespace {

inline __m512i quantize(__m512 value, __m512 inverse, __m512i zero_point) {
  // Clamped to +-1e6 before the conversion, as the reference does, so that only NaN converts
  // to INT_MIN; the zero point then cannot overflow.
  const __m512 x = _mm512_min_ps(
      _mm512_max_ps(_mm512_mul_ps(value, inverse), _mm512_set1_ps(-1e6f)), _mm512_set1_ps(1e6f));
  const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(x), zero_point);
  return _mm512_min_epi32(_mm512_max_epi32(q, _mm512_setzero_si512()), _mm512_set1_epi32(255));
}

}  // namespace

bool pack_u8_quads_avx512(const float* input, int batch, int channels, int groups, int64_t plane,
                          const float* inverse_scale, const int32_t* zero_point, float guard_low,
                          float guard_high, uint32_t* packed) {
  const int cin = channels / groups, quads = (cin + 3) / 4;
  const int64_t jobs = int64_t(batch) * groups * quads;
  const __m512 low = _mm512_set1_ps(guard_low), high = _mm512_set1_ps(guard_high);
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
    __m512 inverse[4];
    __m512i zero[4];
    for (int j = 0; j < present; ++j) {
      inverse[j] = _mm512_set1_ps(inverse_scale[channel + j]);
      zero[j] = _mm512_set1_epi32(zero_point[channel + j]);
    }
    uint32_t* dst = packed + job * plane;
    __mmask16 beyond = 0;  // lanes with a value outside the guard (ordered compares: NaN is not)
    for (int64_t p = 0; p < plane; p += 16) {
      const __mmask16 m = plane - p >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (plane - p)) - 1u);
      __m512i word = _mm512_setzero_si512();
      for (int j = 0; j < present; ++j) {  // a padding channel's byte is 0 (its weights are 0)
        const __m512 x = _mm512_maskz_loadu_ps(m, first + j * plane + p);
        beyond |= _mm512_mask_cmp_ps_mask(m, x, low, _CMP_LT_OQ) |
                  _mm512_mask_cmp_ps_mask(m, x, high, _CMP_GT_OQ);
        const __m512i byte = quantize(x, inverse[j], zero[j]);
        word = _mm512_or_si512(word, _mm512_slli_epi32(byte, 8 * j));
      }
      _mm512_mask_storeu_epi32(dst + p, m, word);
    }
    outside |= beyond != 0;
  }
  return !outside;
}

}  // namespace espnet
