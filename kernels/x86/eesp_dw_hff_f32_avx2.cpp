// AVX2+FMA build of the fused EESP spatial kernel: 8-float ymm vectors, up to 16 pixels per block.
#include <immintrin.h>

#include "kernels/eesp_spatial.h"

namespace espnet {
namespace {

struct Vec {
  static constexpr int kWidth = 8;
  static constexpr int kBlockVecs = 2;  // 16 registers: weights are read from memory
  using Reg = __m256;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float x) { return _mm256_set1_ps(x); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg bn_prelu(Reg x, Reg scale, Reg shift, Reg slope) {
    const Reg y = _mm256_fmadd_ps(x, scale, shift);
    return _mm256_blendv_ps(y, _mm256_mul_ps(y, slope),
                            _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_LT_OQ));
  }
  static void store(float* p, Reg x, int count) {
    if (count == kWidth) {
      _mm256_storeu_ps(p, x);
      return;
    }
    alignas(32) float tmp[kWidth];
    _mm256_store_ps(tmp, x);
    for (int i = 0; i < count; ++i) p[i] = tmp[i];
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_avx2
#include "kernels/eesp_spatial_impl.inc"
