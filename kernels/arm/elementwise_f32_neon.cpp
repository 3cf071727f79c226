// NEON build of the element-wise kernels (kernels/elementwise_impl.inc): 4 lanes, PReLU as fcmlt +
// bsl, tails lane by lane. Nothing here but the instantiation.
#include "kernels/arm/simd_neon.h"

namespace espnet {
namespace {
using Vec = Simd;
}  // namespace
}  // namespace espnet

#define ESPNET_ELEMENTWISE_SUFFIX neon
#include "kernels/elementwise_impl.inc"
