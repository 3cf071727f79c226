// gconv3x3_f32_avx2: grouped 3x3 convolution, padding 1, dilation 1, stride 1 or 2, NCHW,
// AVX2 + FMA, for few input channels per group. Vectorised over 8 output columns of one row; a
// block of up to 8 output channels of a group keeps its accumulators in registers while every
// input channel of the group and every tap inside the image is added (each input vector is
// loaded once per block and feeds all of the block's channels), then bias + PReLU are applied
// and the block is stored. Stride 2 loads 16 consecutive inputs as two vectors and keeps the even
// ones (vshufps + vpermpd). Padding is never materialised: every load is vmaskmov-masked to the
// columns inside the row (masked-off lanes read as zero and do not fault, so a vector may start one
// column before a row), input rows outside the image are skipped, stores are masked to the row.
// Threads split (image, block of output rows) jobs above kParallelMinMacsConv3x3.
// Compiled with -mavx2 -mfma: everything stays in this file (anonymous namespace, no
// standard-library templates) so no AVX2 code can leak into baseline code through the linker.
#include <immintrin.h>

#include "kernels/conv_kernels.h"

namespace espnet {
namespace {

constexpr int kLanes = 8;
constexpr int64_t kPixelsPerJob = 2048;

// Lanes j (numbered from `first`) with begin <= j < end, as a vmaskmov mask.
__m256i lane_range(int first, int begin, int end) {
  const __m256i j =
      _mm256_add_epi32(_mm256_set1_epi32(first), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(begin), j),
                             _mm256_cmpgt_epi32(_mm256_set1_epi32(end), j));
}

// [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6] -> 64-bit lanes 0, 2, 1, 3: the even elements of lo:hi.
__m256 even_of(__m256 lo, __m256 hi) {
  const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), 0xD8));
}

// One output row's geometry for the current vector of columns.
struct Window {
  int rows = 0;                // input rows inside the image (0..3)
  int64_t row_offset[3] = {};  // their offsets in a plane
  int ky[3] = {};              // their kernel rows
  int64_t base = 0;            // input column of lane 0's tap kx = 0: x * stride - 1
  __m256i lo[3], hi[3];        // per kx: lanes of the first / second load inside the row
  __m256i out;                 // output lanes to store
  bool full = false;           // all lanes stored
};

template <int kCo, int kStride>
void conv_block(const float* in, int64_t in_plane, int cin, const Window& win, const float* w,
                const float* bias, const float* slopes, float* out, int64_t out_plane) {
  const int64_t w_stride = int64_t(cin) * 9;  // between output channels
  // Few channels per block would leave one long chain of dependent FMAs per accumulator
  // (latency-bound); they keep one partial sum per tap column instead and add them at the end.
  constexpr int kSplit = kCo >= 4 ? 1 : 3;
  __m256 acc[kCo][kSplit];
  for (int j = 0; j < kCo; ++j) {
    acc[j][0] = _mm256_set1_ps(bias ? bias[j] : 0.0f);
    for (int k = 1; k < kSplit; ++k) acc[j][k] = _mm256_setzero_ps();
  }
  for (int ci = 0; ci < cin; ++ci) {
    const float* plane = in + ci * in_plane;
    for (int r = 0; r < win.rows; ++r) {
      const float* src = plane + win.row_offset[r] + win.base;
      const float* wr = w + ci * 9 + win.ky[r] * 3;
      for (int kx = 0; kx < 3; ++kx) {
        __m256 v;
        if (kStride == 1) {
          v = _mm256_maskload_ps(src + kx, win.lo[kx]);
        } else {
          const __m256 lo = _mm256_maskload_ps(src + kx, win.lo[kx]);
          const __m256 hi = _mm256_maskload_ps(src + kx + kLanes, win.hi[kx]);
          v = even_of(lo, hi);
        }
        for (int j = 0; j < kCo; ++j)
          acc[j][kx % kSplit] =
              _mm256_fmadd_ps(_mm256_set1_ps(wr[j * w_stride + kx]), v, acc[j][kx % kSplit]);
      }
    }
  }
  const __m256 zero = _mm256_setzero_ps();
  for (int j = 0; j < kCo; ++j) {
    __m256 y = acc[j][0];
    for (int k = 1; k < kSplit; ++k) y = _mm256_add_ps(y, acc[j][k]);
    if (slopes)
      y = _mm256_blendv_ps(y, _mm256_mul_ps(y, _mm256_set1_ps(slopes[j])),
                           _mm256_cmp_ps(y, zero, _CMP_LT_OQ));
    if (win.full)
      _mm256_storeu_ps(out + j * out_plane, y);
    else
      _mm256_maskstore_ps(out + j * out_plane, win.out, y);
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

void gconv3x3_f32_avx2(const float* input, int batch, int in_channels, int out_channels, int groups,
                       int in_h, int in_w, int stride, const float* weight, const float* bias,
                       const float* slopes, float* output) {
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
          win.out = lane_range(0, 0, count);
          win.full = count == kLanes;
          for (int kx = 0; kx < 3; ++kx) {
            // Load lane j reads column base + kx + j; needed: j < (count - 1) * stride + 1.
            const int needed = (count - 1) * stride + 1;
            const int end = in_w - (base + kx) < needed ? in_w - (base + kx) : needed;
            win.lo[kx] = lane_range(0, -(base + kx), end);
            win.hi[kx] = lane_range(kLanes, -(base + kx), end);
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
