// The int8 kernels' x86 body (kernels/gconv1x1_u8s8_impl.inc) built for plain AVX2, with vpdpbusd
// emulated exactly, so that the body the VNNI kernels run is checked against the reference on
// every AVX2 CPU, VNNI or not (CI hosts often have none). Test code only: it is slower than the
// fp32 fallback that CPUs without VNNI run, and the library never dispatches it.
#pragma once

#include <vector>

#include "kernels/int8_kernels.h"

namespace espnet::test {

/// Kernel sets that exercise the x86 int8 code on this CPU without needing VNNI: the AVX2 (and,
/// with AVX-512, the AVX-512) input packer, each feeding the emulated-VNNI AVX2 build of the
/// convolution body. Empty on other CPUs and architectures.
std::vector<const Int8Kernels*> emulated_vnni_kernel_sets();

}  // namespace espnet::test
