// Our PNG writer, read back with stb_image; checksums against known values.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <stb/stb_image.h>

#include "checksum.h"
#include "espnet/error.h"
#include "file_util.h"
#include "image/image_decode.h"
#include "image/png_write.h"

namespace espnet {
namespace {

TEST(Checksum, KnownValues) {
  const char* text = "123456789";
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text);
  EXPECT_EQ(crc32_update(0, p, 9), 0xCBF43926u);
  EXPECT_EQ(adler32_update(1, p, 9), 0x091E01DEu);
  // Split updates give the same result.
  EXPECT_EQ(crc32_update(crc32_update(0, p, 4), p + 4, 5), 0xCBF43926u);
  EXPECT_EQ(adler32_update(adler32_update(1, p, 4), p + 4, 5), 0x091E01DEu);
  // Adler-32 over more than one 5552-byte block of 0xFF (the overflow-prone case).
  std::vector<uint8_t> ff(100000, 0xFF);
  uint32_t a = 1, b = 0;
  for (uint8_t v : ff) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  EXPECT_EQ(adler32_update(1, ff.data(), ff.size()), (b << 16) | a);
}

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
  EXPECT_LT(png.size(), img.pixels.size() / 10);
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
