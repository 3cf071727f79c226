// AVX2 + FMA build of the grouped point-wise convolution (kernels/gconv1x1_impl.inc): 8-float ymm
// vectors, register tiles of 6 output channels x 16 pixels (12 accumulators + 2 inputs and a
// broadcast weight: 15 of the 16 registers), vmaskmov for the partial tiles.
#include <immintrin.h>

namespace espnet {
namespace {

struct Vec {
  static constexpr int kWidth = 8;
  static constexpr int kTileRows = 6;
  using Reg = __m256;
  using Mask = __m256i;
  static Mask mask(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg set1(float x) { return _mm256_set1_ps(x); }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Reg x) { _mm256_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm256_maskstore_ps(p, m, x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg prelu(Reg y, Reg slope) {
    return _mm256_blendv_ps(y, _mm256_mul_ps(y, slope),
                            _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_LT_OQ));
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_KERNEL_NAME gconv1x1_f32_avx2
#include "kernels/gconv1x1_impl.inc"
