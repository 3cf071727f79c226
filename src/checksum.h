// CRC-32 (ZIP entries, PNG chunks) and Adler-32 (zlib streams).
#pragma once

#include <cstddef>
#include <cstdint>

namespace espnet {

/// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) of `size` bytes, continuing from `crc`
/// (pass 0 to start).
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t size);

/// Adler-32 of `size` bytes continuing from `adler` (pass 1 to start).
uint32_t adler32_update(uint32_t adler, const uint8_t* data, size_t size);

}  // namespace espnet
