#include "kernels/dispatch.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "espnet/error.h"

namespace espnet {
namespace {

const ConvKernels kTables[] = {
    {gconv1x1_f32_scalar, dwconv3x3_f32_scalar, "gconv1x1_f32_scalar", "dwconv3x3_f32_scalar"},
    {gconv1x1_f32_avx2, dwconv3x3_f32_avx2, "gconv1x1_f32_avx2", "dwconv3x3_f32_avx2"},
    {gconv1x1_f32_avx512, dwconv3x3_f32_avx512, "gconv1x1_f32_avx512", "dwconv3x3_f32_avx512"},
};

Isa detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  return Isa::kScalar;
}

Isa lower(Isa a, Isa b) {
  return static_cast<int>(a) < static_cast<int>(b) ? a : b;
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
  }
  return "unknown";
}

Isa isa_from_env_value(const char* value, Isa detected, std::string* warning) {
  warning->clear();
  if (!value || !*value) return detected;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (std::strcmp(value, isa_name(isa)) != 0) continue;
    if (static_cast<int>(isa) <= static_cast<int>(detected)) return isa;
    *warning = std::string("ESPNET_ISA=") + value + " is not supported by this CPU; using " +
               isa_name(detected);
    return detected;
  }
  *warning = std::string("ESPNET_ISA='") + value + "' is not one of scalar, avx2, avx512; using " +
             isa_name(detected);
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
  const Isa level = lower(requested, detected_isa());
  active_level().store(static_cast<int>(level), std::memory_order_relaxed);
  return level;
}

const ConvKernels& conv_kernels() {
  return kTables[static_cast<int>(active_isa())];
}

const ConvKernels& conv_kernels_for(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(detected_isa()))
    throw Error(std::string("kernels for ") + isa_name(isa) +
                " requested, but this CPU supports only up to " + isa_name(detected_isa()));
  return kTables[static_cast<int>(isa)];
}

}  // namespace espnet
