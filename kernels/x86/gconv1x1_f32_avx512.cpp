// gconv1x1_f32_avx512: grouped point-wise convolution, NCHW, AVX-512F (+FMA).
// Layout: input/output planes contiguous per channel, vectorised over pixels (16 lanes).
// Tile: up to 8 output channels x 2 vectors (32 pixels) = 16 zmm accumulators, summed over the
// group's input channels (weights broadcast from memory), then bias and PReLU in registers and
// one store. Output-channel tails use the same template with fewer rows; pixel tails use masked
// loads/stores, so nothing is read or written outside the tensors (no over-read).
// Threads split (batch, group, 256-pixel chunk); inside a chunk, each 32-pixel input tile (group
// inputs x 128 bytes) stays in L1 while all output-channel blocks of the group consume it.
// Compiled with AVX-512 flags: everything here stays in this file (anonymous namespace, no
// standard-library templates) so no AVX-512 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/conv_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 16;
constexpr int kTileRows = 8;
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

template <int kRows, int kVecs>
inline void tile_kernel(const GroupArgs& a, __mmask16 last_mask) {
  __m512 acc[kRows][kVecs];
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    const __m512 b = _mm512_set1_ps(a.bias ? a.bias[r] : 0.0f);
#pragma GCC unroll 16
    for (int v = 0; v < kVecs; ++v) acc[r][v] = b;
  }
  // The unroll pragmas and these locals keep the accumulators in registers: without them GCC 12
  // leaves the accumulator array in memory and stores all of it on every step.
  const float* const in = a.in;
  const float* const w = a.w;
  const int64_t plane = a.plane;
  const int cin = a.cin;
  for (int ci = 0; ci < cin; ++ci) {
    const float* src = in + ci * plane;
    __m512 x[kVecs];
#pragma GCC unroll 16
    for (int v = 0; v < kVecs; ++v)
      x[v] = v == kVecs - 1 ? _mm512_maskz_loadu_ps(last_mask, src + v * kLanes)
                            : _mm512_loadu_ps(src + v * kLanes);
    const float* wc = w + ci;
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
      const __m512 wv = _mm512_set1_ps(wc[r * cin]);
#pragma GCC unroll 16
      for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm512_fmadd_ps(wv, x[v], acc[r][v]);
    }
  }
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    float* dst = a.out + r * a.plane;
    const __m512 slope = _mm512_set1_ps(a.slope ? a.slope[r] : 1.0f);
#pragma GCC unroll 16
    for (int v = 0; v < kVecs; ++v) {
      __m512 y = acc[r][v];
      if (a.slope) y = _mm512_mask_mul_ps(y, _mm512_cmp_ps_mask(y, zero, _CMP_LT_OQ), y, slope);
      if (v == kVecs - 1)
        _mm512_mask_storeu_ps(dst + v * kLanes, last_mask, y);
      else
        _mm512_storeu_ps(dst + v * kLanes, y);
    }
  }
}

template <int kVecs>
void rows_kernel(int rows, const GroupArgs& a, __mmask16 last_mask) {
  switch (rows) {
    case 8:
      tile_kernel<8, kVecs>(a, last_mask);
      break;
    case 7:
      tile_kernel<7, kVecs>(a, last_mask);
      break;
    case 6:
      tile_kernel<6, kVecs>(a, last_mask);
      break;
    case 5:
      tile_kernel<5, kVecs>(a, last_mask);
      break;
    case 4:
      tile_kernel<4, kVecs>(a, last_mask);
      break;
    case 3:
      tile_kernel<3, kVecs>(a, last_mask);
      break;
    case 2:
      tile_kernel<2, kVecs>(a, last_mask);
      break;
    default:
      tile_kernel<1, kVecs>(a, last_mask);
      break;
  }
}

__mmask16 lane_mask(int64_t count) {
  return count >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1u);
}

}  // namespace

void gconv1x1_f32_avx512(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int64_t plane, const float* weight, const float* bias,
                         const float* slopes, float* output) {
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
    for (int64_t px = px_begin; px < px_end; px += kTilePixels) {
      const int64_t count = px_end - px < kTilePixels ? px_end - px : kTilePixels;
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
        if (count > kLanes)
          rows_kernel<2>(rows, a, lane_mask(count - kLanes));
        else
          rows_kernel<1>(rows, a, lane_mask(count));
      }
    }
  }
}

}  // namespace espnet
