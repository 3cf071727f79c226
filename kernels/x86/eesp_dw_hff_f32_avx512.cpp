// AVX-512 build of the fused EESP spatial kernel (kernels/eesp_spatial_impl.inc): 16-float zmm
// vectors, up to 4 per block (64 pixels): 4 running sums + 12 partial sums + loads.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kBlockVecs = 4;
};

}  // namespace
}  // namespace espnet

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_avx512
#include "kernels/eesp_spatial_impl.inc"
