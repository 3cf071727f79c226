// AVX2 + FMA build of the pixel-major point-wise convolution (kernels/pointwise_rows_impl.inc):
// register tiles of 4 pixels x 3 ymm vectors (24 output channels): 12 accumulators, 3 weight
// vectors and a broadcast input, all 16 registers.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kTilePixels = 4;
  static constexpr int kTileVecs = 3;
};

}  // namespace
}  // namespace espnet

#define ESPNET_POINTWISE_ROWS_KERNEL_NAME pointwise_rows_f32_avx2
#include "kernels/pointwise_rows_impl.inc"
