// 8-bit images in memory, decoding photos and writing PNG files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "espnet/export.h"

namespace espnet {

/// An 8-bit image: rows top to bottom, pixels left to right, channels interleaved (HWC).
struct Image {
  int width = 0, height = 0, channels = 0;
  /// width * height * channels bytes, channel fastest (RGB for decoded photos).
  std::vector<uint8_t> pixels;
};

/// Decodes a JPEG, PNG, BMP, GIF, TGA or 8-bit PNM file to 3-channel RGB (grey is expanded, an
/// alpha channel dropped), as PIL's Image.open(path).convert('RGB') does. Throws espnet::Error
/// naming the file when it is missing, unreadable, corrupt, in an unsupported format (PSD, HDR,
/// PIC and 16-bit PNM are refused: see src/image/stb_hazards.h) or too large (more than 32768
/// pixels a side or 2^28 pixels).
ESPNET_API Image decode_image(const std::string& path);

/// The same for an encoded image held in memory (`size` bytes at `data`); `name` is used in
/// error messages.
ESPNET_API Image decode_image_memory(const uint8_t* data, size_t size, const std::string& name);

/// Writes an RGB (3 channels) or grey (1 channel) image as a PNG file, atomically (a temporary
/// file beside `path`, then rename). Throws espnet::Error on another channel count, an image
/// whose pixel count does not match its size, or a path that cannot be written.
ESPNET_API void write_png(const std::string& path, const Image& image);

}  // namespace espnet
