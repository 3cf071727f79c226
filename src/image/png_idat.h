// The compressed image data (the zlib stream of a PNG's IDAT chunks) of an 8-bit image, made in
// row slices on several threads at once. zlib's Huffman-only coder, the fastest that still
// compresses photos, runs at ~130 MB/s, so one 750x400 overlay takes ~7 ms on one core.
//
// Each slice is a raw deflate stream of its own, so no slice refers to another's bytes, and every
// slice but the last ends byte-aligned and not final (Z_SYNC_FLUSH). Joined after the two-byte
// zlib header and followed by the Adler-32 of all filtered rows (adler32_combine), they are one
// valid zlib stream, which any PNG reader decodes. The settings are png_write.cpp's: RGB rows take
// the "up" filter and Huffman codes only; one-channel rows (label maps, palette indices) no filter
// and zlib level 1.
#pragma once

#include <cstdint>
#include <vector>

namespace espnet {

/// The zlib stream of `height` rows of `width` pixels of `channels` (1 or 3) bytes, PNG filter
/// bytes included, made in at most `threads` slices (fewer for a small image). Throws
/// espnet::Error when zlib fails.
std::vector<uint8_t> compress_idat(const uint8_t* pixels, int width, int height, int channels,
                                   int threads);

/// The number of slices compress_idat uses: at least 128 KB of pixels and 16 rows each.
int idat_slices(int width, int height, int channels, int threads);

}  // namespace espnet
