// AVX2 + FMA build of the pixel-major point-wise convolution (kernels/pointwise_rows_impl.inc):
// register tiles of 4 pixels x 3 ymm vectors (24 output channels): 12 accumulators, 3 weight
// vectors and a broadcast input, all 16 registers.
#include <immintrin.h>

namespace espnet {
namespace {

struct Vec {
  static constexpr int kWidth = 8;
  static constexpr int kTilePixels = 4;
  static constexpr int kTileVecs = 3;
  using Reg = __m256;
  using Mask = __m256i;
  static Mask mask(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Reg x) { _mm256_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm256_maskstore_ps(p, m, x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
};

}  // namespace
}  // namespace espnet

#define ESPNET_POINTWISE_ROWS_KERNEL_NAME pointwise_rows_f32_avx2
#include "kernels/pointwise_rows_impl.inc"
