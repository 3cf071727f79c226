// AVX2 + FMA build of the depth-wise 3x3 convolution (kernels/dwconv3x3_impl.inc): 8-float ymm
// vectors, vmaskmov for row tails; stride 2 keeps the even inputs with vshufps + vpermpd.
// Nothing here but the instantiation.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_DWCONV3X3_KERNEL_NAME dwconv3x3_f32_avx2
#include "kernels/dwconv3x3_impl.inc"
