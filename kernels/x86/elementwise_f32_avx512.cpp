// AVX-512 build of the element-wise kernels (kernels/elementwise_impl.inc): 16 lanes, PReLU as a
// masked multiply of the negative lanes. Nothing here but the instantiation.
#include "kernels/x86/simd_avx512.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_ELEMENTWISE_SUFFIX avx512
#include "kernels/elementwise_impl.inc"
