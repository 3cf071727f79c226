// Our PNG writer (libpng + zlib), read back with stb_image and with libpng itself, whose reader
// checks every chunk CRC and the zlib stream's Adler-32.
#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <stb/stb_image.h>

#include "espnet/error.h"
#include "file_util.h"
#include "image/image_decode.h"
#include "image/png_idat.h"
#include "image/png_write.h"

namespace espnet {
namespace {

Image random_rgb(int w, int h, unsigned seed, bool smooth) {
  std::mt19937 rng(seed);
  Image img;
  img.width = w;
  img.height = h;
  img.channels = 3;
  img.pixels.resize(size_t(w) * h * 3);
  for (size_t i = 0; i < img.pixels.size(); ++i)
    img.pixels[i] = smooth ? static_cast<uint8_t>((i / 3) % w + (i % 3) * 40) : rng() & 0xFF;
  return img;
}

TEST(PngWrite, RgbRoundTrip) {
  const unsigned seed = 42;
  std::printf("seed %u\n", seed);
  for (bool smooth : {false, true})
    for (auto [w, h] : {std::pair{1, 1}, {7, 3}, {275, 183}, {640, 2}}) {
      const Image img = random_rgb(w, h, seed, smooth);
      const std::string path = ::testing::TempDir() + "/rgb.png";
      write_png_rgb(path, img);
      const Image back = decode_image(path);
      ASSERT_EQ(back.width, w);
      ASSERT_EQ(back.height, h);
      EXPECT_EQ(back.pixels, img.pixels) << w << "x" << h << (smooth ? " smooth" : " noise");
    }
}

TEST(PngWrite, SmoothImagesCompress) {
  const Image img = random_rgb(512, 256, 1, true);
  const std::vector<uint8_t> png = encode_png(img.pixels.data(), 512, 256, 3);
  // RGB images are Huffman-coded without string matching (for speed; see png_write.cpp), so
  // a filtered row of zeros still costs about one bit per byte: 8x at best.
  EXPECT_LT(png.size(), img.pixels.size() / 6);
}

TEST(PngWrite, GreyRoundTrip) {
  std::vector<uint8_t> grey(300 * 200);
  for (size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<uint8_t>(i * 7 / 300);
  const std::string path = ::testing::TempDir() + "/grey.png";
  write_png_gray(path, grey.data(), 300, 200);
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  int w = 0, h = 0, n = 0;
  unsigned char* p = stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &n, 0);
  ASSERT_NE(p, nullptr) << stbi_failure_reason();
  EXPECT_EQ(n, 1);  // stored as grey, not RGB
  ASSERT_EQ(w, 300);
  ASSERT_EQ(h, 200);
  EXPECT_EQ(std::memcmp(p, grey.data(), grey.size()), 0);
  stbi_image_free(p);
}

TEST(PngWrite, PaletteRoundTrip) {
  const int w = 203, h = 61;
  std::vector<uint8_t> labels(size_t(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      labels[size_t(y) * w + x] = static_cast<uint8_t>((x / 16 + y / 8) % 21);
  const Palette palette = voc_palette();
  const std::string path = ::testing::TempDir() + "/labels.png";
  write_png_palette(path, labels.data(), w, h, palette, 21);
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  // Colour type 3 in IHDR and a 21-entry PLTE chunk.
  EXPECT_EQ(bytes[25], 3);
  EXPECT_EQ(std::memcmp(&bytes[37], "PLTE", 4), 0);
  EXPECT_EQ(bytes[36], 63);
  const Image back = decode_image(path);
  ASSERT_EQ(back.width, w);
  for (size_t i = 0; i < labels.size(); ++i)
    for (int c = 0; c < 3; ++c) ASSERT_EQ(back.pixels[3 * i + c], palette[3 * labels[i] + c]) << i;
}

// libpng's simplified reader decodes the file strictly (CRC and Adler-32 errors are fatal) and
// reports the stored format: a palette image must stay a palette image, grey stays grey.
void expect_libpng_reads(const std::vector<uint8_t>& png, int w, int h, png_uint_32 format_flags,
                         const std::vector<uint8_t>& expected_rgb) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&image, png.data(), png.size())) << image.message;
  EXPECT_EQ(image.width, png_uint_32(w));
  EXPECT_EQ(image.height, png_uint_32(h));
  EXPECT_EQ(image.format & (PNG_FORMAT_FLAG_COLORMAP | PNG_FORMAT_FLAG_COLOR), format_flags);
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr)) << image.message;
  EXPECT_EQ(rgb, expected_rgb);
}

