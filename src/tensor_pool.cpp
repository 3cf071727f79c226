#include "tensor_pool.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "asan_regions.h"
#include "espnet/error.h"

namespace espnet::detail {
namespace {

thread_local TensorPool* current_pool = nullptr;

// A planning run may make this many allocations (a run of the largest network makes ~1500).
constexpr size_t kMaxRecordedBlocks = size_t{1} << 20;

}  // namespace

TensorPool::TensorPool() = default;

TensorPool::~TensorPool() {
  for (Live& b : live_)
    if (b.heap) std::free(b.data);
  if (reservation_) munmap(reservation_, kMaxRecordedBlocks * kBlockAlignment);
}

void TensorPool::poison(void* p, size_t bytes) const {
  if (poison_) std::memset(p, 0xFF, bytes);  // 0xFFFFFFFF is a NaN: it spreads into the outputs
}

void TensorPool::record(int32_t block, bool is_release) {
  events_.push_back({block, is_release});
}

void* TensorPool::acquire(size_t bytes) {
  bytes = (bytes + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment;
  const size_t reserved = bytes + kAsanRedzone;  // what the plan sets aside for the block
  const int32_t block = static_cast<int32_t>(sizes_.size());
  if (mode_ == Mode::kRecording) {
    if (sizes_.size() >= kMaxRecordedBlocks)
      throw Error("memory planning: the network makes more than " +
                  std::to_string(kMaxRecordedBlocks) + " allocations in one run");
    sizes_.push_back(reserved);
    record(block, false);
    void* p = reservation_ + size_t(block) * kBlockAlignment;
    live_.push_back({p, bytes, block, run_, false});
    return p;
  }
  void* p = nullptr;
  bool heap = true;
  if (mode_ == Mode::kPlanned) {
    sizes_.push_back(reserved);
    if (following_ && cursor_ < plan_->events.size() &&
        plan_->events[cursor_] == AllocationEvent{block, false} &&
        size_t(block) < plan_->sizes.size() && plan_->sizes[block] == reserved) {
      ++cursor_;
      p = arena_.data() + plan_->offsets[block];
      mark_usable(p, bytes);
      heap = false;
    } else {
      following_ = false;
    }
    record(block, false);
  }
  if (heap) {
    p = std::aligned_alloc(kBlockAlignment, bytes);
    if (!p) return nullptr;
    if (mode_ == Mode::kPlanned) ++fallback_allocations_;
  }
  poison(p, bytes);
  live_.push_back({p, bytes, block, run_, heap});
  return p;
}

void TensorPool::release(void* p) {
  size_t i = live_.size();
  while (i > 0 && live_[i - 1].data != p) --i;
  if (i == 0) {
    const char* c = static_cast<const char*>(p);
    if (reservation_ && c >= reservation_ &&
        c < reservation_ + kMaxRecordedBlocks * kBlockAlignment)
      return;      // a planning run's output outliving the planning run: nothing behind it
    std::abort();  // a pointer this pool never handed out: memory corruption, stop at once
  }
  const Live block = live_[i - 1];
  live_.erase(live_.begin() + std::ptrdiff_t(i - 1));
  const bool this_run = block.run == run_;
  if (mode_ == Mode::kRecording && this_run) {
    record(block.block, true);
    return;  // a reservation address: nothing to free or poison
  }
  if (mode_ == Mode::kPlanned && this_run) {
    if (following_ && cursor_ < plan_->events.size() &&
        plan_->events[cursor_] == AllocationEvent{block.block, true})
      ++cursor_;
    else
      following_ = false;
    record(block.block, true);
  }
  if (block.heap) {
    std::free(block.data);
  } else {
    poison(block.data, block.bytes);  // an arena block (recording addresses returned above)
    mark_unusable(block.data, block.bytes);
  }
}

void TensorPool::begin_recording() {
  if (!reservation_) {
    void* r = mmap(nullptr, kMaxRecordedBlocks * kBlockAlignment, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) throw Error("memory planning: cannot reserve address space");
    reservation_ = static_cast<char*>(r);
  }
  mode_ = Mode::kRecording;
  ++run_;
  sizes_.clear();
  events_.clear();
}

MemoryPlan TensorPool::finish_recording() {
  mode_ = Mode::kHeap;
  // Blocks still alive (the planning run's outputs, if the caller kept them) end with the run.
  for (size_t i = live_.size(); i > 0; --i)
    if (live_[i - 1].run == run_ && !live_[i - 1].heap) {
      record(live_[i - 1].block, true);
      live_.erase(live_.begin() + std::ptrdiff_t(i - 1));
    }
  return plan_memory(std::move(sizes_), std::move(events_));
}

void TensorPool::abandon_recording() {
  mode_ = Mode::kHeap;
  sizes_.clear();
  events_.clear();
}

bool TensorPool::prepare_arena(size_t bytes, int threads) {
  return !live_.empty() || arena_.reserve(bytes, threads);
}

bool TensorPool::begin_planned_run(const MemoryPlan* plan, int threads) {
  // If something still held pool memory (it should not: the session releases its outputs
  // first), the plan's offsets might be in use and the arena must not move: heap blocks only.
  following_ = live_.empty();
  if (following_ && !arena_.reserve(plan->arena_bytes, threads)) return false;
  if (following_) mark_unusable(arena_.data(), arena_.capacity());  // ASan: nothing live yet
  mode_ = Mode::kPlanned;
  plan_ = plan;
  ++run_;
  cursor_ = 0;
  sizes_.clear();
  events_.clear();
  sizes_.reserve(plan->sizes.size());
  events_.reserve(plan->events.size());
  live_.reserve(plan->sizes.size());
  return true;
}

void TensorPool::begin_heap_run() {
  mode_ = Mode::kHeap;
  ++run_;
  plan_ = nullptr;
}

bool TensorPool::end_run(MemoryPlan* replan) {
  const bool left_plan = mode_ == Mode::kPlanned && !following_;
  if (left_plan && replan) {
    replan->sizes = sizes_;
    replan->events = events_;
  }
  mode_ = Mode::kHeap;
  sizes_.clear();
  events_.clear();
  return left_plan && replan;
}

TensorPool* TensorPool::current() {
  return current_pool;
}

PoolScope::PoolScope(TensorPool* pool) : saved_(current_pool) {
  current_pool = pool;
}
PoolScope::~PoolScope() {
  current_pool = saved_;
}

}  // namespace espnet::detail
