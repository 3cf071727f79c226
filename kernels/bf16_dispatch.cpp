// Which bf16 kernels may run (kernels/bf16_kernels.h): the AVX-512 BF16 set when the CPU has the
// extension and the active ISA level is avx512 (so ESPNET_ISA=avx2 also turns bf16 off, and a
// bf16 session then refuses to start instead of silently running fp32).
#include "kernels/bf16_kernels.h"
#include "kernels/dispatch.h"

namespace espnet {

bool cpu_has_avx512_bf16() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = [] {
    __builtin_cpu_init();
    return detected_isa() == Isa::kAvx512 && __builtin_cpu_supports("avx512bf16");
  }();
  return has;
#else
  return false;
#endif
}

const Bf16Kernels* bf16_kernels() {
#if defined(__x86_64__) || defined(__i386__)
  static const Bf16Kernels avx512bf16 = [] {
    Bf16Kernels k;
    k.pack = pack_bf16_pairs_avx512bf16;
    k.pointwise = gconv1x1_bf16_avx512bf16;
    k.pointwise_rows = pointwise_rows_bf16_avx512bf16;
    k.pack_name = "pack_bf16_pairs_avx512bf16";
    k.pointwise_name = "gconv1x1_bf16_avx512bf16";
    k.pointwise_rows_name = "pointwise_rows_bf16_avx512bf16";
    return k;
  }();
  if (cpu_has_avx512_bf16() && active_isa() == Isa::kAvx512) return &avx512bf16;
#endif
  return nullptr;
}

}  // namespace espnet
