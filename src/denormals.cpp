#include "denormals.h"

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#include <xmmintrin.h>
#define ESPNET_HAVE_MXCSR 1
#else
#define ESPNET_HAVE_MXCSR 0
#endif

namespace espnet {
namespace {

#if ESPNET_HAVE_MXCSR
// MXCSR bit 15 (FTZ: denormal results become zero) and bit 6 (DAZ: denormal inputs read as zero).
constexpr unsigned kFlushBits = (1u << 15) | (1u << 6);
#endif

}  // namespace

DenormalsFlushedToZero::DenormalsFlushedToZero() {
#if ESPNET_HAVE_MXCSR
  saved_ = _mm_getcsr();
#pragma omp parallel
  _mm_setcsr(_mm_getcsr() | kFlushBits);
  _mm_setcsr(saved_ | kFlushBits);  // the caller too, whether or not it joined the team
#endif
}

DenormalsFlushedToZero::~DenormalsFlushedToZero() {
#if ESPNET_HAVE_MXCSR
  _mm_setcsr(saved_);
#endif
}

bool denormals_flushed_on_this_thread() {
#if ESPNET_HAVE_MXCSR
  return (_mm_getcsr() & kFlushBits) == kFlushBits;
#else
  return false;
#endif
}

}  // namespace espnet
