// AVX-VNNI build of the int8 grouped point-wise convolution (kernels/gconv1x1_u8s8_impl.inc): the
// 256-bit, VEX-encoded vpdpbusd of CPUs that have it without AVX-512 VNNI (and of those that have
// both, at ESPNET_ISA=avx2). Register tiles of 6 output channels x 16 pixels: 12 int32
// accumulators, two input vectors and a weight broadcast, 15 of the 16 ymm registers.
#include "kernels/x86/simd_avx2.h"
#include "kernels/x86/simd_avx2_int8.h"

namespace espnet {
namespace {

struct Int8Vec : Avx2Int8Layer {
  static constexpr int kTileRows = 6;
  static IReg dpbusd(IReg acc, IReg u8_quads, IReg s8_quads) {
    return _mm256_dpbusd_avx_epi32(acc, u8_quads, s8_quads);
  }
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_U8S8_KERNEL_NAME gconv1x1_u8s8_avxvnni
#include "kernels/gconv1x1_u8s8_impl.inc"
