// Writing 8-bit PNG files (RGB, grey, palette) with libpng and zlib.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image/image.h"
#include "image/palette.h"

namespace espnet {

/// Encodes 8-bit pixels as a PNG file in memory. `channels` is 1 (grey) or 3 (RGB); with a
/// palette (`palette_entries` 1..256) the single channel holds palette indices, each of which
/// must be below `palette_entries`, and the file is an indexed-colour (palette) PNG. Throws
/// espnet::Error on bad arguments or when libpng reports a failure. An image of some size is
/// compressed on up to `threads` threads (png_idat.h); the pixels decoded are the same.
std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels,
                                const Palette* palette = nullptr, int palette_entries = 0,
                                int threads = 1);

/// Writes an RGB image (channels must be 3) atomically to `path`, compressed on up to `threads`
/// threads.
void write_png_rgb(const std::string& path, const Image& image, int threads = 1);
/// Writes a w x h 8-bit grey image atomically to `path`.
void write_png_gray(const std::string& path, const uint8_t* pixels, int width, int height,
                    int threads = 1);
/// Writes a w x h indexed-colour image with the first `palette_entries` palette colours.
void write_png_palette(const std::string& path, const uint8_t* indices, int width, int height,
                       const Palette& palette, int palette_entries, int threads = 1);

}  // namespace espnet
