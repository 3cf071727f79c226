// stb_image decoding against PIL's (libjpeg) decode of the reference photos, and bad files.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "espnet/npy.h"
#include "file_util.h"
#include "image/image_decode.h"
#include "image/png_write.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

TEST(ImageDecode, Sample8CloseToLibjpeg) {
  ESPNET_REQUIRE_REF_DATA();
  const Image img = decode_image(test::ref_path("images/sample8.jpg"));
  const NpyArray ref = read_npy(test::ref_path("images/sample8/decoded_rgb.npy"));
  ASSERT_EQ(ref.type, NpyType::kUInt8);
  ASSERT_EQ(ref.shape, Shape({183, 275, 3}));
  ASSERT_EQ(img.width, 275);
  ASSERT_EQ(img.height, 183);
  ASSERT_EQ(img.channels, 3);
  ASSERT_EQ(img.pixels.size(), ref.bytes.size());
  int max_diff = 0;
  size_t equal = 0, within1 = 0, within3 = 0;
  for (size_t i = 0; i < ref.bytes.size(); ++i) {
    const int d = std::abs(int{img.pixels[i]} - int{ref.bytes[i]});
    max_diff = std::max(max_diff, d);
    equal += d == 0;
    within1 += d <= 1;
    within3 += d <= 3;
  }
  const double n = static_cast<double>(ref.bytes.size());
  std::printf(
      "stb vs libjpeg on sample8: max |diff| %d, equal %.4f, within 1: %.4f, within 3: "
      "%.4f\n",
      max_diff, equal / n, within1 / n, within3 / n);
  // Measured: max 3 levels, 93.5% equal, 98.4% within 1, all within 3 (the decoders' IDCT and
  // chroma up-sampling round differently).
  EXPECT_GE(equal / n, 0.90);
  EXPECT_GE(within1 / n, 0.98);
  EXPECT_GE(within3 / n, 0.999);
  EXPECT_LE(max_diff, 4);
}

TEST(ImageDecode, AllReferencePhotosDecodeToRgb) {
  ESPNET_REQUIRE_REF_DATA();
  struct Case {
    const char* file;
    int w, h;
  } cases[] = {{"sample11.jpg", 750, 400}, {"sample6.jpg", 808, 341}, {"sample4.jpg", 1280, 720}};
  for (const Case& c : cases) {
    const Image img = decode_image(test::ref_path(std::string("images/") + c.file));
    EXPECT_EQ(img.width, c.w) << c.file;
    EXPECT_EQ(img.height, c.h) << c.file;
    EXPECT_EQ(img.channels, 3) << c.file;
    EXPECT_EQ(img.pixels.size(), size_t(c.w) * c.h * 3) << c.file;
  }
}

TEST(ImageDecode, PaletteAndGreyPngBecomeRgb) {
  ESPNET_REQUIRE_REF_DATA();
  // A palette PNG (the reference labels) is expanded to RGB.
  const Image labels = decode_image(test::ref_path("images/sample8/labels.png"));
  EXPECT_EQ(labels.channels, 3);
  EXPECT_EQ(labels.width, 275);
  // A grey PNG is replicated into the three channels.
  const std::string path = ::testing::TempDir() + "/grey.png";
  const uint8_t grey[6] = {0, 50, 100, 150, 200, 250};
  write_png_gray(path, grey, 3, 2);
  const Image img = decode_image(path);
  ASSERT_EQ(img.channels, 3);
  for (int i = 0; i < 6; ++i)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(img.pixels[i * 3 + c], grey[i]);
}

void expect_error_mentioning(const std::string& path, const std::string& needle) {
  try {
    decode_image(path);
    ADD_FAILURE() << "no error for " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(needle), std::string::npos) << message;
  }
}

TEST(ImageDecode, MissingFileIsAnError) {
  expect_error_mentioning(::testing::TempDir() + "/no_such_image.jpg", "no such file");
}

TEST(ImageDecode, DirectoryIsAnError) {
  expect_error_mentioning(::testing::TempDir(), "directory");
}

TEST(ImageDecode, TruncatedJpegIsAnError) {
  ESPNET_REQUIRE_REF_DATA();
  std::vector<uint8_t> bytes = read_file_bytes(test::ref_path("images/sample8.jpg"));
  // Cut inside the entropy-coded data and also right after the header segments.
  for (size_t keep : {bytes.size() / 2, size_t{200}, size_t{20}, size_t{3}}) {
    const std::string path = ::testing::TempDir() + "/truncated_" + std::to_string(keep) + ".jpg";
    write_file_atomic(path, bytes.data(), keep);
    // stb_image pads a truncated scan with zeros rather than failing; either a clean error or a
    // decoded image of the header's size is acceptable, never a crash.
    try {
      const Image img = decode_image(path);
      EXPECT_EQ(img.width, 275) << keep;
      EXPECT_EQ(img.height, 183) << keep;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  // A header this short cannot be decoded at all.
  expect_error_mentioning(::testing::TempDir() + "/truncated_20.jpg", "cannot decode");
}

TEST(ImageDecode, GarbageIsAnError) {
  const std::string path = ::testing::TempDir() + "/garbage.jpg";
  std::vector<uint8_t> junk(1000);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 37 + 11);
  write_file_atomic(path, junk.data(), junk.size());
  expect_error_mentioning(path, "cannot decode");
  EXPECT_THROW(decode_image_memory(nullptr, 0, "empty"), Error);
  const uint8_t empty_file[1] = {0};
  EXPECT_THROW(decode_image_memory(empty_file, 0, "empty"), Error);
}

TEST(ImageDecode, CorruptJpegIsAnErrorOrDecodes) {
  ESPNET_REQUIRE_REF_DATA();
  std::vector<uint8_t> bytes = read_file_bytes(test::ref_path("images/sample8.jpg"));
  // Destroy the start-of-frame marker (FFC0) so the decoder finds no frame.
  bool found = false;
  for (size_t i = 2; i + 1 < bytes.size(); ++i)
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
      bytes[i + 1] = 0x01;
      found = true;
      break;
    }
  ASSERT_TRUE(found);
  EXPECT_THROW(decode_image_memory(bytes.data(), bytes.size(), "corrupt.jpg"), Error);
}

TEST(ImageDecode, AbsurdDimensionsRefusedBeforeDecoding) {
  // A PNG header claiming 100000 x 100000 pixels, with no image data behind it.
  std::vector<uint8_t> png = encode_png(std::vector<uint8_t>(4, 0).data(), 2, 2, 1);
  // IHDR width and height sit at bytes 16..23; the CRC is not checked by stb_image.
  const uint32_t huge = 100000;
  for (int k = 0; k < 2; ++k)
    for (int b = 0; b < 4; ++b) png[16 + 4 * k + b] = static_cast<uint8_t>(huge >> (24 - 8 * b));
  try {
    decode_image_memory(png.data(), png.size(), "huge.png");
    ADD_FAILURE() << "no error for a 100000x100000 header";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("huge.png"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace espnet
