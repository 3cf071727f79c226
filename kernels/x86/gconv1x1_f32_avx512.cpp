// AVX-512 build of the grouped point-wise convolution (kernels/gconv1x1_impl.inc): 16-float zmm
// vectors, register tiles of 8 output channels x 32 pixels (16 accumulators), mask registers for
// the partial tiles.
#include <immintrin.h>

namespace espnet {
namespace {

struct Vec {
  static constexpr int kWidth = 16;
  static constexpr int kTileRows = 8;
  using Reg = __m512;
  using Mask = __mmask16;
  static Mask mask(int count) {
    return count >= kWidth ? Mask(0xFFFF) : count <= 0 ? Mask(0) : Mask((1u << count) - 1u);
  }
  static Reg set1(float x) { return _mm512_set1_ps(x); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Reg x) { _mm512_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm512_mask_storeu_ps(p, m, x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg prelu(Reg y, Reg slope) {
    return _mm512_mask_mul_ps(y, _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_LT_OQ), y, slope);
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_KERNEL_NAME gconv1x1_f32_avx512
#include "kernels/gconv1x1_impl.inc"
