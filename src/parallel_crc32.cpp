#include "parallel_crc32.h"

#include <zlib.h>

#include <algorithm>

namespace espnet {

std::vector<uint32_t> parallel_crc32(const std::vector<ByteRange>& ranges) {
  constexpr size_t kSlice = size_t{1} << 20;
  struct Slice {
    size_t range;
    size_t offset, size;
    uLong crc;
  };
  std::vector<Slice> slices;
  for (size_t r = 0; r < ranges.size(); ++r)
    for (size_t at = 0; at == 0 || at < ranges[r].size; at += kSlice)
      slices.push_back({r, at, std::min(kSlice, ranges[r].size - at), 0});
  const int64_t count = static_cast<int64_t>(slices.size());
  // A few slices are not worth waking the threads for.
#pragma omp parallel for schedule(dynamic, 1) if (count > 4)
  for (int64_t i = 0; i < count; ++i) {
    Slice& s = slices[static_cast<size_t>(i)];
    s.crc = crc32_z(0, ranges[s.range].data + s.offset, s.size);
  }
  std::vector<uint32_t> crcs(ranges.size());
  size_t next = 0;
  for (size_t r = 0; r < ranges.size(); ++r) {
    uLong crc = slices[next].crc;
    for (++next; next < slices.size() && slices[next].range == r; ++next)
      crc = crc32_combine(crc, slices[next].crc, static_cast<z_off_t>(slices[next].size));
    crcs[r] = static_cast<uint32_t>(crc);
  }
  return crcs;
}

}  // namespace espnet
