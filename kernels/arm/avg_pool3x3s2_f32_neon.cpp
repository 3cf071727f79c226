// NEON build of the 3x3 / stride 2 average pool (kernels/avg_pool3x3s2_impl.inc): 4 outputs at a
// time, even/odd sums picked with uzp1 / uzp2. Nothing here but the instantiation.
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_AVG_POOL3X3S2_KERNEL_NAME avg_pool3x3s2_f32_neon
#include "kernels/avg_pool3x3s2_impl.inc"
