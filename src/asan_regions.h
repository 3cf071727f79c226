// Keeps AddressSanitizer's per-tensor checks inside the activation arena. Heap blocks get
// redzones from ASan itself; arena blocks would not, so under ASan every planned block is
// followed by a gap of kAsanRedzone bytes, the arena is poisoned, and only live blocks are
// unpoisoned: a kernel reading or writing past its tensor, or a dead tensor, is reported as
// it was when every tensor had its own heap block. Without ASan all of this compiles to nothing.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define ESPNET_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ESPNET_ASAN 1
#endif
#endif

#ifdef ESPNET_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace espnet::detail {

#ifdef ESPNET_ASAN
constexpr bool kAddressSanitizer = true;
constexpr size_t kAsanRedzone = 64;
inline void mark_usable(void* p, size_t bytes) {
  ASAN_UNPOISON_MEMORY_REGION(p, bytes);
}
inline void mark_unusable(void* p, size_t bytes) {
  ASAN_POISON_MEMORY_REGION(p, bytes);
}
#else
constexpr bool kAddressSanitizer = false;
constexpr size_t kAsanRedzone = 0;
inline void mark_usable(void*, size_t) {}
inline void mark_unusable(void*, size_t) {}
#endif

}  // namespace espnet::detail
