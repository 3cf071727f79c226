// The portable build of the fused EESP spatial kernel (kernels/eesp_spatial_impl.inc) over the
// portable vector layer: blocks of up to 2 "vectors" of 4 plain floats.
#include "kernels/eesp_spatial.h"
#include "kernels/simd_portable.h"

namespace espnet {
namespace {

struct Vec : Simd {
  static constexpr int kBlockVecs = 2;
};

}  // namespace
}  // namespace espnet

#define ESPNET_EESP_KERNEL_NAME eesp_dw_hff_f32_scalar
#include "kernels/eesp_spatial_impl.inc"
