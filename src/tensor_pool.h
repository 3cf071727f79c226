// A session's activation memory. Tensors created while a PoolScope is active on the thread draw
// from the scope's pool, which works in one of three modes:
// - recording: a planning run (ExecContext::planning, nothing computed). Every acquisition gets
//   a distinct address inside an inaccessible reservation (touching it faults at once, so a
//   planning run that computes is caught) and the acquire/release sequence is recorded;
//   finish_recording() turns it into a MemoryPlan.
// - planned: a real run following a plan. The i-th acquisition gets its planned offset in the
//   arena, as long as the run's events are exactly the plan's; at the first difference the run
//   goes on with plain heap blocks (safe: no arena byte is handed out again), is recorded, and
//   the recording replaces the plan for the next run of that shape.
// - heap: no plan (SessionOptions::plan_memory off): aligned_alloc and free per tensor.
// With poisoning on (a debug mode) every block is filled with a NaN pattern when it is handed
// out and when it is given back, so reading a dead or unwritten tensor shows up in the outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "activation_arena.h"
#include "memory_plan.h"

namespace espnet::detail {

class TensorPool {
 public:
  TensorPool();
  ~TensorPool();
  TensorPool(const TensorPool&) = delete;
  TensorPool& operator=(const TensorPool&) = delete;

  /// A 64-byte-aligned buffer of at least `bytes`.
  void* acquire(size_t bytes);
  void release(void* p);

  /// Recording: the addresses handed out are not memory (nothing may be written to them).
  bool recording() const { return mode_ == Mode::kRecording; }

  /// Starts a planning run.
  void begin_recording();
  /// Ends it and returns the plan.
  MemoryPlan finish_recording();
  /// Ends a planning run that failed (an exception): its events are no plan.
  void abandon_recording();

  /// Maps and faults in (on up to `threads` threads) an arena of at least `bytes` ahead of the
  /// run that needs it; does nothing while blocks are still held (the arena must not move under
  /// them). False if it cannot map.
  bool prepare_arena(size_t bytes, int threads);
  /// Starts a real run that follows `plan` (kept by the caller until end_run): maps the arena
  /// (faulted in on up to `threads` threads) if it must grow. Returns false if the arena cannot
  /// be mapped. Blocks still held from earlier runs must have been released (otherwise the run
  /// takes heap blocks only).
  bool begin_planned_run(const MemoryPlan* plan, int threads);
  /// Starts a real run without a plan: every tensor from the heap.
  void begin_heap_run();
  /// Ends a real run. If it left its plan, returns true and stores the run's own events in
  /// `replan` (its blocks' sizes and its sequence), for the caller to plan again; pass null
  /// for a run that did not finish (an exception), whose events are no plan.
  bool end_run(MemoryPlan* replan);

  /// Debug mode: NaN-fill blocks when they are acquired and released.
  void set_poison(bool on) { poison_ = on; }

  /// Bytes the arena holds (mapped), and heap blocks handed out when a run left its plan.
  size_t arena_bytes() const { return arena_.capacity(); }
  size_t fallback_allocations() const { return fallback_allocations_; }

  /// The pool tensors on this thread draw from (null: the heap).
  static TensorPool* current();

 private:
  friend class PoolScope;
  enum class Mode { kHeap, kRecording, kPlanned };
  struct Live {
    void* data;
    size_t bytes;
    int32_t block;
    uint32_t run;  // which run acquired it (releases of older runs' blocks are not recorded)
    bool heap;     // from aligned_alloc (free it), else inside the arena or the reservation
  };
  void record(int32_t block, bool is_release);
  void poison(void* p, size_t bytes) const;

  Mode mode_ = Mode::kHeap;
  ActivationArena arena_;
  char* reservation_ = nullptr;  // recording addresses: PROT_NONE, never backed
  const MemoryPlan* plan_ = nullptr;
  bool following_ = false;  // the planned run still matches its plan
  size_t cursor_ = 0;       // next event of the plan
  uint32_t run_ = 0;        // counts runs and planning runs
  std::vector<Live> live_;
  std::vector<size_t> sizes_;  // recorded: block sizes
  std::vector<AllocationEvent> events_;
  size_t fallback_allocations_ = 0;
  bool poison_ = false;
};

/// Makes `pool` the current pool of this thread for the scope's lifetime.
class PoolScope {
 public:
  explicit PoolScope(TensorPool* pool);
  ~PoolScope();
  PoolScope(const PoolScope&) = delete;
  PoolScope& operator=(const PoolScope&) = delete;

 private:
  TensorPool* saved_;
};

}  // namespace espnet::detail
