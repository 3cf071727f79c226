#include "tensor_pool.h"

#include <cstdlib>

#include "espnet/error.h"

namespace espnet::detail {
namespace {

thread_local TensorPool* current_pool = nullptr;

}  // namespace

TensorPool::~TensorPool() {
  for (Block& b : blocks_) std::free(b.data);
}

void* TensorPool::acquire(size_t bytes) {
  for (Block& b : blocks_)
    if (!b.in_use && b.bytes == bytes) {
      b.in_use = true;
      return b.data;
    }
  void* p = std::aligned_alloc(64, bytes);
  if (!p) return nullptr;
  blocks_.push_back({p, bytes, true});
  bytes_held_ += bytes;
  ++heap_allocations_;
  return p;
}

void TensorPool::release(void* p) {
  for (Block& b : blocks_)
    if (b.data == p) {
      b.in_use = false;
      return;
    }
  std::abort();  // a pointer this pool never handed out: memory corruption, stop at once
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
