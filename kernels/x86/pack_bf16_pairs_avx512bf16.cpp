// AVX-512 BF16 packing of fp32 activations into bf16 pair words (kernels/bf16_kernels.h): per 16
// pixels, vcvtne2ps2bf16 rounds both channels of a pair (32 bf16: the even channel's 16 below the
// odd one's), one vpermw interleaves them into 16 pair words. The last partial vector of a plane
// uses masked loads and stores: nothing outside the tensors is touched. Threads split planes of
// pairs when the tensor is large enough to pay for a team.
#include <immintrin.h>

#include "kernels/bf16_kernels.h"
#include "kernels/isa_local_math.h"

namespace espnet {
namespace {

constexpr int64_t kParallelMinFloats = 1 << 17;

inline __m512i interleave_index() {
  alignas(64) static const uint16_t index[32] = {0,  16, 1,  17, 2,  18, 3,  19, 4,  20, 5,
                                                 21, 6,  22, 7,  23, 8,  24, 9,  25, 10, 26,
                                                 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  return _mm512_load_si512(index);
}

inline void pack_plane(const float* even, const float* odd, int64_t plane, uint32_t* dst,
                       __m512i index) {
  int64_t p = 0;
  for (; p + 16 <= plane; p += 16) {
    const __m512 lo = _mm512_loadu_ps(even + p);
    const __m512 hi = odd ? _mm512_loadu_ps(odd + p) : _mm512_setzero_ps();
    const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
    _mm512_storeu_si512(dst + p, _mm512_permutexvar_epi16(index, both));
  }
  if (p < plane) {
    const __mmask16 m = static_cast<__mmask16>((1u << (plane - p)) - 1u);
    const __m512 lo = _mm512_maskz_loadu_ps(m, even + p);
    const __m512 hi = odd ? _mm512_maskz_loadu_ps(m, odd + p) : _mm512_setzero_ps();
    const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
    _mm512_mask_storeu_epi32(dst + p, m, _mm512_permutexvar_epi16(index, both));
  }
}

}  // namespace

void pack_bf16_pairs_avx512bf16(const float* input, int batch, int channels, int groups,
                                int64_t plane, uint32_t* packed) {
  const int cin = channels / groups, pairs = (cin + 1) / 2;
  const int64_t jobs = int64_t(batch) * groups * pairs;
  const __m512i index = interleave_index();
#pragma omp parallel for schedule(static) if (jobs * plane * 2 >= kParallelMinFloats && jobs > 1)
  for (int64_t job = 0; job < jobs; ++job) {
    const int k = static_cast<int>(job % pairs);
    const int64_t g = job / pairs % groups, n = job / (int64_t(pairs) * groups);
    const float* even = input + (n * channels + g * cin + 2 * k) * plane;
    const float* odd = 2 * k + 1 < cin ? even + plane : nullptr;
    pack_plane(even, odd, plane, packed + job * plane, index);
  }
}

}  // namespace espnet
