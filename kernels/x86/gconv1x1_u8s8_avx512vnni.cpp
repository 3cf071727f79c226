// AVX-512 VNNI build of the int8 grouped point-wise convolution
// (kernels/gconv1x1_u8s8_impl.inc): register tiles of 8 output channels x 32 pixels (16 int32
// accumulators of the 32 zmm registers), masks in k registers.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {

struct Int8Vec : Simd {
  static constexpr int kTileRows = 8;
  using IReg = __m512i;
  static IReg set1_i32(int32_t x) { return _mm512_set1_epi32(x); }
  static IReg load_i32_masked(const uint32_t* p, Mask m) { return _mm512_maskz_loadu_epi32(m, p); }
  static IReg dpbusd(IReg acc, IReg u8_quads, IReg s8_quads) {
    return _mm512_dpbusd_epi32(acc, u8_quads, s8_quads);
  }
  static Reg to_float(IReg x) { return _mm512_cvtepi32_ps(x); }
  // Simd::prelu is already the reference's compare (a masked multiply of the lanes below zero).
  static Reg prelu_below_zero(Reg y, Reg slope) { return prelu(y, slope); }
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_U8S8_KERNEL_NAME gconv1x1_u8s8_avx512vnni
#include "kernels/gconv1x1_u8s8_impl.inc"
