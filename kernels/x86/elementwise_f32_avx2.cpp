// AVX2 + FMA build of the element-wise kernels (kernels/elementwise_impl.inc): 8 lanes, vmaskmov
// tails, PReLU as a sign-bit blend. Nothing here but the instantiation.
#include "kernels/x86/simd_avx2.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_ELEMENTWISE_SUFFIX avx2
#include "kernels/elementwise_impl.inc"
