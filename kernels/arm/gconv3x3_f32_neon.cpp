// NEON build of the grouped 3x3 convolution (kernels/gconv3x3_impl.inc): 4-float q vectors; stride
// 2 keeps the even inputs with uzp1; masked loads (row edges) go lane by lane. Nothing here but the
// instantiation.
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_GCONV3X3_KERNEL_NAME gconv3x3_f32_neon
#include "kernels/gconv3x3_impl.inc"
