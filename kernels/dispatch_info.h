// Which kernel set runs (until the SIMD kernels land, always the portable reference).
#pragma once

namespace espnet {

/// Name of the instruction-set level the kernels use ("scalar", "avx2", "avx512").
const char* active_isa_name();

}  // namespace espnet
