// AVX-512 build of the fused EESP spatial kernel: 16-float zmm vectors, up to 64 pixels per block,
// masked stores for the row tail.
#include <immintrin.h>

#include "kernels/eesp_spatial.h"

namespace espnet {
namespace {

struct Vec {
  static constexpr int kWidth = 16;
  static constexpr int kBlockVecs = 4;  // 4 running sums + 12 partial sums + loads
  using Reg = __m512;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float x) { return _mm512_set1_ps(x); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg bn_prelu(Reg x, Reg scale, Reg shift, Reg slope) {
    const Reg y = _mm512_fmadd_ps(x, scale, shift);
    const __mmask16 negative = _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_mul_ps(y, negative, y, slope);
  }
  static void store(float* p, Reg x, int count) {
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << count) - 1u), x);
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_avx512
#include "kernels/eesp_spatial_impl.inc"
