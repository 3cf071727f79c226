// gconv3x3_f32_avx512: grouped 3x3 convolution, padding 1, dilation 1, stride 1 or 2, NCHW,
// AVX-512F, for few input channels per group. Vectorised over 16 output columns of one row; a
// block of up to 8 output channels of a group keeps its accumulators in registers while every
// input channel of the group and every tap inside the image is added (each input vector is
// loaded once per block and feeds all of the block's channels), then bias + PReLU are applied
// and the block is stored. Stride 2 loads 32 consecutive inputs as two vectors and keeps the even
// ones with one vpermt2ps. Padding is never materialised: every load is masked to the columns
// inside the row (masked-off lanes read as zero and do not fault, so a vector may start one
// column before a row), input rows outside the image are skipped, stores are masked to the row.
// Threads split (image, block of output rows) jobs above kParallelMinMacsConv3x3.
// Compiled with AVX-512 flags: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX-512 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/conv_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 16;
constexpr int64_t kPixelsPerJob = 2048;

// Bits [begin, end) of a 32-bit mask, clamped to 0..32.
unsigned bit_range(int begin, int end) {
  if (begin < 0) begin = 0;
  if (end > 32) end = 32;
  if (end <= begin) return 0u;
  const unsigned upto = end == 32 ? 0xFFFFFFFFu : (1u << end) - 1u;
  return upto & ~((1u << begin) - 1u);
}

// One output row's geometry for the current vector of columns.
struct Window {
  int rows = 0;                // input rows inside the image (0..3)
  int64_t row_offset[3] = {};  // their offsets in a plane
  int ky[3] = {};              // their kernel rows
  int64_t base = 0;            // input column of lane 0's tap kx = 0: x * stride - 1
  __mmask16 lo[3], hi[3];      // per kx: lanes of the first / second load inside the row
  __mmask16 out = 0;           // output lanes to store
};

template <int kCo, int kStride>
void conv_block(const float* in, int64_t in_plane, int cin, const Window& win, const float* w,
                const float* bias, const float* slopes, float* out, int64_t out_plane) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const int64_t w_stride = int64_t(cin) * 9;  // between output channels
  // Few channels per block would leave one long chain of dependent FMAs per accumulator
  // (latency-bound); they keep one partial sum per tap column instead and add them at the end.
  constexpr int kSplit = kCo >= 4 ? 1 : 3;
  __m512 acc[kCo][kSplit];
  for (int j = 0; j < kCo; ++j) {
    acc[j][0] = _mm512_set1_ps(bias ? bias[j] : 0.0f);
    for (int k = 1; k < kSplit; ++k) acc[j][k] = _mm512_setzero_ps();
  }
  for (int ci = 0; ci < cin; ++ci) {
    const float* plane = in + ci * in_plane;
    for (int r = 0; r < win.rows; ++r) {
      const float* src = plane + win.row_offset[r] + win.base;
      const float* wr = w + ci * 9 + win.ky[r] * 3;
      for (int kx = 0; kx < 3; ++kx) {
        __m512 v;
        if (kStride == 1) {
          v = _mm512_maskz_loadu_ps(win.lo[kx], src + kx);
        } else {
          const __m512 lo = _mm512_maskz_loadu_ps(win.lo[kx], src + kx);
          const __m512 hi = _mm512_maskz_loadu_ps(win.hi[kx], src + kx + kLanes);
          v = _mm512_permutex2var_ps(lo, even, hi);
        }
        for (int j = 0; j < kCo; ++j)
          acc[j][kx % kSplit] =
              _mm512_fmadd_ps(_mm512_set1_ps(wr[j * w_stride + kx]), v, acc[j][kx % kSplit]);
      }
    }
  }
  const __m512 zero = _mm512_setzero_ps();
  for (int j = 0; j < kCo; ++j) {
    __m512 y = acc[j][0];
    for (int k = 1; k < kSplit; ++k) y = _mm512_add_ps(y, acc[j][k]);
    if (slopes)
      y = _mm512_mask_mul_ps(y, _mm512_cmp_ps_mask(y, zero, _CMP_LT_OQ), y,
                             _mm512_set1_ps(slopes[j]));
    _mm512_mask_storeu_ps(out + j * out_plane, win.out, y);
  }
}

