// A pre-check of JPEG Huffman tables, run before stb_image sees the bytes. stb_image 2.27 (the
// Debian version we link) trusts the 16 code counts of a DHT segment: when they add up to more
// than 256 it writes past its 257-entry size table and 256-entry value table (a heap overflow
// found by tests/fuzz/fuzz_image; fixed upstream in 2.28). This walks the markers exactly as
// stb_image does, so every table stb would build is checked first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace espnet {

/// Throws espnet::Error naming `name` when `data` is a JPEG with a Huffman table of more than 256
/// codes; returns quietly for anything else (other formats, and JPEGs stb_image refuses anyway).
void check_jpeg_huffman_tables(const uint8_t* data, size_t size, const std::string& name);

}  // namespace espnet
