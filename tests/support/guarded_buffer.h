// Buffers for kernel tests: inputs that end right before an inaccessible page (an over-read
// crashes), outputs prefilled with NaN (an element left unwritten fails) and followed by guard
// values (an over-write fails).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

namespace espnet::test {

constexpr int kGuardFloats = 64;
constexpr float kGuardValue = -7777.25f;

class GuardedInput {
 public:
  explicit GuardedInput(size_t count) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t bytes = std::max<size_t>(count, 1) * sizeof(float);
    size_ = (bytes + page - 1) / page * page + page;
    void* base = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    base_ = static_cast<char*>(base);
    mprotect(base_ + size_ - page, page, PROT_NONE);
    data_ = reinterpret_cast<float*>(base_ + size_ - page - count * sizeof(float));
  }
  ~GuardedInput() { munmap(base_, size_); }
  GuardedInput(const GuardedInput&) = delete;
  GuardedInput& operator=(const GuardedInput&) = delete;
  float* data() { return data_; }

 private:
  char* base_ = nullptr;
  size_t size_ = 0;
  float* data_ = nullptr;
};

/// `count` NaNs followed by kGuardFloats guard values.
inline std::vector<float> guarded_output(size_t count) {
  std::vector<float> out(count + kGuardFloats, std::nanf(""));
  std::fill(out.begin() + count, out.end(), kGuardValue);
  return out;
}

/// True when the guard values after `count` elements are intact.
inline bool guards_intact(const std::vector<float>& out, size_t count) {
  for (size_t i = count; i < out.size(); ++i)
    if (out[i] != kGuardValue) return false;
  return true;
}

}  // namespace espnet::test
