// AVX2 build of the 3x3 / stride 2 average pool (kernels/avg_pool3x3s2_impl.inc): 8 outputs at a
// time, even/odd sums picked with vshufps + vpermpd. Nothing here but the instantiation.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_AVG_POOL3X3S2_KERNEL_NAME avg_pool3x3s2_f32_avx2
#include "kernels/avg_pool3x3s2_impl.inc"
