// AVX-512 VNNI grouped point-wise convolution over u8 activation quads and s8 weight quads
// (kernels/int8_kernels.h): vpdpbusd adds four byte products per 32-bit lane to an int32
// accumulator, so one instruction does 64 multiply-adds. Register tiles of 8 output channels x
// 32 pixels (16 int32 accumulators), started from each channel's compensation; the epilogue
// converts to float and applies scale, bias, addend and PReLU in registers (the same operations,
// in the same order, as gconv1x1_u8s8_ref: results are bit-identical). The epilogue is not the
// fp32 kernel's (gconv1x1_impl.inc), hence a loop of its own. Partial pixel tiles use masked
// loads and stores: nothing outside the tensors is touched. Threads split (image, group, pixel
// chunk).
#include <immintrin.h>

#include "kernels/conv_kernels.h"
#include "kernels/int8_kernels.h"
#include "kernels/isa_local_math.h"

namespace espnet {
namespace {

constexpr int kWidth = 16;
constexpr int kTileRows = 8;
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

inline __mmask16 lanes(int64_t count) {
  return count >= kWidth ? __mmask16(0xFFFF)
         : count <= 0    ? __mmask16(0)
                         : __mmask16((1u << count) - 1u);
}

template <int kRows>
inline void tile(const TileArgs& a, __mmask16 m0, __mmask16 m1) {
  __m512i acc[kRows][2];
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm512_set1_epi32(a.compensation[r]);
  const uint32_t* const in = a.in;
  const int64_t plane = a.plane;
  for (int k = 0; k < a.quads; ++k) {
    const uint32_t* src = in + k * plane;
    const __m512i x0 = _mm512_maskz_loadu_epi32(m0, src);
    const __m512i x1 = _mm512_maskz_loadu_epi32(m1, src + kWidth);
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const __m512i w = _mm512_set1_epi32(static_cast<int>(a.w[r * a.quads + k]));
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x0, w);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x1, w);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) {
    const __m512 scale = _mm512_set1_ps(a.scale[r]);
    const __m512 bias = _mm512_set1_ps(a.bias ? a.bias[r] : 0.0f);
    for (int v = 0; v < 2; ++v) {
      const __mmask16 m = v ? m1 : m0;
      __m512 y = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[r][v]), scale, bias);
      if (a.add) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, a.add + r * plane + v * kWidth));
      if (a.slope)
        y = _mm512_mask_mul_ps(y, _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_LT_OQ), y,
                               _mm512_set1_ps(a.slope[r]));
      _mm512_mask_storeu_ps(a.out + r * plane + v * kWidth, m, y);
    }
  }
}

template <int kRows>
inline void rows_tile(int rows, const TileArgs& a, __mmask16 m0, __mmask16 m1) {
  if constexpr (kRows > 1) {
    if (rows < kRows) return rows_tile<kRows - 1>(rows, a, m0, m1);
  }
  tile<kRows>(a, m0, m1);
}

}  // namespace

void gconv1x1_u8s8_avx512vnni(const uint32_t* input, int batch, int quads_per_group,
                              int out_channels, int groups, int64_t plane, const uint32_t* weight,
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
      const __mmask16 m0 = lanes(px_end - px), m1 = lanes(px_end - px - kWidth);
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
