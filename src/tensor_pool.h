// A session's pool of activation buffers. The first run of a shape allocates from the heap; the
// buffers are kept, and every later run of that shape reuses them, so a steady-state run makes
// no heap allocation. Tensors created while a PoolScope is active on the thread draw from it.
#pragma once

#include <cstddef>
#include <vector>

namespace espnet::detail {

class TensorPool {
 public:
  TensorPool() = default;
  ~TensorPool();
  TensorPool(const TensorPool&) = delete;
  TensorPool& operator=(const TensorPool&) = delete;

  /// A 64-byte-aligned buffer of exactly `bytes` (a free one of that size if there is one).
  void* acquire(size_t bytes);
  void release(void* p);

  /// Bytes held (in use or free), and how many acquisitions went to the heap.
  size_t bytes_held() const { return bytes_held_; }
  size_t heap_allocations() const { return heap_allocations_; }

  /// The pool tensors on this thread draw from (null: the heap).
  static TensorPool* current();

 private:
  friend class PoolScope;
  struct Block {
    void* data;
    size_t bytes;
    bool in_use;
  };
  std::vector<Block> blocks_;
  size_t bytes_held_ = 0;
  size_t heap_allocations_ = 0;
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
