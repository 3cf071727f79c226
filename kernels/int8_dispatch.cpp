// Whether the int8 (AVX-512 VNNI) kernels may run: the CPU has avx512vnni and the active ISA
// level is avx512 (ESPNET_ISA lower turns them off).
#include "kernels/dispatch.h"
#include "kernels/int8_kernels.h"

namespace espnet {

bool int8_vnni_available() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = [] {
    __builtin_cpu_init();
    return detected_isa() == Isa::kAvx512 && __builtin_cpu_supports("avx512vnni");
  }();
  return has && active_isa() == Isa::kAvx512;
#else
  return false;
#endif
}

}  // namespace espnet
