#include "image/png_write.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>

#include "espnet/error.h"
#include "file_util.h"
#include "image/png_idat.h"

namespace espnet {
namespace {

// PNG allows up to 2^31 - 1 per side; we refuse anything beyond what we could hold in memory.
constexpr int64_t kMaxPngPixels = int64_t{1} << 30;

// Everything libpng's callbacks need, plain data only: libpng reports errors with longjmp, which
// must not cross a frame holding objects with destructors.
struct PngSink {
  std::vector<uint8_t>* out = nullptr;
  char message[200] = {};
};

void on_error(png_structp png, png_const_charp message) {
  auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
  std::snprintf(sink->message, sizeof sink->message, "%s", message ? message : "unknown error");
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // nothing we write can be improved by a hint

void on_write(png_structp png, png_bytep data, png_size_t size) {
  auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    sink->out->insert(sink->out->end(), data, data + size);
  } catch (const std::bad_alloc&) {
    failed = true;
  }
  // Outside the try block: png_error leaves by longjmp.
  if (failed) png_error(png, "out of memory while encoding");
}

void on_flush(png_structp) {}

struct PngRequest {
  const uint8_t* pixels;
  int width, height, channels;
  const Palette* palette;
  int palette_entries;
  const std::vector<uint8_t>* idat;  // the compressed rows when made beforehand, else nullptr
};

// Runs libpng over the request. Only trivially destructible locals live between setjmp and any
// longjmp back to it. Returns false with sink->message set on failure.
bool run_libpng(const PngRequest& r, PngSink* sink) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, on_error, on_warning);
  if (!png) {
    std::snprintf(sink->message, sizeof sink->message, "cannot create the libpng writer");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(sink->message, sizeof sink->message, "cannot create the libpng info");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, sink, on_write, on_flush);
  const bool indexed = r.palette != nullptr;
  const int colour_type = indexed ? PNG_COLOR_TYPE_PALETTE
                                  : (r.channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY);
  png_set_IHDR(png, info, static_cast<png_uint_32>(r.width), static_cast<png_uint_32>(r.height), 8,
               colour_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (indexed) {
    png_color colours[256];
    for (int i = 0; i < r.palette_entries; ++i)
      colours[i] = {(*r.palette)[3 * i], (*r.palette)[3 * i + 1], (*r.palette)[3 * i + 2]};
    png_set_PLTE(png, info, colours, r.palette_entries);
  }
  const PngRowCoding coding = png_row_coding(r.channels);
  png_set_compression_level(png, coding.zlib_level);
  png_set_compression_strategy(png, coding.zlib_strategy);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, coding.up_filter ? PNG_FILTER_UP : PNG_FILTER_NONE);
  png_write_info(png, info);
  if (r.idat) {
    // Rows compressed beforehand (png_idat.h): libpng writes them as IDAT chunks (at most 1 GB
    // each; PNG allows 2 GB) and the closing IEND, with their CRCs.
    static const png_byte kIdat[5] = "IDAT", kIend[5] = "IEND";
    constexpr size_t kMaxChunk = size_t{1} << 30;
    for (size_t at = 0; at < r.idat->size(); at += kMaxChunk)
      png_write_chunk(png, kIdat, r.idat->data() + at, std::min(kMaxChunk, r.idat->size() - at));
    png_write_chunk(png, kIend, nullptr, 0);
  } else {
    const size_t stride = static_cast<size_t>(r.width) * r.channels;
    for (int y = 0; y < r.height; ++y)
      png_write_row(png, const_cast<png_bytep>(r.pixels + static_cast<size_t>(y) * stride));
    png_write_end(png, nullptr);
  }
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels,
                                const Palette* palette, int palette_entries, int threads) {
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
  std::vector<uint8_t> png;
  // A first guess at the size (label maps compress ~20x, photos ~2x) saves most regrowth.
  png.reserve(static_cast<size_t>(width) * height * channels / 2 + 1024);
  std::vector<uint8_t> idat;
  const bool sliced = idat_slices(width, height, channels, threads) > 1;
  if (sliced) idat = compress_idat(pixels, width, height, channels, threads);
  PngSink sink;
  sink.out = &png;
  if (!run_libpng(
          {pixels, width, height, channels, palette, palette_entries, sliced ? &idat : nullptr},
          &sink))
    throw Error(std::string("PNG: libpng failed: ") + sink.message);
  return png;
}

void write_png_rgb(const std::string& path, const Image& image, int threads) {
  if (image.channels != 3 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw Error("cannot write '" + path + "': expected an RGB image with a matching buffer, got " +
                std::to_string(image.channels) + " channels");
  const std::vector<uint8_t> png =
      encode_png(image.pixels.data(), image.width, image.height, 3, nullptr, 0, threads);
  write_file_atomic(path, png.data(), png.size());
}

void write_png_gray(const std::string& path, const uint8_t* pixels, int width, int height,
                    int threads) {
  std::vector<uint8_t> png;
  try {
    png = encode_png(pixels, width, height, 1, nullptr, 0, threads);
  } catch (const Error& e) {
    throw Error("cannot write '" + path + "': " + e.what());
  }
  write_file_atomic(path, png.data(), png.size());
}

void write_png_palette(const std::string& path, const uint8_t* indices, int width, int height,
                       const Palette& palette, int palette_entries, int threads) {
  const std::vector<uint8_t> png =
      encode_png(indices, width, height, 1, &palette, palette_entries, threads);
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
