// AVX-512 BF16 build of the pixel-major point-wise convolution over packed bf16 pairs
// (kernels/bf16_kernels.h): the fp32 body (kernels/pointwise_rows_impl.inc, 8 pixels x 48 output
// channels per register tile) with each "float" a pair word and fmadd = vdpbf16ps. The bias and
// the output rows are fp32.
#include <immintrin.h>

namespace espnet {
namespace {

struct Vec {
  static constexpr int kWidth = 16;
  static constexpr int kTilePixels = 8;
  static constexpr int kTileVecs = 3;
  using Reg = __m512;
  using Mask = __mmask16;
  static Mask mask(int count) {
    return count >= kWidth ? Mask(0xFFFF) : count <= 0 ? Mask(0) : Mask((1u << count) - 1u);
  }
  static Reg zero() { return _mm512_setzero_ps(); }
  // An activation pair word, broadcast to every lane.
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Reg x) { _mm512_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm512_mask_storeu_ps(p, m, x); }
  // a: broadcast activation pair, b: 16 weight pairs, c: fp32 accumulators.
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_dpbf16_ps(c, (__m512bh)a, (__m512bh)b); }
};

}  // namespace
}  // namespace espnet

#define ESPNET_POINTWISE_ROWS_KERNEL_NAME pointwise_rows_bf16_avx512bf16
#include "kernels/pointwise_rows_impl.inc"
