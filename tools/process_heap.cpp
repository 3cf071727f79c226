#include "process_heap.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace espnet::cli {

#if defined(__GLIBC__)
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
// Heap memory reserved up front and kept through frees: it bounds how much the process may hold
// beyond what it uses (untouched pages cost nothing). Buffers over 32 MB (M_MMAP_THRESHOLD below)
// are mapped and returned on their own, as before.
constexpr size_t kHeapReserve = size_t{96} << 20;

}  // namespace

void tune_process_heap() {
  const char* plain = std::getenv("ESPNET_PLAIN_HEAP");
  if (plain && std::strcmp(plain, "1") == 0) return;
  // One arena for all threads: the pipeline's loader, network and writer threads then share the
  // advised heap below instead of each mapping its own.
  mallopt(M_ARENA_MAX, 1);
  // Buffers up to 32 MB (glibc's ceiling for this setting) come from the heap, not from a fresh
  // mapping each; what is freed stays for the next buffer (no trimming below the reserve).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(kHeapReserve + kHugePage));
  // Grow the heap once by the reserve (a small allocation that does not fit the current top
  // extends it by itself plus M_TOP_PAD), give it back to malloc's free list, and advise the
  // 2 MB-aligned part of it for transparent huge pages (the machine's THP mode may be
  // "madvise"). Nothing is touched here: pages are faulted in when first used.
  mallopt(M_TOP_PAD, static_cast<int>(kHeapReserve));
  void* probe = std::malloc(size_t{1} << 20);
  if (!probe) return;
  const uintptr_t start =
      (reinterpret_cast<uintptr_t>(probe) + kHugePage - 1) / kHugePage * kHugePage;
  std::free(probe);
  const uintptr_t end = reinterpret_cast<uintptr_t>(sbrk(0)) / kHugePage * kHugePage;
#ifdef MADV_HUGEPAGE
  if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#endif
}
#else
void tune_process_heap() {}
#endif

}  // namespace espnet::cli
