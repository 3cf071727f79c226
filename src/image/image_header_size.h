// The pixel size a PNG or JPEG header states, read without decoding, so that a file the decoder
// refuses for its size can be reported as too large rather than as an unknown format
// (stb_image's own header reader gives up on sizes it cannot decode and then says "unknown
// image type").
#pragma once

#include <cstddef>
#include <cstdint>

namespace espnet {

/// The width and height of a PNG (IHDR) or JPEG (first SOFn marker) in `data`; false for any
/// other or truncated file. `format` gets "PNG" or "JPEG".
bool read_image_header_size(const uint8_t* data, size_t size, int64_t* width, int64_t* height,
                            const char** format);

}  // namespace espnet