// All `cout` output channels of one group at one vector of columns, in register blocks.
template <int kStride>
void conv_group(const float* in, int64_t in_plane, int cin, int cout, const Window& win,
                const float* w, const float* bias, const float* slopes, float* out,
                int64_t out_plane) {
  int co = 0;
  while (co < cout) {
    const int left = cout - co;
    const float* wb = w + int64_t(co) * cin * 9;
    const float* bb = bias ? bias + co : nullptr;
    const float* sb = slopes ? slopes + co : nullptr;
    float* ob = out + co * out_plane;
    if (left >= 8) {
      conv_block<8, kStride>(in, in_plane, cin, win, wb, bb, sb, ob, out_plane), co += 8;
    } else if (left >= 4) {
      conv_block<4, kStride>(in, in_plane, cin, win, wb, bb, sb, ob, out_plane), co += 4;
    } else if (left == 3) {
      conv_block<3, kStride>(in, in_plane, cin, win, wb, bb, sb, ob, out_plane), co += 3;
    } else if (left == 2) {
      conv_block<2, kStride>(in, in_plane, cin, win, wb, bb, sb, ob, out_plane), co += 2;
    } else {
      conv_block<1, kStride>(in, in_plane, cin, win, wb, bb, sb, ob, out_plane), co += 1;
    }
  }
}

}  // namespace

void gconv3x3_f32_avx512(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int in_h, int in_w, int stride, const float* weight,
                         const float* bias, const float* slopes, float* output) {
  const int out_h = (in_h - 1) / stride + 1, out_w = (in_w - 1) / stride + 1;
  const int cin = in_channels / groups, cout = out_channels / groups;
  const int64_t in_plane = int64_t(in_h) * in_w, out_plane = int64_t(out_h) * out_w;
  const double macs = 9.0 * cin * double(batch) * out_channels * double(out_plane);
  const bool parallel = macs >= kParallelMinMacsConv3x3;
  const int rows_per_job =
      espnet::rows_per_job(out_h, out_w, kPixelsPerJob, int64_t(batch), parallel);
  const int64_t row_blocks = (out_h + rows_per_job - 1) / rows_per_job;
  const int64_t jobs = int64_t(batch) * row_blocks;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / row_blocks;
    const int y_begin = static_cast<int>(job % row_blocks) * rows_per_job;
    const int y_end = y_begin + rows_per_job < out_h ? y_begin + rows_per_job : out_h;
    Window win;
    for (int y = y_begin; y < y_end; ++y) {
      win.rows = 0;
      for (int ky = 0; ky < 3; ++ky) {
        const int iy = y * stride + ky - 1;
        if (iy < 0 || iy >= in_h) continue;
        win.row_offset[win.rows] = int64_t(iy) * in_w;
        win.ky[win.rows++] = ky;
      }
      // Group by group, so each pass over the row streams only the group's input rows (a few
      // sequential streams the prefetchers follow, not every channel at once).
      for (int g = 0; g < groups; ++g) {
        const float* in = input + (n * in_channels + int64_t(g) * cin) * in_plane;
        float* out_row =
            output + (n * out_channels + int64_t(g) * cout) * out_plane + int64_t(y) * out_w;
        const float* w = weight + int64_t(g) * cout * cin * 9;
        const float* b = bias ? bias + int64_t(g) * cout : nullptr;
        const float* s = slopes ? slopes + int64_t(g) * cout : nullptr;
        for (int x = 0; x < out_w; x += kLanes) {
          const int count = out_w - x < kLanes ? out_w - x : kLanes;
          const int base = x * stride - 1;
          win.base = base;
          win.out = __mmask16(bit_range(0, count));
          for (int kx = 0; kx < 3; ++kx) {
            // Load lane j reads column base + kx + j; needed: j < (count - 1) * stride + 1.
            const unsigned bits =
                bit_range(-(base + kx), in_w - (base + kx) < (count - 1) * stride + 1
                                            ? in_w - (base + kx)
                                            : (count - 1) * stride + 1);
            win.lo[kx] = __mmask16(bits & 0xFFFFu);
            win.hi[kx] = __mmask16(bits >> 16);
          }
          float* out = out_row + x;
          if (stride == 1)
            conv_group<1>(in, in_plane, cin, cout, win, w, b, s, out, out_plane);
          else
            conv_group<2>(in, in_plane, cin, cout, win, w, b, s, out, out_plane);
        }
      }
    }
  }
}

}  // namespace espnet
