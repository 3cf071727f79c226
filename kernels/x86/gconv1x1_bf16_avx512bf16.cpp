// AVX-512 BF16 build of the grouped point-wise convolution over packed bf16 pairs
// (kernels/bf16_kernels.h): the fp32 body (kernels/gconv1x1_impl.inc, 8 output channels x 32
// pixels per register tile) with each "float" a pair word and fmadd = vdpbf16ps, which adds both
// products of a pair to the fp32 accumulator. Loads, masks, the addend and the PReLU epilogue are
// the fp32 ones: a pair word is 32 bits, like a float.
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
  // A weight pair word, broadcast to every lane (a 32-bit load: no float arithmetic touches it).
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Reg x) { _mm512_storeu_ps(p, x); }
  static void store_masked(float* p, Mask m, Reg x) { _mm512_mask_storeu_ps(p, m, x); }
  // a: broadcast weight pair, b: 16 activation pairs, c: fp32 accumulators.
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_dpbf16_ps(c, (__m512bh)a, (__m512bh)b); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg prelu(Reg y, Reg slope) {
    return _mm512_mask_mul_ps(y, _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_LT_OQ), y, slope);
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_KERNEL_NAME gconv1x1_bf16_avx512bf16
#include "kernels/gconv1x1_impl.inc"
