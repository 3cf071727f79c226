// AVX-512 build of the grouped point-wise convolution (kernels/gconv1x1_impl.inc): register tiles
// of 8 output channels x 2 zmm vectors (32 pixels): 16 accumulators, 2 input vectors and a
// broadcast weight of the 32 registers; k-register masks for the partial tiles.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kTileRows = 8;
};

}  // namespace
}  // namespace espnet

#define ESPNET_GCONV1X1_KERNEL_NAME gconv1x1_f32_avx512
#include "kernels/gconv1x1_impl.inc"
