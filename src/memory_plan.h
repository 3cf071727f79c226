// Where each activation of a run lives in one arena. A run's allocations are a deterministic
// sequence for a given input shape, so one recorded sequence of acquire/release events gives
// every block's lifetime; blocks whose lifetimes do not overlap may share bytes. Placement is
// the greedy-by-size, best-fit heuristic of the TFLite and ONNX Runtime arena planners: largest
// block first, each into the smallest gap left between the blocks already placed that are alive
// at the same time (or above them all).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace espnet::detail {

/// One step of a run's allocation sequence: block `block` is acquired or released. Blocks are
/// numbered in acquisition order.
struct AllocationEvent {
  int32_t block;
  bool release;
  bool operator==(const AllocationEvent& o) const {
    return block == o.block && release == o.release;
  }
};

struct MemoryPlan {
  std::vector<size_t> sizes;            // bytes of block i (a multiple of kBlockAlignment)
  std::vector<size_t> offsets;          // where block i starts in the arena
  std::vector<AllocationEvent> events;  // the sequence a run must follow to use the plan
  size_t arena_bytes = 0;               // end of the highest block
  size_t peak_live_bytes = 0;           // most bytes alive at one time (the lower bound)
  size_t total_bytes = 0;               // sum of all blocks (what no reuse at all would take)
};

/// Offsets and block sizes are multiples of this (an AVX-512 line, the Tensor alignment).
constexpr size_t kBlockAlignment = 64;

/// Places the blocks of one recorded run. A block never released lives to the end of the run
/// (a network output). Throws espnet::Error if the events are inconsistent (a block released
/// twice or before it was acquired).
MemoryPlan plan_memory(std::vector<size_t> sizes, std::vector<AllocationEvent> events);

}  // namespace espnet::detail
