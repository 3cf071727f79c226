// AVX-512 build of the pixel-major point-wise convolution (kernels/pointwise_rows_impl.inc):
// register tiles of 8 pixels x 3 zmm vectors (48 output channels): 24 accumulators, 3 weight
// vectors and a broadcast input, 28 of the 32 registers.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kTilePixels = 8;
  static constexpr int kTileVecs = 3;
};

}  // namespace
}  // namespace espnet

#define ESPNET_POINTWISE_ROWS_KERNEL_NAME pointwise_rows_f32_avx512
#include "kernels/pointwise_rows_impl.inc"
