// Which kernel set runs: the name of active_isa() (see kernels/dispatch.h).
#pragma once

namespace espnet {

/// Name of the instruction-set level the kernels use ("scalar", "avx2", "avx512").
const char* active_isa_name();

}  // namespace espnet
