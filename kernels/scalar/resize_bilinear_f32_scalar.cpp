// resize_bilinear_f32_scalar: F.interpolate(mode='bilinear', align_corners=True), portable C++,
// separable: for each chunk of up to kColumns output columns the horizontal taps are computed
// once (on the stack); each input row an output row needs is resampled horizontally once into a
// stack row (two are cached, so upsampling reuses them across output rows), and each output row
// is then wy0 * row0 + wy1 * row1, a loop the compiler vectorises. The arithmetic is the
// reference's, term for term, so results agree with resize_bilinear_align_corners_f32_ref to the
// last bit when the compiler does not contract into FMA (the baseline ISA has none).
// Threads split (plane, block of output rows) jobs for outputs of at least kParallelMinElements.
#include "kernels/elementwise_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {
namespace {

constexpr int kColumns = 512;
constexpr int64_t kPixelsPerJob = 16384;

// PyTorch computes the scale as (in - 1) / (out - 1) and the source as scale * dst, in float.
float tap_scale(int in, int out) {
  return out > 1 ? float(in - 1) / float(out - 1) : 0.0f;
}

struct Taps {
  int i0[kColumns];
  int i1[kColumns];
  float w1[kColumns];  // weight of i1; i0 gets 1 - w1
};

void make_taps(float scale, int begin, int end, int in, int* i0, int* i1, float* w1) {
  for (int o = begin; o < end; ++o) {
    const float src = scale * float(o);
    int a = static_cast<int>(src);
    if (a > in - 1) a = in - 1;
    i0[o - begin] = a;
    i1[o - begin] = a + 1 < in ? a + 1 : in - 1;
    w1[o - begin] = src - float(a);
  }
}

void resample_row(const float* in_row, const Taps& t, int count, float* out) {
  for (int x = 0; x < count; ++x) {
    const float w1 = t.w1[x], w0 = 1.0f - w1;
    out[x] = w0 * in_row[t.i0[x]] + w1 * in_row[t.i1[x]];
  }
}

}  // namespace

void resize_bilinear_f32_scalar(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                int out_w, float* output) {
  const float scale_y = tap_scale(in_h, out_h), scale_x = tap_scale(in_w, out_w);
  int rows_per_job = static_cast<int>(kPixelsPerJob / out_w);
  if (rows_per_job < 1) rows_per_job = 1;
  const int64_t row_blocks = (out_h + rows_per_job - 1) / rows_per_job;
  const int64_t jobs = planes * row_blocks;
  const int64_t in_plane = int64_t(in_h) * in_w, out_plane = int64_t(out_h) * out_w;
#pragma omp parallel for schedule(static) if (double(planes) * double(out_plane) >= \
                                              kParallelMinElements)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t p = job / row_blocks;
    const int y_begin = static_cast<int>(job % row_blocks) * rows_per_job;
    const int y_end = y_begin + rows_per_job < out_h ? y_begin + rows_per_job : out_h;
    const float* in = input + p * in_plane;
    Taps taps;
    float rows[2][kColumns];
    for (int xs = 0; xs < out_w; xs += kColumns) {
      const int xe = xs + kColumns < out_w ? xs + kColumns : out_w, count = xe - xs;
      make_taps(scale_x, xs, xe, in_w, taps.i0, taps.i1, taps.w1);
      // slot[k] holds input row cached[k] resampled; slot 0 is the upper row of the pair.
      float* slot[2] = {rows[0], rows[1]};
      int cached[2] = {-1, -1};
      for (int y = y_begin; y < y_end; ++y) {
        int iy0, iy1;
        float wy1;
        make_taps(scale_y, y, y + 1, in_h, &iy0, &iy1, &wy1);
        if (cached[0] != iy0 && cached[1] == iy0) {  // moved down one input row: reuse it
          float* const s = slot[0];
          slot[0] = slot[1], slot[1] = s;
          cached[0] = iy0, cached[1] = -1;
        }
        if (cached[0] != iy0) {
          resample_row(in + int64_t(iy0) * in_w, taps, count, slot[0]);
          cached[0] = iy0;
        }
        if (cached[1] != iy1) {
          resample_row(in + int64_t(iy1) * in_w, taps, count, slot[1]);
          cached[1] = iy1;
        }
        const float* r0 = slot[0];
        const float* r1 = slot[1];
        const float wy0 = 1.0f - wy1;
        float* out_row = output + p * out_plane + int64_t(y) * out_w + xs;
        for (int x = 0; x < count; ++x) out_row[x] = wy0 * r0[x] + wy1 * r1[x];
      }
    }
  }
}

}  // namespace espnet
