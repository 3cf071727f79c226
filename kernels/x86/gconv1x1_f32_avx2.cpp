// gconv1x1_f32_avx2: grouped point-wise convolution, NCHW, AVX2 + FMA.
// Layout: input/output planes contiguous per channel, vectorised over pixels (8 lanes).
// Tile: up to 6 output channels x 2 vectors (16 pixels) = 12 ymm accumulators (+2 inputs and a
// broadcast weight: 15 of the 16 registers), summed over the group's input channels, then bias
// and PReLU in registers and one store. Output-channel tails use the same template with fewer
// rows; the last partial pixel tile uses vmaskmov loads/stores (full tiles use plain ones), so
// nothing outside the tensors is read or written (no over-read).
// Threads split (batch, group, 256-pixel chunk), as in the AVX-512 variant.
// Compiled with -mavx2 -mfma: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX2 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/conv_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 8;
constexpr int kTileRows = 6;
constexpr int kTileVecs = 2;
constexpr int kTilePixels = kLanes * kTileVecs;
constexpr int64_t kChunkPixels = 256;

struct GroupArgs {
  const float* in;     // first input channel of the group, first pixel of the tile
  int64_t plane;       // channel stride in floats
  int cin;             // input channels per group
  const float* w;      // weight row of the tile's first output channel
  const float* bias;   // bias of the first output channel, or null
  const float* slope;  // PReLU slope of the first output channel, or null
  float* out;          // output of the first output channel, first pixel of the tile
};

// kMasked: the tile's pixels are given per vector by masks[v] (a partial tile).
template <int kRows, bool kMasked>
inline void tile_kernel(const GroupArgs& a, const __m256i* masks) {
  __m256 acc[kRows][kTileVecs];
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    const __m256 b = _mm256_set1_ps(a.bias ? a.bias[r] : 0.0f);
#pragma GCC unroll 16
    for (int v = 0; v < kTileVecs; ++v) acc[r][v] = b;
  }
  // The unroll pragmas and these locals keep the accumulators in registers: without them GCC 12
  // leaves the accumulator array in memory and stores all of it on every step.
  const float* const in = a.in;
  const float* const w = a.w;
  const int64_t plane = a.plane;
  const int cin = a.cin;
  for (int ci = 0; ci < cin; ++ci) {
    const float* src = in + ci * plane;
    __m256 x[kTileVecs];
#pragma GCC unroll 16
    for (int v = 0; v < kTileVecs; ++v)
      x[v] = kMasked ? _mm256_maskload_ps(src + v * kLanes, masks[v])
                     : _mm256_loadu_ps(src + v * kLanes);
    const float* wc = w + ci;
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
      const __m256 wv = _mm256_broadcast_ss(wc + r * cin);
#pragma GCC unroll 16
      for (int v = 0; v < kTileVecs; ++v) acc[r][v] = _mm256_fmadd_ps(wv, x[v], acc[r][v]);
    }
  }
  const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    float* dst = a.out + r * a.plane;
    const __m256 slope = _mm256_set1_ps(a.slope ? a.slope[r] : 1.0f);
#pragma GCC unroll 16
    for (int v = 0; v < kTileVecs; ++v) {
      __m256 y = acc[r][v];
      if (a.slope)
        y = _mm256_blendv_ps(y, _mm256_mul_ps(y, slope), _mm256_cmp_ps(y, zero, _CMP_LT_OQ));
      if (kMasked)
        _mm256_maskstore_ps(dst + v * kLanes, masks[v], y);
      else
        _mm256_storeu_ps(dst + v * kLanes, y);
    }
  }
}

template <bool kMasked>
void rows_kernel(int rows, const GroupArgs& a, const __m256i* masks) {
  switch (rows) {
    case 6:
      tile_kernel<6, kMasked>(a, masks);
      break;
    case 5:
      tile_kernel<5, kMasked>(a, masks);
      break;
    case 4:
      tile_kernel<4, kMasked>(a, masks);
      break;
    case 3:
      tile_kernel<3, kMasked>(a, masks);
      break;
    case 2:
      tile_kernel<2, kMasked>(a, masks);
      break;
    default:
      tile_kernel<1, kMasked>(a, masks);
      break;
  }
}

}  // namespace

void gconv1x1_f32_avx2(const float* input, int batch, int in_channels, int out_channels, int groups,
                       int64_t plane, const float* weight, const float* bias, const float* slopes,
                       float* output) {
  const int cin = in_channels / groups;
  const int cout = out_channels / groups;
  const int64_t chunks = (plane + kChunkPixels - 1) / kChunkPixels;
  const int64_t jobs = int64_t(batch) * groups * chunks;
  const double macs = double(batch) * out_channels * double(plane) * cin;
#pragma omp parallel for schedule(static) if (macs >= kParallelMinMacsPointwise)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / (int64_t(groups) * chunks);
    const int g = static_cast<int>(job / chunks % groups);
    const int64_t px_begin = job % chunks * kChunkPixels;
    const int64_t px_end = px_begin + kChunkPixels < plane ? px_begin + kChunkPixels : plane;
    const float* in_g = input + (n * in_channels + int64_t(g) * cin) * plane;
    float* out_g = output + (n * out_channels + int64_t(g) * cout) * plane;
    const __m256i lane_index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int64_t px = px_begin; px < px_end; px += kTilePixels) {
      const int count = static_cast<int>(px_end - px < kTilePixels ? px_end - px : kTilePixels);
      __m256i masks[kTileVecs];
      for (int v = 0; v < kTileVecs; ++v)
        masks[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(count - v * kLanes), lane_index);
      for (int co = 0; co < cout; co += kTileRows) {
        const int oc = g * cout + co;
        const GroupArgs a{in_g + px,
                          plane,
                          cin,
                          weight + int64_t(oc) * cin,
                          bias ? bias + oc : nullptr,
                          slopes ? slopes + oc : nullptr,
                          out_g + int64_t(co) * plane + px};
        const int rows = cout - co < kTileRows ? cout - co : kTileRows;
        if (count == kTilePixels)
          rows_kernel<false>(rows, a, masks);
        else
          rows_kernel<true>(rows, a, masks);
      }
    }
  }
}

}  // namespace espnet
