// Which int8 dot-product kernels may run (kernels/int8_kernels.h): AVX-512 VNNI at the avx512
// level, AVX-VNNI at the avx2 level (or at avx512 without AVX-512 VNNI), the ARMv8.2 dot product
// at the neon level; ESPNET_ISA lower than the kernels' level turns them off, and int8 sessions
// then run fp32 kernels on the dequantized weights.
#include "kernels/dispatch.h"
#include "kernels/int8_kernels.h"
#include "kernels/isa_config.h"

#if ESPNET_X86_KERNELS
#include <cpuid.h>
#endif
#if ESPNET_NEON_KERNELS
#include <sys/auxv.h>
#endif

namespace espnet {
namespace {

#if ESPNET_X86_KERNELS
const Int8Kernels kAvx512Vnni = {pack_u8_quads_avx512, gconv1x1_u8s8_avx512vnni,
                                 "pack_u8_quads_avx512", "gconv1x1_u8s8_avx512vnni"};
const Int8Kernels kAvxVnni = {pack_u8_quads_avx2, gconv1x1_u8s8_avxvnni, "pack_u8_quads_avx2",
                              "gconv1x1_u8s8_avxvnni"};

bool cpu_has_avx512_vnni() {
  static const bool has = [] {
    __builtin_cpu_init();
    return detected_isa() == Isa::kAvx512 && __builtin_cpu_supports("avx512vnni");
  }();
  return has;
}

// CPUID leaf 7, sub-leaf 1, EAX bit 4 (read directly: clang's __builtin_cpu_supports does not
// know "avxvnni"); the OS's YMM state is already checked by detected_isa().
bool cpu_has_avx_vnni() {
  static const bool has = [] {
    const Isa isa = detected_isa();
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (isa != Isa::kAvx2 && isa != Isa::kAvx512) return false;
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return false;
    return ((eax >> 4) & 1u) != 0;
  }();
  return has;
}
#endif

#if ESPNET_NEON_KERNELS
const Int8Kernels kNeonDot = {pack_u8_quads_neon, gconv1x1_u8s8_neondot, "pack_u8_quads_neon",
                              "gconv1x1_u8s8_neondot"};

// HWCAP_ASIMDDP (bit 20 of AT_HWCAP on Linux): the sdot/udot instructions of ARMv8.2 (optional
// there, mandatory from ARMv8.4).
bool cpu_has_neon_dot() {
  static const bool has = (getauxval(AT_HWCAP) & (1ul << 20)) != 0;
  return has;
}
#endif

}  // namespace

const Int8Kernels* int8_kernels() {
  const Isa level = active_isa();
#if ESPNET_X86_KERNELS
  if (level == Isa::kAvx512 && cpu_has_avx512_vnni()) return &kAvx512Vnni;
  if ((level == Isa::kAvx512 || level == Isa::kAvx2) && cpu_has_avx_vnni()) return &kAvxVnni;
#endif
#if ESPNET_NEON_KERNELS
  if (level == Isa::kNeon && cpu_has_neon_dot()) return &kNeonDot;
#endif
  (void)level;
  return nullptr;
}

std::vector<const Int8Kernels*> int8_kernel_sets() {
  std::vector<const Int8Kernels*> sets;
#if ESPNET_X86_KERNELS
  if (cpu_has_avx512_vnni()) sets.push_back(&kAvx512Vnni);
  if (cpu_has_avx_vnni()) sets.push_back(&kAvxVnni);
#endif
#if ESPNET_NEON_KERNELS
  if (cpu_has_neon_dot()) sets.push_back(&kNeonDot);
#endif
  return sets;
}

bool int8_dot_product_available() {
  return int8_kernels() != nullptr;
}

}  // namespace espnet
