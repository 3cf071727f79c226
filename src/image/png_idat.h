// The compressed image data (the zlib stream of a PNG's IDAT chunks) of an 8-bit image, made in
// row slices on several threads at once. zlib's Huffman-only coder, the fastest that still
// compresses photos, runs at ~130 MB/s, so one 750x400 overlay takes ~7 ms on one core.
//
// Each slice is a raw deflate stream of its own, so no slice refers to another's bytes, and every
// slice but the last ends byte-aligned and not final (Z_SYNC_FLUSH). Joined after the two-byte
// zlib header and followed by the Adler-32 of all filtered rows (adler32_combine), they are one
// valid zlib stream, which any PNG reader decodes. The rows are coded as png_row_coding() says,
// the same settings libpng gets in png_write.cpp.
#pragma once

#include <cstdint>
#include <vector>

namespace espnet {

/// How our PNGs' rows are coded. They are written once per photo by a command a user waits for,
/// so speed wins over the last percent of size. Palette and grey images (label maps: long runs):
/// zlib level 1 (Z_BEST_SPEED), unfiltered, as the PNG specification advises for palette images
/// (~0.6 ms for a 750x400 map). RGB images (the blended overlay, a photo): the "up" filter and
/// Huffman codes only; measured on the 750x400 overlay, half the time of level 1 (11 vs 22 ms on
/// a loaded machine) for 17 % more bytes; the adaptive filter choice (all five) costs another 2x,
/// and the default level 6 8x.
struct PngRowCoding {
  int zlib_level;
  int zlib_strategy;  ///< Z_HUFFMAN_ONLY or Z_DEFAULT_STRATEGY
  bool up_filter;     ///< PNG filter type 2 ("up") on every row, else type 0 (none)
};
PngRowCoding png_row_coding(int channels);

/// The zlib stream of `height` rows of `width` pixels of `channels` (1 or 3) bytes, PNG filter
/// bytes included, made in at most `threads` slices (fewer for a small image). Throws
/// espnet::Error when zlib fails.
std::vector<uint8_t> compress_idat(const uint8_t* pixels, int width, int height, int channels,
                                   int threads);

/// The number of slices compress_idat uses: at least 128 KB of pixels and 16 rows each.
int idat_slices(int width, int height, int channels, int threads);

}  // namespace espnet
