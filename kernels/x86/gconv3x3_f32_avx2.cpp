// AVX2 + FMA build of the grouped 3x3 convolution (kernels/gconv3x3_impl.inc): 8-float ymm vectors,
// vmaskmov for masked loads and stores; stride 2 keeps the even inputs with vshufps + vpermpd.
// Nothing here but the instantiation.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_GCONV3X3_KERNEL_NAME gconv3x3_f32_avx2
#include "kernels/gconv3x3_impl.inc"
