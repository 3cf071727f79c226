#include "image/deflate.h"

#include <algorithm>

#include "checksum.h"

namespace espnet {
namespace {

constexpr int kWindow = 32768;
constexpr int kMinMatch = 3;
constexpr int kMaxMatch = 258;
constexpr int kHashBits = 15;
constexpr int kMaxChain = 48;

constexpr uint16_t kLengthBase[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// Deflate's bit stream: values are packed starting at the least significant bit.
class BitWriter {
 public:
  explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
  void put(uint32_t value, int bits) {
    buffer_ |= static_cast<uint64_t>(value) << count_;
    count_ += bits;
    while (count_ >= 8) {
      out_.push_back(static_cast<uint8_t>(buffer_));
      buffer_ >>= 8;
      count_ -= 8;
    }
  }
  // Huffman codes are defined most significant bit first.
  void put_code(uint32_t code, int bits) {
    uint32_t reversed = 0;
    for (int i = 0; i < bits; ++i) reversed |= ((code >> i) & 1u) << (bits - 1 - i);
    put(reversed, bits);
  }
  void flush() {
    if (count_ > 0) out_.push_back(static_cast<uint8_t>(buffer_));
    buffer_ = 0;
    count_ = 0;
  }

 private:
  std::vector<uint8_t>& out_;
  uint64_t buffer_ = 0;
  int count_ = 0;
};

// The fixed literal/length code of RFC 1951 section 3.2.6.
void put_literal_length(BitWriter& bits, int symbol) {
  if (symbol < 144)
    bits.put_code(0x30 + symbol, 8);
  else if (symbol < 256)
    bits.put_code(0x190 + (symbol - 144), 9);
  else if (symbol < 280)
    bits.put_code(symbol - 256, 7);
  else
    bits.put_code(0xC0 + (symbol - 280), 8);
}

void put_match(BitWriter& bits, int length, int distance) {
  int l = 28;
  while (kLengthBase[l] > length) --l;
  put_literal_length(bits, 257 + l);
  bits.put(length - kLengthBase[l], kLengthExtra[l]);
  int d = 29;
  while (kDistBase[d] > distance) --d;
  bits.put_code(d, 5);
  bits.put(distance - kDistBase[d], kDistExtra[d]);
}

inline uint32_t hash3(const uint8_t* p) {
  const uint32_t v = p[0] | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16);
  return (v * 2654435761u) >> (32 - kHashBits);
}

}  // namespace

std::vector<uint8_t> zlib_compress(const uint8_t* data, size_t size) {
  std::vector<uint8_t> out;
  out.reserve(size / 4 + 64);
  out.push_back(0x78);  // CMF: deflate, 32 KiB window
  out.push_back(0x01);  // FLG: no dictionary, check bits so that CMF*256+FLG is divisible by 31
  BitWriter bits(out);
  bits.put(1, 1);  // BFINAL: a single block
  bits.put(1, 2);  // BTYPE 01: fixed Huffman codes

  // head[h]: latest position with hash h; prev[pos % window]: the previous one with the same
  // hash. Positions are stored + 1 so that 0 means none.
  std::vector<int64_t> head(size_t{1} << kHashBits, 0);
  std::vector<int64_t> prev(kWindow, 0);
  auto insert = [&](size_t pos) {
    const uint32_t h = hash3(data + pos);
    prev[pos % kWindow] = head[h];
    head[h] = static_cast<int64_t>(pos) + 1;
  };

  size_t pos = 0;
  while (pos < size) {
    int best_length = 0, best_distance = 0;
    if (pos + kMinMatch <= size) {
      const size_t limit = std::min<size_t>(kMaxMatch, size - pos);
      int64_t candidate = head[hash3(data + pos)];
      for (int chain = 0; candidate > 0 && chain < kMaxChain; ++chain) {
        const size_t cand = static_cast<size_t>(candidate - 1);
        if (pos - cand > static_cast<size_t>(kWindow - 1)) break;
        size_t n = 0;
        while (n < limit && data[cand + n] == data[pos + n]) ++n;
        if (static_cast<int>(n) > best_length) {
          best_length = static_cast<int>(n);
          best_distance = static_cast<int>(pos - cand);
          if (n == limit) break;
        }
        const int64_t next = prev[cand % kWindow];
        if (next >= candidate) break;  // the slot was overwritten by a newer position
        candidate = next;
      }
    }
    if (best_length >= kMinMatch) {
      put_match(bits, best_length, best_distance);
      for (int i = 0; i < best_length; ++i, ++pos)
        if (pos + kMinMatch <= size) insert(pos);
    } else {
      put_literal_length(bits, data[pos]);
      if (pos + kMinMatch <= size) insert(pos);
      ++pos;
    }
  }
  put_literal_length(bits, 256);  // end of block
  bits.flush();

  const uint32_t adler = adler32_update(1, data, size);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(adler >> shift));
  return out;
}

}  // namespace espnet
