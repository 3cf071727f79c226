// ARMv8.2 dot-product (sdot) grouped point-wise convolution over u8 activation quads and s8
// weight quads (kernels/int8_kernels.h): the arithmetic of gconv1x1_u8s8_ref, exact in int32.
//
// sdot multiplies signed bytes by signed bytes, and the activations are unsigned: each byte u is
// fed as u - 128 (its top bit flipped), and the sum gets back 128 * sum(qw) of its row,
//   sum qw * u = sum qw * (u - 128) + 128 * sum qw,
// so every accumulator starts from compensation[co] + 128 * sum(qw[co]) (exact: |sum qw| <=
// 127 * 4 * quads). Register tiles of 4 output channels x 16 pixels (16 int32x4 accumulators,
// 4 input vectors, 4 weight vectors of 4 quads each, used lane by lane: 24 of the 32 registers);
// then tiles of 4 pixels, and the last 1-3 pixels of a row one at a time. The epilogue applies
// scale, bias, addend and PReLU with the operations and order of the reference (bit-identical).
#include <arm_neon.h>

#include "kernels/conv_kernels.h"
#include "kernels/int8_kernels.h"
#include "kernels/isa_local_math.h"

namespace espnet {
namespace {

constexpr int kTileRows = 4;
constexpr int64_t kChunkPixels = 256;

struct RowArgs {
  const uint32_t* in;  // the group's first quad, at pixel 0 of the chunk's plane
  int64_t plane;
  int quads;
  const uint32_t* w;  // the first row's quads
  const float* scale;
  const float* bias;         // or null
  const float* slope;        // or null
  const float* add;          // addend at the first row, pixel 0, or null
  float* out;                // output at the first row, pixel 0
  int32_t start[kTileRows];  // compensation + 128 * sum(qw), per row
};

// u - 128 as signed bytes, four pixels' quads.
inline int8x16_t load_signed(const uint32_t* words) {
  return vreinterpretq_s8_u8(
      veorq_u8(vld1q_u8(reinterpret_cast<const uint8_t*>(words)), vdupq_n_u8(0x80)));
}

inline void store_row(const RowArgs& a, int r, int64_t px, int32x4_t acc) {
  const float32x4_t scale = vdupq_n_f32(a.scale[r]);
  const float32x4_t bias = vdupq_n_f32(a.bias ? a.bias[r] : 0.0f);
  float32x4_t y = vfmaq_f32(bias, vcvtq_f32_s32(acc), scale);  // fma(acc, scale, bias)
  if (a.add) y = vaddq_f32(y, vld1q_f32(a.add + r * a.plane + px));
  if (a.slope) {
    const uint32x4_t negative = vcltq_f32(y, vdupq_n_f32(0.0f));
    y = vbslq_f32(negative, vmulq_f32(y, vdupq_n_f32(a.slope[r])), y);
  }
  vst1q_f32(a.out + r * a.plane + px, y);
}

// kRows rows x kVectors * 4 pixels from pixel px.
template <int kRows, int kVectors>
inline void tile(const RowArgs& a, int64_t px) {
  int32x4_t acc[kRows][kVectors];
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < kVectors; ++v) acc[r][v] = vdupq_n_s32(a.start[r]);
  const uint32_t* in = a.in + px;
  const int64_t plane = a.plane;
  int k = 0;
  for (; k + 4 <= a.quads; k += 4) {
    int8x16_t w[kRows];
    for (int r = 0; r < kRows; ++r)
      w[r] = vreinterpretq_s8_u32(vld1q_u32(a.w + int64_t(r) * a.quads + k));
#define ESPNET_DOT_LANE(lane)                                                                      \
  {                                                                                                \
    int8x16_t x[kVectors];                                                                         \
    for (int v = 0; v < kVectors; ++v) x[v] = load_signed(in + (k + lane) * plane + 4 * v);        \
    for (int r = 0; r < kRows; ++r)                                                                \
      for (int v = 0; v < kVectors; ++v) acc[r][v] = vdotq_laneq_s32(acc[r][v], x[v], w[r], lane); \
  }
    ESPNET_DOT_LANE(0)
    ESPNET_DOT_LANE(1)
    ESPNET_DOT_LANE(2)
    ESPNET_DOT_LANE(3)
#undef ESPNET_DOT_LANE
  }
  for (; k < a.quads; ++k) {
    int8x16_t x[kVectors];
    for (int v = 0; v < kVectors; ++v) x[v] = load_signed(in + k * plane + 4 * v);
    for (int r = 0; r < kRows; ++r) {
      const int8x16_t w = vreinterpretq_s8_u32(vdupq_n_u32(a.w[int64_t(r) * a.quads + k]));
      for (int v = 0; v < kVectors; ++v) acc[r][v] = vdotq_s32(acc[r][v], x[v], w);
    }
  }
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < kVectors; ++v) store_row(a, r, px + 4 * v, acc[r][v]);
}

