// AVX2 + FMA build of the grouped point-wise convolution (kernels/gconv1x1_impl.inc): register
// tiles of 6 output channels x 2 ymm vectors (16 pixels): 12 accumulators + 2 inputs and a
// broadcast weight, 15 of the 16 registers; vmaskmov for the partial tiles.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kTileRows = 6;
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_KERNEL_NAME gconv1x1_f32_avx2
#include "kernels/gconv1x1_impl.inc"
