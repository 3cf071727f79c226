#include "image/png_write.h"

#include <cstdlib>
#include <cstring>

#include "checksum.h"
#include "espnet/error.h"
#include "file_util.h"
#include "image/deflate.h"

namespace espnet {
namespace {

// PNG allows up to 2^31 - 1 per side; we refuse anything beyond what we could hold in memory.
constexpr int64_t kMaxPngPixels = int64_t{1} << 30;

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_chunk(std::vector<uint8_t>& out, const char type[4], const uint8_t* data, size_t size) {
  put_u32(out, static_cast<uint32_t>(size));
  const size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  if (size > 0) out.insert(out.end(), data, data + size);
  put_u32(out, crc32_update(0, out.data() + start, size + 4));
}

inline int paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// Filters one scanline with the given PNG filter type into `out` (type byte first).
void filter_row(int type, const uint8_t* row, const uint8_t* above, size_t length, int bpp,
                uint8_t* out) {
  out[0] = static_cast<uint8_t>(type);
  for (size_t i = 0; i < length; ++i) {
    const int x = row[i];
    const int a = i >= static_cast<size_t>(bpp) ? row[i - bpp] : 0;
    const int b = above ? above[i] : 0;
    const int c = (above && i >= static_cast<size_t>(bpp)) ? above[i - bpp] : 0;
    int predicted = 0;
    switch (type) {
      case 1:
        predicted = a;
        break;
      case 2:
        predicted = b;
        break;
      case 3:
        predicted = (a + b) / 2;
        break;
      case 4:
        predicted = paeth(a, b, c);
        break;
      default:
        break;
    }
    out[1 + i] = static_cast<uint8_t>(x - predicted);
  }
}

// Raw scanlines with a filter per row: none for palette images (as the PNG specification
// advises), otherwise the filter whose output has the smallest sum of absolute values.
std::vector<uint8_t> filtered_scanlines(const uint8_t* pixels, int width, int height, int bpp,
                                        bool indexed) {
  const size_t length = static_cast<size_t>(width) * bpp;
  std::vector<uint8_t> out((length + 1) * height);
  std::vector<uint8_t> candidate(length + 1);
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = pixels + static_cast<size_t>(y) * length;
    const uint8_t* above = y > 0 ? row - length : nullptr;
    uint8_t* dst = &out[static_cast<size_t>(y) * (length + 1)];
    if (indexed) {
      filter_row(0, row, above, length, bpp, dst);
      continue;
    }
    uint64_t best_cost = UINT64_MAX;
    for (int type = 0; type <= 4; ++type) {
      filter_row(type, row, above, length, bpp, candidate.data());
      uint64_t cost = 0;
      for (size_t i = 1; i <= length; ++i)
        cost += static_cast<uint64_t>(std::abs(static_cast<int8_t>(candidate[i])));
      if (cost < best_cost) {
        best_cost = cost;
        std::memcpy(dst, candidate.data(), length + 1);
      }
    }
  }
  return out;
}

}  // namespace

std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels,
                                const Palette* palette, int palette_entries) {
  if (pixels == nullptr || width <= 0 || height <= 0 || int64_t{width} * height > kMaxPngPixels)
    throw Error("PNG: invalid image size " + std::to_string(width) + "x" + std::to_string(height));
  if (channels != 1 && channels != 3)
    throw Error("PNG: unsupported channel count " + std::to_string(channels) + " (1 or 3)");
  const bool indexed = palette != nullptr;
  if (indexed) {
    if (channels != 1) throw Error("PNG: a palette image has one channel of indices");
    if (palette_entries < 1 || palette_entries > 256)
      throw Error("PNG: palette_entries must be 1..256, got " + std::to_string(palette_entries));
    const size_t n = static_cast<size_t>(width) * height;
    for (size_t i = 0; i < n; ++i)
      if (pixels[i] >= palette_entries)
        throw Error("PNG: palette index " + std::to_string(pixels[i]) + " at pixel " +
                    std::to_string(i) + " is not below palette_entries (" +
                    std::to_string(palette_entries) + ")");
  }

  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> header;
  put_u32(header, static_cast<uint32_t>(width));
  put_u32(header, static_cast<uint32_t>(height));
  header.push_back(8);                                      // bit depth
  header.push_back(indexed ? 3 : (channels == 3 ? 2 : 0));  // colour type
  header.push_back(0);                                      // deflate
  header.push_back(0);                                      // adaptive filtering
  header.push_back(0);                                      // no interlace
  put_chunk(png, "IHDR", header.data(), header.size());
  if (indexed) put_chunk(png, "PLTE", palette->data(), static_cast<size_t>(palette_entries) * 3);

  const std::vector<uint8_t> raw = filtered_scanlines(pixels, width, height, channels, indexed);
  const std::vector<uint8_t> compressed = zlib_compress(raw.data(), raw.size());
  put_chunk(png, "IDAT", compressed.data(), compressed.size());
  put_chunk(png, "IEND", nullptr, 0);
  return png;
}

void write_png_rgb(const std::string& path, const Image& image) {
  if (image.channels != 3 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw Error("cannot write '" + path + "': expected an RGB image with a matching buffer, got " +
                std::to_string(image.channels) + " channels");
  const std::vector<uint8_t> png = encode_png(image.pixels.data(), image.width, image.height, 3);
  write_file_atomic(path, png.data(), png.size());
}

void write_png_gray(const std::string& path, const uint8_t* pixels, int width, int height) {
  std::vector<uint8_t> png;
  try {
    png = encode_png(pixels, width, height, 1);
  } catch (const Error& e) {
    throw Error("cannot write '" + path + "': " + e.what());
  }
  write_file_atomic(path, png.data(), png.size());
}

void write_png_palette(const std::string& path, const uint8_t* indices, int width, int height,
                       const Palette& palette, int palette_entries) {
  const std::vector<uint8_t> png = encode_png(indices, width, height, 1, &palette, palette_entries);
  write_file_atomic(path, png.data(), png.size());
}

void write_png(const std::string& path, const Image& image) {
  if (image.channels == 3) return write_png_rgb(path, image);
  if (image.channels != 1)
    throw Error("cannot write '" + path + "': a PNG needs a 1-channel (grey) or 3-channel (RGB) " +
                "image, got " + std::to_string(image.channels) + " channels");
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height))
    throw Error("cannot write '" + path + "': the image holds " +
                std::to_string(image.pixels.size()) + " bytes, not " + std::to_string(image.width) +
                "x" + std::to_string(image.height));
  write_png_gray(path, image.pixels.data(), image.width, image.height);
}

}  // namespace espnet
