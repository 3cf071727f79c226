// AVX-512 build of the pixel-major point-wise convolution (kernels/pointwise_rows_impl.inc):
// register tiles of 8 pixels x 3 zmm vectors (48 output channels): 24 accumulators, 3 weight
// vectors and a broadcast input, 28 of the 32 registers.
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
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Reg x) { _mm512_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm512_mask_storeu_ps(p, m, x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
};

}  // namespace
}  // namespace espnet

#define ESPNET_POINTWISE_ROWS_KERNEL_NAME pointwise_rows_f32_avx512
#include "kernels/pointwise_rows_impl.inc"
