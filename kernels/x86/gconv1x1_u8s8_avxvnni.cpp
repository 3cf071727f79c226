// AVX-VNNI (the 256-bit, VEX-encoded vpdpbusd of CPUs that have it without AVX-512 VNNI, and of
// those that have both) grouped point-wise convolution over u8 activation quads and s8 weight
// quads (kernels/int8_kernels.h): the same arithmetic as gconv1x1_u8s8_avx512vnni on 8-lane
// vectors. Register tiles of 6 output channels x 16 pixels (12 int32 accumulators, two input
// vectors and a weight broadcast: 15 of the 16 ymm registers), started from each channel's
// compensation; the epilogue applies scale, bias, addend and PReLU with the operations and
// order of gconv1x1_u8s8_ref (bit-identical). Partial pixel tiles use masked loads and stores.
#include <immintrin.h>

#include "kernels/conv_kernels.h"
#include "kernels/int8_kernels.h"
#include "kernels/isa_local_math.h"

namespace espnet {
namespace {

constexpr int kWidth = 8;
constexpr int kTileRows = 6;
constexpr int64_t kChunkPixels = 256;

struct TileArgs {
  const uint32_t* in;  // the group's first quad, the tile's first pixel
  int64_t plane;
  int quads;
  const uint32_t* w;  // the tile's first output channel's quads
  const int32_t* compensation;
  const float* scale;
  const float* bias;   // or null
  const float* slope;  // or null
  const float* add;    // addend at the tile's first channel and pixel, or null
  float* out;
};

// All-ones lanes for the first `count` (clamped to 0..8) of 8.
inline __m256i lanes(int64_t count) {
  const int n = count >= kWidth ? kWidth : count <= 0 ? 0 : static_cast<int>(count);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <int kRows>
inline void tile(const TileArgs& a, __m256i m0, __m256i m1) {
  __m256i acc[kRows][2];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm256_set1_epi32(a.compensation[r]);
  const uint32_t* const in = a.in;
  const int64_t plane = a.plane;
  for (int k = 0; k < a.quads; ++k) {
    const int* src = reinterpret_cast<const int*>(in + k * plane);
    const __m256i x0 = _mm256_maskload_epi32(src, m0);
    const __m256i x1 = _mm256_maskload_epi32(src + kWidth, m1);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      const __m256i w = _mm256_set1_epi32(static_cast<int>(a.w[r * a.quads + k]));
      acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], x0, w);
      acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], x1, w);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
    const __m256 scale = _mm256_set1_ps(a.scale[r]);
    const __m256 bias = _mm256_set1_ps(a.bias ? a.bias[r] : 0.0f);
    for (int v = 0; v < 2; ++v) {
      const __m256i m = v ? m1 : m0;
      __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[r][v]), scale, bias);
      if (a.add) y = _mm256_add_ps(y, _mm256_maskload_ps(a.add + r * plane + v * kWidth, m));
      if (a.slope) {
        const __m256 negative = _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_LT_OQ);
        y = _mm256_blendv_ps(y, _mm256_mul_ps(y, _mm256_set1_ps(a.slope[r])), negative);
      }
      _mm256_maskstore_ps(a.out + r * plane + v * kWidth, m, y);
    }
  }
}

template <int kRows>
inline void rows_tile(int rows, const TileArgs& a, __m256i m0, __m256i m1) {
  if constexpr (kRows > 1) {
    if (rows < kRows) return rows_tile<kRows - 1>(rows, a, m0, m1);
  }
  tile<kRows>(a, m0, m1);
}

}  // namespace

void gconv1x1_u8s8_avxvnni(const uint32_t* input, int batch, int quads_per_group, int out_channels,
                           int groups, int64_t plane, const uint32_t* weight,
                           const int32_t* compensation, const float* scale, const float* bias,
                           const float* slopes, const float* addend, float* output) {
  const int cout = out_channels / groups;
  const int64_t chunks = ceil_div_i64(plane, kChunkPixels);
  const int64_t jobs = int64_t(batch) * groups * chunks;
  const double macs = double(batch) * out_channels * double(plane) * quads_per_group * 4;
#pragma omp parallel for schedule(static) if (macs >= 4 * kParallelMinMacsPointwise)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t chunk = job % chunks;
    const int g = static_cast<int>(job / chunks % groups);
    const int64_t n = job / (chunks * groups);
    const int64_t px_end = min_i64(plane, (chunk + 1) * kChunkPixels);
    const uint32_t* in_g = input + (n * groups + g) * quads_per_group * plane;
    for (int64_t px = chunk * kChunkPixels; px < px_end; px += 2 * kWidth) {
      const __m256i m0 = lanes(px_end - px), m1 = lanes(px_end - px - kWidth);
      for (int co = 0; co < cout; co += kTileRows) {
        const int oc = g * cout + co;
        const int64_t o = (n * out_channels + oc) * plane + px;
        const TileArgs a{in_g + px,
                         plane,
                         quads_per_group,
                         weight + int64_t(oc) * quads_per_group,
                         compensation + oc,
                         scale + oc,
                         bias ? bias + oc : nullptr,
                         slopes ? slopes + oc : nullptr,
                         addend ? addend + o : nullptr,
                         output + o};
        rows_tile<kTileRows>(static_cast<int>(min_i64(cout - co, kTileRows)), a, m0, m1);
      }
    }
  }
}

}  // namespace espnet
