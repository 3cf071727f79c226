#include "image/image_header_size.h"

#include <cstring>

namespace espnet {
namespace {

uint32_t big_endian32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint32_t big_endian16(const uint8_t* p) {
  return uint32_t(p[0]) << 8 | p[1];
}

bool png_size(const uint8_t* data, size_t size, int64_t* width, int64_t* height) {
  static const uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  // Signature, then the IHDR chunk: length (4), "IHDR", width (4), height (4).
  if (size < 24 || std::memcmp(data, kSignature, 8) != 0 || std::memcmp(data + 12, "IHDR", 4))
    return false;
  *width = big_endian32(data + 16);
  *height = big_endian32(data + 20);
  return true;
}

bool jpeg_size(const uint8_t* data, size_t size, int64_t* width, int64_t* height) {
  if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) return false;
  size_t at = 2;
  while (at + 4 <= size) {
    if (data[at] != 0xFF) return false;
    const uint8_t marker = data[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    const size_t length = big_endian16(data + at + 2);
    // SOF0..SOF15 hold the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (at + 9 > size) return false;
      *height = big_endian16(data + at + 5);
      *width = big_endian16(data + at + 7);
      return true;
    }
    if (length < 2) return false;
    at += 2 + length;
  }
  return false;
}

}  // namespace

bool read_image_header_size(const uint8_t* data, size_t size, int64_t* width, int64_t* height,
                            const char** format) {
  if (png_size(data, size, width, height)) {
    *format = "PNG";
    return true;
  }
  if (jpeg_size(data, size, width, height)) {
    *format = "JPEG";
    return true;
  }
  return false;
}

}  // namespace espnet
