#include "image/png_idat.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "espnet/error.h"

namespace espnet {

PngRowCoding png_row_coding(int channels) {
  const bool rgb = channels == 3;
  return {1, rgb ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY, rgb};
}

namespace {

struct Slice {
  int first_row = 0, rows = 0;
  std::vector<uint8_t> deflated;
  uLong adler = 1;
  int status = Z_OK;
};

// Filters and compresses one slice, 16 rows at a time through a small buffer. Plain status codes
// out, no exceptions: it runs inside an OpenMP loop.
void compress_slice(const uint8_t* pixels, int width, int channels, bool last, Slice* s) {
  const size_t row_bytes = static_cast<size_t>(width) * channels;
  const PngRowCoding coding = png_row_coding(channels);
  constexpr int kBatchRows = 16;
  std::vector<uint8_t> filtered((row_bytes + 1) * kBatchRows);
  z_stream z{};
  // Raw deflate (-15: the zlib header and trailer are ours).
  s->status = deflateInit2(&z, coding.zlib_level, Z_DEFLATED, -15, 8, coding.zlib_strategy);
  if (s->status != Z_OK) return;
  s->deflated.resize(deflateBound(&z, static_cast<uLong>((row_bytes + 1) * s->rows)) + 16);
  z.next_out = s->deflated.data();
  z.avail_out = static_cast<uInt>(s->deflated.size());
  for (int y = s->first_row; y < s->first_row + s->rows && s->status == Z_OK; y += kBatchRows) {
    const int n = std::min(kBatchRows, s->first_row + s->rows - y);
    for (int k = 0; k < n; ++k) {
      uint8_t* out = filtered.data() + (row_bytes + 1) * k;
      const uint8_t* row = pixels + row_bytes * static_cast<size_t>(y + k);
      out[0] = coding.up_filter ? 2 : 0;  // "up": each byte minus the one above (zeros above row 0)
      if (!coding.up_filter || y + k == 0) {
        std::memcpy(out + 1, row, row_bytes);
      } else {
        const uint8_t* above = row - row_bytes;
        for (size_t i = 0; i < row_bytes; ++i) out[1 + i] = static_cast<uint8_t>(row[i] - above[i]);
      }
    }
    const size_t bytes = (row_bytes + 1) * static_cast<size_t>(n);
    s->adler = adler32_z(s->adler, filtered.data(), bytes);
    z.next_in = filtered.data();
    z.avail_in = static_cast<uInt>(bytes);
    const bool end = y + n >= s->first_row + s->rows;
    const int rc = deflate(&z, end ? (last ? Z_FINISH : Z_SYNC_FLUSH) : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) s->status = rc;
    if (z.avail_in != 0) s->status = Z_BUF_ERROR;  // deflateBound was not enough: never
  }
  if (s->status == Z_OK) s->deflated.resize(s->deflated.size() - z.avail_out);
  deflateEnd(&z);
}

}  // namespace

int idat_slices(int width, int height, int channels, int threads) {
  const int64_t bytes = int64_t{width} * height * channels;
  const int64_t by_size = std::max<int64_t>(1, bytes / (128 * 1024));
  const int64_t by_rows = std::max(1, height / 16);
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>({threads, by_size, by_rows})));
}

std::vector<uint8_t> compress_idat(const uint8_t* pixels, int width, int height, int channels,
                                   int threads) {
  if (channels != 1 && channels != 3)
    throw Error("PNG: rows of 1 or 3 channels, not " + std::to_string(channels));
  const int count = idat_slices(width, height, channels, threads);
  std::vector<Slice> slices(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    slices[i].first_row = static_cast<int>(int64_t{height} * i / count);
    slices[i].rows = static_cast<int>(int64_t{height} * (i + 1) / count) - slices[i].first_row;
  }
#pragma omp parallel for num_threads(count) schedule(static, 1) if (count > 1)
  for (int i = 0; i < count; ++i)
    compress_slice(pixels, width, channels, i + 1 == count, &slices[i]);

  size_t total = 2 + 4;
  for (const Slice& s : slices) {
    if (s.status != Z_OK) throw Error("PNG: zlib failed (" + std::to_string(s.status) + ")");
    total += s.deflated.size();
  }
  std::vector<uint8_t> stream;
  stream.reserve(total);
  stream.push_back(0x78);  // deflate, 32 KB window
  stream.push_back(0x01);  // fastest compression level; (0x78 * 256 + 0x01) % 31 == 0
  uLong adler = 1;
  for (const Slice& s : slices) {
    stream.insert(stream.end(), s.deflated.begin(), s.deflated.end());
    const z_off_t length =
        static_cast<z_off_t>((static_cast<size_t>(width) * channels + 1) * s.rows);
    adler = &s == &slices[0] ? s.adler : adler32_combine(adler, s.adler, length);
  }
  for (int shift = 24; shift >= 0; shift -= 8)
    stream.push_back(static_cast<uint8_t>(adler >> shift));
  return stream;
}

}  // namespace espnet
