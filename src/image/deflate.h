// A small zlib (RFC 1950) compressor: LZ77 with hash chains and one fixed-Huffman deflate
// (RFC 1951) block. Enough for PNG files that any decoder reads; not tuned for ratio.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace espnet {

/// Compresses `size` bytes into a complete zlib stream (header, deflate data, Adler-32).
std::vector<uint8_t> zlib_compress(const uint8_t* data, size_t size);

}  // namespace espnet
