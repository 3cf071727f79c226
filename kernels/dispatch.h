// Run-time choice of the instruction-set level for the optimised kernels. The level is detected
// once (cpuid on x86; every AArch64 CPU has Advanced SIMD); ESPNET_ISA=scalar|avx2|avx512|neon may
// force another level the CPU supports (so every path can be tested and benchmarked on one
// machine), and set_isa() does the same for tests and benchmarks. The kernels of each level sit in
// a table filled once; callers look the table up per call. "scalar" is the portable level: plain
// C++ the compiler vectorises, and Eigen's matrix products for the 1x1 convolutions.
#pragma once

#include <string>

#include "kernels/conv_kernels.h"
#include "kernels/eesp_spatial.h"
#include "kernels/elementwise_kernels.h"
#include "kernels/int8_kernels.h"
#include "kernels/pool_kernels.h"

namespace espnet {

/// The kernel levels. Within the x86 family a higher level implies the lower ones (AVX-512 >
/// AVX2 > scalar); NEON is AArch64's only SIMD level, above scalar. Use isa_supported() or
/// isa_within() to compare levels, never the enum's numbers.
enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2, kNeon = 3 };

/// Every level, for loops over them (tests, benchmarks).
constexpr Isa kAllIsas[] = {Isa::kScalar, Isa::kAvx2, Isa::kAvx512, Isa::kNeon};

/// "scalar", "avx2", "avx512" or "neon".
const char* isa_name(Isa isa);

/// The best level this CPU (and OS) supports and this build has kernels for: AVX-512 needs
/// avx512f/bw/vl/dq, AVX2 needs avx2+fma, NEON any AArch64 CPU; otherwise scalar.
Isa detected_isa();

/// Whether `isa` can run on a CPU whose best level is `best` (scalar always can).
bool isa_within(Isa isa, Isa best);

/// isa_within(isa, detected_isa()).
bool isa_supported(Isa isa);

/// The level in use: detected_isa(), changed by ESPNET_ISA (read once; an unknown value or a
/// level the CPU lacks prints one message on stderr and falls back to detected_isa()), or the
/// last set_isa().
Isa active_isa();

/// The level ESPNET_ISA=`value` selects on a CPU whose best level is `detected`: null or empty
/// means `detected`; an unknown name or a level the CPU lacks also gives `detected` and sets
/// `*warning` to a message for the user (otherwise it is cleared).
Isa isa_from_env_value(const char* value, Isa detected, std::string* warning);

/// Makes `requested` the active level if the CPU supports it, otherwise detected_isa(); returns
/// the level now active (compare it with `requested` to know whether it was refused).
/// Thread-safe, but kernels already running keep the level they started with.
Isa set_isa(Isa requested);

/// One row of kernels per ISA level, with their names for diagnostics: the convolutions and the
/// element-wise, pooling and resize kernels the networks run between them. A level without a
/// variant of its own for a kernel (where one would not pay) holds the portable one.
struct ConvKernels {
  PointwiseFn pointwise = nullptr;
  PointwiseRowsFn pointwise_rows = nullptr;
  DepthwiseFn depthwise3x3 = nullptr;
  Conv3x3Fn conv3x3 = nullptr;
  ScaleShiftPreluFn scale_shift_prelu = nullptr;
  AddPreluFn add_prelu = nullptr;
  AddFn add = nullptr;
  AvgPool3x3s2Fn avg_pool3x3s2 = nullptr;
  ResizeBilinearFn resize_bilinear = nullptr;
  ResizeBilinearArgmaxFn resize_bilinear_argmax = nullptr;
  AdaptiveAvgPoolFn adaptive_avg_pool = nullptr;
  EespSpatialFn eesp_spatial = nullptr;
  UnpackedU8CodesFn int8_fallback_codes = nullptr;  // int8 models on CPUs without a dot product
  const char* pointwise_name = "";
  const char* pointwise_rows_name = "";
  const char* depthwise3x3_name = "";
  const char* conv3x3_name = "";
  const char* scale_shift_prelu_name = "";
  const char* add_prelu_name = "";
  const char* add_name = "";
  const char* avg_pool3x3s2_name = "";
  const char* resize_bilinear_name = "";
  const char* resize_bilinear_argmax_name = "";
  const char* adaptive_avg_pool_name = "";
  const char* eesp_spatial_name = "";
  const char* int8_fallback_codes_name = "";
};

/// The kernels of active_isa().
const ConvKernels& conv_kernels();

/// The kernels of one level; throws espnet::Error if this CPU does not support it.
const ConvKernels& conv_kernels_for(Isa isa);

}  // namespace espnet
