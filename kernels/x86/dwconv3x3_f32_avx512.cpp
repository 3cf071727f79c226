// AVX-512 build of the depth-wise 3x3 convolution (kernels/dwconv3x3_impl.inc): 16-float zmm
// vectors; stride 2 keeps the even inputs with one vpermt2ps, the small-plane path gathers with
// vgatherdps. Nothing here but the instantiation.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_DWCONV3X3_KERNEL_NAME dwconv3x3_f32_avx512
#include "kernels/dwconv3x3_impl.inc"
