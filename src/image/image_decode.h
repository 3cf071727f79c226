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

/// Decodes a JPEG, PNG, BMP, GIF, TGA or 8-bit PNM file to 3-channel RGB (grey is expanded, an alpha channel dropped), as
/// PIL's Image.open(path).convert('RGB') does. Throws espnet::Error naming the file when it is
/// missing, unreadable, corrupt, in an unsupported format or too large.
Image decode_image(const std::string& path);

/// The same for an encoded image held in memory; `name` is used in error messages.
Image decode_image_memory(const uint8_t* data, size_t size, const std::string& name);

}  // namespace espnet