TEST(PngWrite, LibpngReadsEveryKindBack) {
  const Image photo = random_rgb(131, 67, 7, false);
  expect_libpng_reads(encode_png(photo.pixels.data(), 131, 67, 3), 131, 67, PNG_FORMAT_FLAG_COLOR,
                      photo.pixels);
  std::vector<uint8_t> grey(50 * 9), grey_rgb;
  for (size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<uint8_t>(i * 13);
  for (uint8_t v : grey) grey_rgb.insert(grey_rgb.end(), {v, v, v});
  expect_libpng_reads(encode_png(grey.data(), 50, 9, 1), 50, 9, 0, grey_rgb);
  const Palette palette = cityscapes_palette();
  std::vector<uint8_t> labels(40 * 30), labels_rgb;
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<uint8_t>(i % 19);
  for (uint8_t v : labels)
    labels_rgb.insert(labels_rgb.end(), {palette[3 * v], palette[3 * v + 1], palette[3 * v + 2]});
  expect_libpng_reads(encode_png(labels.data(), 40, 30, 1, &palette, 19), 40, 30,
                      PNG_FORMAT_FLAG_COLORMAP | PNG_FORMAT_FLAG_COLOR, labels_rgb);
}

// RGB images compressed in row slices on several threads (png_idat.h) decode, in stb_image and
// in libpng (which checks the zlib stream's Adler-32), to exactly the pixels written, at sizes
// that cut into 1..4 slices of unequal rows, for noise and smooth images.
TEST(PngWrite, SlicedCompressionReadsBackExactly) {
  EXPECT_EQ(idat_slices(750, 400, 3, 2), 2);
  EXPECT_EQ(idat_slices(750, 400, 3, 8), 6);  // 128 KB of pixels each at least
  EXPECT_EQ(idat_slices(750, 400, 1, 8), 2);
  EXPECT_EQ(idat_slices(100, 100, 3, 4), 1);   // 30 KB: not worth a thread
  EXPECT_EQ(idat_slices(20000, 20, 3, 4), 1);  // one slice of 16+ rows
  EXPECT_EQ(idat_slices(750, 400, 3, 1), 1);
  for (bool smooth : {false, true})
    for (auto [w, h] : {std::pair{750, 400}, {513, 517}, {3001, 67}, {401, 1203}})
      for (int threads : {2, 3, 4}) {
        ASSERT_GT(idat_slices(w, h, 3, threads), 1) << w << "x" << h;
        const Image img = random_rgb(w, h, 11, smooth);
        const std::vector<uint8_t> png =
            encode_png(img.pixels.data(), w, h, 3, nullptr, 0, threads);
        const Image back = decode_image_memory(png.data(), png.size(), "sliced.png");
        ASSERT_EQ(back.width, w);
        EXPECT_EQ(back.pixels, img.pixels) << w << "x" << h << " threads " << threads;
        expect_libpng_reads(png, w, h, PNG_FORMAT_FLAG_COLOR, img.pixels);
        // Within a few bytes per slice of the single-threaded file.
        const size_t one = encode_png(img.pixels.data(), w, h, 3).size();
        EXPECT_LT(png.size(), one + 64 * threads);
      }
  // Label maps (palette) and grey images: no filter, zlib level 1 with string matching, which
  // stays inside each slice.
  const Palette palette = voc_palette();
  for (auto [w, h] : {std::pair{1001, 517}, {750, 400}})
    for (int threads : {2, 3}) {
      std::vector<uint8_t> labels(size_t(w) * h), labels_rgb;
      for (size_t i = 0; i < labels.size(); ++i)  // runs of classes, as a label map has
        labels[i] = static_cast<uint8_t>((i / 97 + i / size_t(w) / 13) % 21);
      for (uint8_t v : labels)
        labels_rgb.insert(labels_rgb.end(),
                          {palette[3 * v], palette[3 * v + 1], palette[3 * v + 2]});
      ASSERT_GT(idat_slices(w, h, 1, threads), 1);
      expect_libpng_reads(encode_png(labels.data(), w, h, 1, &palette, 21, threads), w, h,
                          PNG_FORMAT_FLAG_COLORMAP | PNG_FORMAT_FLAG_COLOR, labels_rgb);
      const std::vector<uint8_t> grey = encode_png(labels.data(), w, h, 1, nullptr, 0, threads);
      std::vector<uint8_t> grey_rgb;
      for (uint8_t v : labels) grey_rgb.insert(grey_rgb.end(), {v, v, v});
      expect_libpng_reads(grey, w, h, 0, grey_rgb);
    }
  // Through the file writer too.
  const Image img = random_rgb(640, 480, 5, true);
  const std::string path = ::testing::TempDir() + "/sliced.png";
  write_png_rgb(path, img, 2);
  EXPECT_EQ(decode_image(path).pixels, img.pixels);
}

TEST(PngWrite, CorruptionIsDetectedByTheChunkCrc) {
  const Image photo = random_rgb(64, 32, 3, true);
  std::vector<uint8_t> png = encode_png(photo.pixels.data(), 64, 32, 3);
  png[png.size() / 2] ^= 0x40;  // inside IDAT
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  bool ok = png_image_begin_read_from_memory(&image, png.data(), png.size());
  if (ok) {
    image.format = PNG_FORMAT_RGB;
    std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
    ok = png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr);
  }
  EXPECT_FALSE(ok);
  png_image_free(&image);
}

TEST(PngWrite, BadArgumentsAreErrors) {
  const std::string path = ::testing::TempDir() + "/bad.png";
  const uint8_t px[4] = {0, 1, 2, 30};
  const Palette palette = voc_palette();
  EXPECT_THROW(write_png_palette(path, px, 2, 2, palette, 21), Error);  // index 30 >= 21
  EXPECT_THROW(write_png_palette(path, px, 2, 2, palette, 0), Error);
  EXPECT_THROW(write_png_palette(path, px, 2, 2, palette, 257), Error);
  EXPECT_THROW(write_png_gray(path, px, 0, 2), Error);
  EXPECT_THROW(write_png_gray(path, nullptr, 2, 2), Error);
  Image img;
  img.width = 2;
  img.height = 2;
  img.channels = 1;
  img.pixels.assign(4, 0);
  EXPECT_THROW(write_png_rgb(path, img), Error);
  try {
    write_png_gray(::testing::TempDir() + "/no_such_dir/x.png", px, 2, 2);
    ADD_FAILURE() << "no error for a missing directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_dir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace espnet
