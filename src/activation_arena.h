// The one block of memory a session's planned runs take their activations from: an anonymous
// mapping, 2 MB-aligned and advised for transparent huge pages (a 100 MB arena then costs ~50
// page faults instead of ~25 000), and faulted in when it is mapped so the first run does not
// pay for it inside the kernels. Measured (first run, A/B alternating on a loaded machine):
// PASCAL s=2.0 384x384 spends ~200 ms faulting a 40 MB arena in 4 KB pages against 2-11 ms in
// huge pages; even the 2-4 MB arenas of the classifiers start faster in huge pages (10 of 10
// pairs), so small arenas are not treated differently.
#pragma once

#include <cstddef>

namespace espnet::detail {

class ActivationArena {
 public:
  ActivationArena() = default;
  ~ActivationArena();
  ActivationArena(const ActivationArena&) = delete;
  ActivationArena& operator=(const ActivationArena&) = delete;

  /// Makes the arena at least `bytes` long (a new mapping when it must grow; the old contents
  /// are not kept), faulting a new mapping in on up to `threads` OpenMP threads. Returns false
  /// when the system refuses the memory.
  bool reserve(size_t bytes, int threads = 1);
  /// Unmaps everything.
  void release();

  char* data() const { return data_; }
  size_t capacity() const { return capacity_; }

  /// Mappings are rounded to, and aligned on, this (one x86-64 huge page).
  static constexpr size_t kHugePage = size_t{2} << 20;
  /// Arenas from this size are faulted in on several threads. On the development VM, where a
  /// page's first touch can cost the host a fault of its own, 2 threads faulted memory the guest
  /// had used before at 0.077 ms/MB against 0.165-0.23 with 1, and never-touched memory at 1.07
  /// against 1.6 ms/MB; a smaller arena is not worth waking a thread for.
  static constexpr size_t kParallelFaultBytes = size_t{16} << 20;

 private:
  char* data_ = nullptr;
  size_t capacity_ = 0;
  size_t mapped_ = 0;  // the whole mapping, alignment slack included
  char* mapping_ = nullptr;
};

}  // namespace espnet::detail
