#include "denormals.h"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#include <xmmintrin.h>
#define ESPNET_HAVE_FLUSH_CONTROL 1
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define ESPNET_HAVE_FLUSH_CONTROL 1
#else
#define ESPNET_HAVE_FLUSH_CONTROL 0
#endif

namespace espnet {
namespace {

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
// MXCSR bit 15 (FTZ: denormal results become zero) and bit 6 (DAZ: denormal inputs read as zero).
constexpr uint64_t kFlushBits = (1u << 15) | (1u << 6);
uint64_t read_control() {
  return _mm_getcsr();
}
void write_control(uint64_t value) {
  _mm_setcsr(static_cast<unsigned>(value));
}
#elif ESPNET_HAVE_FLUSH_CONTROL
// AArch64 FPCR bit 24 (FZ): denormal inputs and results of single- and double-precision
// arithmetic, scalar and Advanced SIMD, are flushed to zero.
constexpr uint64_t kFlushBits = uint64_t{1} << 24;
uint64_t read_control() {
  uint64_t value;
  asm volatile("mrs %0, fpcr" : "=r"(value));
  return value;
}
void write_control(uint64_t value) {
  asm volatile("msr fpcr, %0" : : "r"(value));
}
#endif

}  // namespace

DenormalsFlushedToZero::DenormalsFlushedToZero() {
#if ESPNET_HAVE_FLUSH_CONTROL
  saved_ = read_control();
#pragma omp parallel
  write_control(read_control() | kFlushBits);
  write_control(saved_ | kFlushBits);  // the caller too, whether or not it joined the team
#endif
}

DenormalsFlushedToZero::~DenormalsFlushedToZero() {
#if ESPNET_HAVE_FLUSH_CONTROL
  write_control(saved_);
#endif
}

bool denormals_flushed_on_this_thread() {
#if ESPNET_HAVE_FLUSH_CONTROL
  return (read_control() & kFlushBits) == kFlushBits;
#else
  return false;
#endif
}

}  // namespace espnet
