// NEON build of the fused EESP spatial kernel (kernels/eesp_spatial_impl.inc): 4-float q vectors,
// up to 4 per block (16 pixels): 4 running sums + 12 partial sums + 9 tap weights + loads fit the
// 32 registers (fmla takes no memory operand, so the weights must stay in registers).
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kBlockVecs = 4;
};

}  // namespace
}  // namespace espnet

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_neon
#include "kernels/eesp_spatial_impl.inc"
