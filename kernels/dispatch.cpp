#include "kernels/dispatch.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "espnet/error.h"
#include "kernels/isa_config.h"

namespace espnet {
namespace {

// Sets a kernel and its name together, so the two cannot disagree.
#define ESPNET_SET_KERNEL(row, field, fn) ((row).field = (fn), (row).field##_name = #fn)

ConvKernels portable_kernels() {
  ConvKernels k;
  ESPNET_SET_KERNEL(k, pointwise, gconv1x1_f32_scalar);
  ESPNET_SET_KERNEL(k, pointwise_rows, pointwise_rows_f32_scalar);
  ESPNET_SET_KERNEL(k, depthwise3x3, dwconv3x3_f32_scalar);
  ESPNET_SET_KERNEL(k, conv3x3, gconv3x3_f32_scalar);
  ESPNET_SET_KERNEL(k, scale_shift_prelu, scale_shift_prelu_f32_scalar);
  ESPNET_SET_KERNEL(k, add_prelu, add_prelu_f32_scalar);
  ESPNET_SET_KERNEL(k, add, add_f32_scalar);
  ESPNET_SET_KERNEL(k, avg_pool3x3s2, avg_pool3x3s2_f32_scalar);
  ESPNET_SET_KERNEL(k, resize_bilinear, resize_bilinear_f32_scalar);
  ESPNET_SET_KERNEL(k, resize_bilinear_argmax, resize_bilinear_argmax_f32_scalar);
  ESPNET_SET_KERNEL(k, adaptive_avg_pool, adaptive_avg_pool_f32_scalar);
  ESPNET_SET_KERNEL(k, int8_fallback_codes, unpacked_u8_codes_scalar);
  ESPNET_SET_KERNEL(k, eesp_spatial, eesp_dw_hff_f32_scalar);
  return k;
}

// The kernels every SIMD level has, all built from the same *_impl.inc bodies (suffix = ISA).
#define ESPNET_SET_SIMD_KERNELS(row, isa)                                  \
  (ESPNET_SET_KERNEL(row, pointwise, gconv1x1_f32_##isa),                  \
   ESPNET_SET_KERNEL(row, pointwise_rows, pointwise_rows_f32_##isa),       \
   ESPNET_SET_KERNEL(row, depthwise3x3, dwconv3x3_f32_##isa),              \
   ESPNET_SET_KERNEL(row, conv3x3, gconv3x3_f32_##isa),                    \
   ESPNET_SET_KERNEL(row, scale_shift_prelu, scale_shift_prelu_f32_##isa), \
   ESPNET_SET_KERNEL(row, add_prelu, add_prelu_f32_##isa),                 \
   ESPNET_SET_KERNEL(row, add, add_f32_##isa),                             \
   ESPNET_SET_KERNEL(row, avg_pool3x3s2, avg_pool3x3s2_f32_##isa),         \
   ESPNET_SET_KERNEL(row, eesp_spatial, eesp_dw_hff_f32_##isa))

#if ESPNET_X86_KERNELS
ConvKernels avx2_kernels() {
  ConvKernels k = portable_kernels();
  ESPNET_SET_SIMD_KERNELS(k, avx2);
  ESPNET_SET_KERNEL(k, resize_bilinear, resize_bilinear_f32_avx2);
  ESPNET_SET_KERNEL(k, resize_bilinear_argmax, resize_bilinear_argmax_f32_avx2);
  ESPNET_SET_KERNEL(k, int8_fallback_codes, unpacked_u8_codes_avx2);
  return k;
}

ConvKernels avx512_kernels() {
  ConvKernels k = portable_kernels();
  ESPNET_SET_SIMD_KERNELS(k, avx512);
  ESPNET_SET_KERNEL(k, resize_bilinear, resize_bilinear_f32_avx512);
  ESPNET_SET_KERNEL(k, resize_bilinear_argmax, resize_bilinear_argmax_f32_avx512);
  ESPNET_SET_KERNEL(k, int8_fallback_codes, unpacked_u8_codes_avx512);
  return k;
}
#else
// Never selected: isa_supported() is false for x86 levels on other CPUs.
ConvKernels avx2_kernels() {
  return portable_kernels();
}
ConvKernels avx512_kernels() {
  return portable_kernels();
}
#endif

#if ESPNET_NEON_KERNELS
ConvKernels neon_kernels() {
  ConvKernels k = portable_kernels();
  ESPNET_SET_SIMD_KERNELS(k, neon);
  ESPNET_SET_KERNEL(k, resize_bilinear, resize_bilinear_f32_neon);
  ESPNET_SET_KERNEL(k, resize_bilinear_argmax, resize_bilinear_argmax_f32_neon);
  ESPNET_SET_KERNEL(k, int8_fallback_codes, unpacked_u8_codes_neon);
  return k;
}
#else
// Never selected: isa_supported(Isa::kNeon) is false except on AArch64.
ConvKernels neon_kernels() {
  return portable_kernels();
}
#endif

#undef ESPNET_SET_SIMD_KERNELS
#undef ESPNET_SET_KERNEL

// Indexed by Isa; filled on first use (no static-initialisation order to worry about).
const ConvKernels* tables() {
  static const ConvKernels rows[] = {portable_kernels(), avx2_kernels(), avx512_kernels(),
                                     neon_kernels()};
  return rows;
}

Isa detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
#if ESPNET_NEON_KERNELS
  return Isa::kNeon;  // Advanced SIMD with fp32 FMA is mandatory in AArch64
#endif
  return Isa::kScalar;
}

// Runs once: the message about a bad ESPNET_ISA is printed once.
Isa initial_isa() {
  std::string warning;
  const Isa isa = isa_from_env_value(std::getenv("ESPNET_ISA"), detected_isa(), &warning);
  if (!warning.empty()) std::fprintf(stderr, "espnet: %s\n", warning.c_str());
  return isa;
}

std::atomic<int>& active_level() {
  static std::atomic<int> level{static_cast<int>(initial_isa())};
  return level;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
    case Isa::kNeon:
      return "neon";
  }
  return "unknown";
}

bool isa_within(Isa isa, Isa best) {
  if (isa == Isa::kScalar || isa == best) return true;
  return isa == Isa::kAvx2 && best == Isa::kAvx512;
}

bool isa_supported(Isa isa) {
  return isa_within(isa, detected_isa());
}

Isa isa_from_env_value(const char* value, Isa detected, std::string* warning) {
  warning->clear();
  if (!value || !*value) return detected;
  for (Isa isa : kAllIsas) {
    if (std::strcmp(value, isa_name(isa)) != 0) continue;
    if (isa_within(isa, detected)) return isa;
    *warning = std::string("ESPNET_ISA=") + value + " is not supported by this CPU; using " +
               isa_name(detected);
    return detected;
  }
  *warning = std::string("ESPNET_ISA='") + value +
             "' is not one of scalar, avx2, avx512, neon; using " + isa_name(detected);
  return detected;
}

Isa detected_isa() {
  static const Isa detected = detect();
  return detected;
}

Isa active_isa() {
  return static_cast<Isa>(active_level().load(std::memory_order_relaxed));
}

Isa set_isa(Isa requested) {
  const Isa level = isa_supported(requested) ? requested : detected_isa();
  active_level().store(static_cast<int>(level), std::memory_order_relaxed);
  return level;
}

const ConvKernels& conv_kernels() {
  return tables()[static_cast<int>(active_isa())];
}

EespSpatialFn eesp_spatial_kernel() {
  return conv_kernels().eesp_spatial;
}

const char* eesp_spatial_kernel_name() {
  return conv_kernels().eesp_spatial_name;
}

const ConvKernels& conv_kernels_for(Isa isa) {
  if (!isa_supported(isa))
    throw Error(std::string("kernels for ") + isa_name(isa) +
                " requested, but this CPU (or build) supports only up to " +
                isa_name(detected_isa()));
  return tables()[static_cast<int>(isa)];
}

}  // namespace espnet
