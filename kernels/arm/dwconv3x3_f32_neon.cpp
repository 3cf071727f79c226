// NEON build of the depth-wise 3x3 convolution (kernels/dwconv3x3_impl.inc): 4-float q vectors;
// stride 2 keeps the even inputs with uzp1; row tails and the small-plane path's gathers go
// lane by lane (Advanced SIMD has neither masked loads nor gathers). Nothing here but the
// instantiation.
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_DWCONV3X3_KERNEL_NAME dwconv3x3_f32_neon
#include "kernels/dwconv3x3_impl.inc"
