// NEON build of the pixel-major point-wise convolution (kernels/pointwise_rows_impl.inc): register
// tiles of 6 pixels x 4 q vectors (16 output channels): 24 accumulators, 4 weight vectors and a
// broadcast input (ld1r), 29 of the 32 registers.
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kTilePixels = 6;
  static constexpr int kTileVecs = 4;
};

}  // namespace
}  // namespace espnet

#define ESPNET_POINTWISE_ROWS_KERNEL_NAME pointwise_rows_f32_neon
#include "kernels/pointwise_rows_impl.inc"
