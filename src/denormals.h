// Flushing denormal floats to zero for the duration of a run. Arithmetic on denormals (|x| <
// 1.2e-38) takes a slow microcode path on x86, so a network fed tiny activations can run many
// times slower; PyTorch sets the same flags (torch.set_flush_denormal). The control register
// (MXCSR on x86, FPCR on AArch64) is per thread, so the flags are set on the calling thread and
// on every thread of its OpenMP team.
#pragma once

#include <cstdint>

namespace espnet {

class DenormalsFlushedToZero {
 public:
  /// Sets FTZ and DAZ (AArch64: FZ) on the calling thread and, inside an `omp parallel` region, on
  /// each OpenMP worker this thread will use. The workers keep the flags afterwards: they belong to
  /// the OpenMP runtime and may be running another session's work at any time.
  DenormalsFlushedToZero();
  /// Restores the calling thread's previous control register.
  ~DenormalsFlushedToZero();
  DenormalsFlushedToZero(const DenormalsFlushedToZero&) = delete;
  DenormalsFlushedToZero& operator=(const DenormalsFlushedToZero&) = delete;

 private:
  uint64_t saved_ = 0;
};

/// True when the calling thread flushes denormals to zero (x86: FTZ and DAZ set, AArch64: FZ);
/// false on CPUs whose flags this library does not set.
bool denormals_flushed_on_this_thread();

}  // namespace espnet
