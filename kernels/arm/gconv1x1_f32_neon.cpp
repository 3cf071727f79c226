// NEON build of the grouped point-wise convolution (kernels/gconv1x1_impl.inc): register tiles of
// 12 output channels x 2 q vectors (8 pixels): 24 accumulators, 2 input vectors and a broadcast
// weight (ld1r), 27 of the 32 registers; partial tiles go lane by lane.
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kTileRows = 12;
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_KERNEL_NAME gconv1x1_f32_neon
#include "kernels/gconv1x1_impl.inc"
