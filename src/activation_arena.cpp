#include "activation_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#include "asan_regions.h"

namespace espnet::detail {

ActivationArena::~ActivationArena() {
  release();
}

void ActivationArena::release() {
  if (data_) mark_usable(data_, capacity_);  // ASan: the next mapping here starts clean
  if (mapping_) munmap(mapping_, mapped_);
  mapping_ = data_ = nullptr;
  mapped_ = capacity_ = 0;
}

bool ActivationArena::reserve(size_t bytes, int threads) {
  if (bytes <= capacity_) return true;
  release();
  const size_t capacity = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  // Over-map by one huge page so a 2 MB-aligned start can be cut out of it.
  const size_t mapped = capacity + kHugePage;
  void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  char* base = static_cast<char*>(p);
  const uintptr_t aligned =
      (reinterpret_cast<uintptr_t>(base) + kHugePage - 1) / kHugePage * kHugePage;
  mapping_ = base;
  mapped_ = mapped;
  data_ = reinterpret_cast<char*>(aligned);
  capacity_ = capacity;
#ifdef MADV_HUGEPAGE
  madvise(data_, capacity_, MADV_HUGEPAGE);  // advice only: without THP the arena still works
#endif
  // Fault the arena in now, one write per page, rather than inside the first run's kernels;
  // with huge pages this is one fault per 2 MB. Threads take whole huge pages.
  const long page = sysconf(_SC_PAGESIZE);
  const size_t step = page > 0 ? size_t(page) : 4096;
  const int64_t huge_pages = int64_t(capacity_ / kHugePage);
  char* const data = data_;
#pragma omp parallel for schedule(static) \
    num_threads(threads > 1 ? threads : 1) if (threads > 1 && capacity_ >= kParallelFaultBytes)
  for (int64_t h = 0; h < huge_pages; ++h)
    for (size_t i = 0; i < kHugePage; i += step) data[size_t(h) * kHugePage + i] = 0;
  return true;
}

}  // namespace espnet::detail
