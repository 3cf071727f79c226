// How much memory this process may still take without the kernel killing it: MemAvailable of
// /proc/meminfo, lowered to the cgroup's remaining allowance (memory.max - memory.current, cgroup
// v2) when one is set.
#pragma once

#include <cstddef>

namespace espnet::detail {

/// Bytes available now, or 0 when it cannot be told (no /proc).
size_t available_memory_bytes();

/// The default session memory limit: what is available (plus `reclaimable`, memory the
/// caller holds and would give back first) less a margin (an eighth, at least 256 MB) for
/// everything else the process and the machine need. SIZE_MAX when it cannot be told.
size_t default_memory_limit_bytes(size_t reclaimable);

}  // namespace espnet::detail
