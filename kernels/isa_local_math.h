// Integer helpers for the per-ISA kernel bodies (*_impl.inc). Deliberately `static`: each
// translation unit, compiled with its own ISA flags, gets a private copy, so the linker can never
// pick an AVX-512-compiled copy for baseline code (as it could for an inline function or a
// standard-library template such as std::min).
#pragma once

#include <cstdint>

namespace espnet {

static inline int64_t ceil_div_i64(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

static inline int64_t min_i64(int64_t a, int64_t b) {
  return a < b ? a : b;
}

}  // namespace espnet
