// AVX-512 build of the grouped 3x3 convolution (kernels/gconv3x3_impl.inc): 16-float zmm vectors,
// k-register masks; stride 2 keeps the even inputs with one vpermt2ps. Nothing here but the
// instantiation.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_GCONV3X3_KERNEL_NAME gconv3x3_f32_avx512
#include "kernels/gconv3x3_impl.inc"
