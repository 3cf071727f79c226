// Decoding JPEG/PNG/BMP/... files into 8-bit RGB with stb_image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "image/image.h"

namespace espnet {

/// Largest accepted width or height, and pixel count, checked from the header before decoding so
/// that a crafted header cannot make us allocate gigabytes.
constexpr int kMaxImageSide = 32768;
constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

// decode_image(path) and decode_image_memory(data, size, name) are declared in the public
// espnet/image.h (included above through image/image.h).

}  // namespace espnet
