#include "parallel_crc32.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace espnet {
namespace {

struct Slice {
  size_t range;
  size_t offset, size;
  uLong crc;
};

// Checks slices until none is left; any number of threads may call it at once.
void check_slices(const std::vector<ByteRange>& ranges, std::vector<Slice>& slices,
                  std::atomic<size_t>& next) {
  for (size_t i = next.fetch_add(1); i < slices.size(); i = next.fetch_add(1)) {
    Slice& s = slices[i];
    s.crc = crc32_z(0, ranges[s.range].data + s.offset, s.size);
  }
}

int thread_budget() {
#ifdef _OPENMP
  return std::max(1, omp_get_max_threads());  // what --threads / omp_set_num_threads allow
#else
  return 1;
#endif
}

}  // namespace

std::vector<uint32_t> parallel_crc32(const std::vector<ByteRange>& ranges) {
  constexpr size_t kSlice = size_t{1} << 20;
  std::vector<Slice> slices;
  for (size_t r = 0; r < ranges.size(); ++r)
    for (size_t at = 0; at == 0 || at < ranges[r].size; at += kSlice)
      slices.push_back({r, at, std::min(kSlice, ranges[r].size - at), 0});
  // Plain threads that end with the loop, not an OpenMP team: after a parallel region libgomp's
  // workers spin for milliseconds (GOMP_SPINCOUNT) before they sleep, and what follows here
  // (unpacking and packing the weights) is serial. On a 2-vCPU VM that spinning worker slowed the
  // loading thread by a third: a converted SSD300 file loaded in 20-25 ms at --threads 2 against
  // 12-16 ms with OMP_WAIT_POLICY=passive or at --threads 1. A few slices are not worth a thread.
  const size_t helpers =
      slices.size() > 4 ? std::min(slices.size() / 2, size_t(thread_budget())) - 1 : 0;
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < helpers; ++t) {
    try {
      threads.emplace_back([&] { check_slices(ranges, slices, next); });
    } catch (const std::system_error&) {
      break;  // no thread to be had: the calling thread checks the rest
    }
  }
  check_slices(ranges, slices, next);
  for (std::thread& t : threads) t.join();

  std::vector<uint32_t> crcs(ranges.size());
  size_t at = 0;
  for (size_t r = 0; r < ranges.size(); ++r) {
    uLong crc = slices[at].crc;
    for (++at; at < slices.size() && slices[at].range == r; ++at)
      crc = crc32_combine(crc, slices[at].crc, static_cast<z_off_t>(slices[at].size));
    crcs[r] = static_cast<uint32_t>(crc);
  }
  return crcs;
}

}  // namespace espnet
