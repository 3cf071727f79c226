#include "image/stb_hazards.h"

#include <climits>
#include <cstring>

#include "espnet/error.h"

namespace espnet {
namespace {

constexpr uint8_t kDht = 0xC4, kEoi = 0xD9;

// stb_image's reader returns 0 past the end of the buffer; so do we, to read what it reads.
uint8_t byte_at(const uint8_t* data, size_t size, size_t at) {
  return at < size ? data[at] : 0;
}

// Markers without a length field: TEM, RST0..7, SOI (and 0x00, a stuffed 0xFF in scan data).
bool is_standalone(uint8_t marker) {
  return marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8);
}

// The DHT segment whose length field is at `at`, read as stb_image reads it (it trusts the counts
// and may read past the segment, stopping when the length is used up). Returns false where stb
// would reject the segment itself.
bool check_dht(const uint8_t* data, size_t size, size_t at, const std::string& name) {
  long left = static_cast<long>((byte_at(data, size, at) << 8) | byte_at(data, size, at + 1)) - 2;
  size_t p = at + 2;
  while (left > 0) {
    const size_t table_at = p;
    const uint8_t kind = byte_at(data, size, p++);
    if ((kind >> 4) > 1 || (kind & 15) > 3) return false;  // "bad DHT header"
    long codes = 0;
    for (int i = 0; i < 16; ++i) codes += byte_at(data, size, p++);
    if (codes > 256)
      throw Error("cannot decode image '" + name + "': corrupt JPEG: the Huffman table at byte " +
                  std::to_string(table_at) + " declares " + std::to_string(codes) +
                  " codes (at most 256)");
    p += static_cast<size_t>(codes);
    left -= 17 + codes;
  }
  return left == 0;
}

void check_jpeg_huffman_tables(const uint8_t* data, size_t size, const std::string& name) {
  // stb accepts fill bytes (0xFF) before SOI.
  size_t pos = 0;
  while (pos < size && data[pos] == 0xFF) ++pos;
  if (pos == 0 || pos >= size || data[pos] != 0xD8) return;  // not a JPEG
  ++pos;
  // Every place stb_image can find a marker is visited: it skips stray bytes before a marker,
  // skips each segment by its length and scans entropy-coded data for the next 0xFF + marker.
  // Standalone markers and stuffed bytes are stepped over (stb rejects most of them, so this
  // visits a superset of what it reads).
  while (pos < size) {
    if (data[pos] != 0xFF) {
      ++pos;
      continue;
    }
    while (pos < size && data[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= size) return;
    const uint8_t marker = data[pos++];
    if (is_standalone(marker)) continue;
    if (marker == kEoi) return;  // stb stops at EOI
    if (pos + 2 > size) return;
    const size_t length = (static_cast<size_t>(data[pos]) << 8) | data[pos + 1];
    if (length < 2) return;  // stb rejects it
    if (marker == kDht && !check_dht(data, size, pos, name)) return;
    pos += length;
  }
}

bool is_pnm_space(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// stb_image's P5/P6 header parser (stbi__pnm_info): width, height and maximum value, each after
// whitespace and '#' comments, accumulated in an int without an overflow check.
void check_pnm_header(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 2 || data[0] != 'P' || (data[1] != '5' && data[1] != '6')) return;
  size_t pos = 2;
  const auto at_end = [&] { return pos >= size; };
  const auto next = [&]() -> uint8_t { return pos < size ? data[pos++] : 0; };
  uint8_t c = next();
  int64_t value = 0;
  for (const char* field : {"width", "height", "maximum value"}) {
    while (!at_end() && (is_pnm_space(c) || c == '#')) {
      while (!at_end() && is_pnm_space(c)) c = next();
      if (c == '#')
        while (!at_end() && c != '\n' && c != '\r') c = next();
    }
    value = 0;
    while (!at_end() && c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      if (value > INT_MAX)
        throw Error("cannot decode image '" + name + "': corrupt PNM header: its " + field +
                    " is larger than " + std::to_string(INT_MAX));
      c = next();
    }
  }
  if (value > 255)
    throw Error("cannot decode image '" + name + "': 16-bit PNM images (maximum value " +
                std::to_string(value) + ") are not supported");
}

bool starts_with(const uint8_t* data, size_t size, const char* prefix, size_t n) {
  return size >= n && std::memcmp(data, prefix, n) == 0;
}

// Formats stb_image can read but photos never use: Photoshop, Radiance HDR and Softimage PIC.
// Their 2.27 decoders are the least exercised; not offering them keeps them out of reach.
void refuse_unused_formats(const uint8_t* data, size_t size, const std::string& name) {
  const char* format = nullptr;
  if (starts_with(data, size, "8BPS", 4)) format = "Photoshop (PSD)";
  if (starts_with(data, size, "#?RADIANCE\n", 11) || starts_with(data, size, "#?RGBE\n", 7))
    format = "Radiance HDR";
  if (starts_with(data, size, "\x53\x80\xf6\x34", 4)) format = "Softimage PIC";
  if (format)
    throw Error("cannot decode image '" + name + "': " + format +
                " images are not supported (JPEG, PNG, BMP, GIF, TGA and PNM are)");
}

}  // namespace

void refuse_stb_hazards(const uint8_t* data, size_t size, const std::string& name) {
  refuse_unused_formats(data, size, name);
  check_jpeg_huffman_tables(data, size, name);
  check_pnm_header(data, size, name);
}

}  // namespace espnet
