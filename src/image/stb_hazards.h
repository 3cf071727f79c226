// Inputs that the stb_image we link (Debian's 2.27) mishandles, refused before it sees them. All
// were found by tests/fuzz/fuzz_image and are fixed upstream in stb_image 2.28:
// - a JPEG Huffman table (DHT) whose 16 code counts add up to more than 256: stb writes past its
//   257-entry size table and 256-entry value table (heap overflow);
// - a PNM (P5/P6) header number above INT_MAX: stb's parser overflows a signed int (undefined
//   behaviour; the wrapped size then reaches the decoder);
// - a 16-bit PNM (maximum value > 255) that needs a channel conversion: stb converts it as 8-bit
//   data and then reads twice the buffer it allocated (heap over-read). 16-bit PNMs are refused.
// PSD, HDR and PIC files, which photos never are, are refused outright to keep those decoders out
// of reach. The checks read the bytes exactly as stb_image does, so every table and number it would
// use is checked first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace espnet {

/// Throws espnet::Error naming `name` when `data` is one of the inputs above; returns quietly for
/// anything else (other formats, and files stb_image refuses by itself).
void refuse_stb_hazards(const uint8_t* data, size_t size, const std::string& name);

}  // namespace espnet
