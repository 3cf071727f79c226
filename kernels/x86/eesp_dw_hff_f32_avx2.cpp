// AVX2 + FMA build of the fused EESP spatial kernel (kernels/eesp_spatial_impl.inc): 8-float ymm
// vectors, up to 2 per block (16 pixels): with 16 registers the weights are read from memory.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kBlockVecs = 2;
};

}  // namespace
}  // namespace espnet

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_avx2
#include "kernels/eesp_spatial_impl.inc"
