#include "image/jpeg_check.h"

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

}  // namespace

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

}  // namespace espnet