// One pixel of `rows` rows, in scalar code with the reference's operations.
inline void pixel(const RowArgs& a, int rows, int64_t px) {
  for (int r = 0; r < rows; ++r) {
    int32_t acc = a.start[r];
    const uint32_t* w = a.w + int64_t(r) * a.quads;
    for (int k = 0; k < a.quads; ++k)
      for (int j = 0; j < 4; ++j)
        acc += (int32_t((a.in[k * a.plane + px] >> (8 * j)) & 0xFF) - 128) *
               int32_t(int8_t((w[k] >> (8 * j)) & 0xFF));
    float y = __builtin_fmaf(float(acc), a.scale[r], a.bias ? a.bias[r] : 0.0f);
    if (a.add) y += a.add[r * a.plane + px];
    if (a.slope && y < 0) y *= a.slope[r];
    a.out[r * a.plane + px] = y;
  }
}

template <int kRows>
void rows_span(const RowArgs& a, int64_t begin, int64_t end) {
  int64_t px = begin;
  for (; px + 16 <= end; px += 16) tile<kRows, 4>(a, px);
  for (; px + 4 <= end; px += 4) tile<kRows, 1>(a, px);
  for (; px < end; ++px) pixel(a, kRows, px);
}

void span(int rows, const RowArgs& a, int64_t begin, int64_t end) {
  switch (rows) {
    case 4:
      return rows_span<4>(a, begin, end);
    case 3:
      return rows_span<3>(a, begin, end);
    case 2:
      return rows_span<2>(a, begin, end);
    default:
      return rows_span<1>(a, begin, end);
  }
}

int32_t weight_sum(const uint32_t* w, int quads) {
  int32_t sum = 0;
  for (int k = 0; k < quads; ++k)
    for (int j = 0; j < 4; ++j) sum += int32_t(int8_t((w[k] >> (8 * j)) & 0xFF));
  return sum;
}

}  // namespace

void gconv1x1_u8s8_neondot(const uint32_t* input, int batch, int quads_per_group, int out_channels,
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
    const int64_t px_begin = chunk * kChunkPixels, px_end = min_i64(plane, px_begin + kChunkPixels);
    for (int co = 0; co < cout; co += kTileRows) {
      const int oc = g * cout + co;
      const int rows = static_cast<int>(min_i64(cout - co, kTileRows));
      const int64_t o = (n * out_channels + oc) * plane;
      RowArgs a{input + (n * groups + g) * quads_per_group * plane,
                plane,
                quads_per_group,
                weight + int64_t(oc) * quads_per_group,
                scale + oc,
                bias ? bias + oc : nullptr,
                slopes ? slopes + oc : nullptr,
                addend ? addend + o : nullptr,
                output + o,
                {}};
      for (int r = 0; r < rows; ++r)
        a.start[r] = compensation[oc + r] + 128 * weight_sum(a.w + int64_t(r) * a.quads, a.quads);
      span(rows, a, px_begin, px_end);
    }
  }
}

}  // namespace espnet
