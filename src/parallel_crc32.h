// CRC-32 (zlib's, the ZIP and PNG one) of many byte ranges at once, on as many threads as OpenMP
// allows: the ranges are cut into slices of at most 1 MiB, checked in parallel, and each range's
// CRC is its slices' CRCs joined in order with crc32_combine, which is exact. One core checks
// ~1.3-5 GB/s depending on how warm the memory is, and checkpoints and model files are tens of MB,
// so loading spends milliseconds here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace espnet {

struct ByteRange {
  const uint8_t* data;
  size_t size;
};

/// The CRC-32 of each range, in order.
std::vector<uint32_t> parallel_crc32(const std::vector<ByteRange>& ranges);

}  // namespace espnet
