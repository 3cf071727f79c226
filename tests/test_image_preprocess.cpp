// The demos' preprocessing against the reference network inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "espnet/error.h"
#include "espnet/npy.h"
#include "image/image_decode.h"
#include "image/preprocess.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

Image image_from_npy(const std::string& path) {
  const NpyArray a = read_npy(path);
  EXPECT_EQ(a.type, NpyType::kUInt8);
  EXPECT_EQ(a.shape.size(), 3u);
  Image img;
  img.height = static_cast<int>(a.shape[0]);
  img.width = static_cast<int>(a.shape[1]);
  img.channels = static_cast<int>(a.shape[2]);
  img.pixels = a.bytes;
  return img;
}

struct Diff {
  double max_abs = 0;
  double fraction_within = 0;  // of elements within `bound`
};

Diff compare(const Tensor& actual, const Tensor& expected, double bound) {
  EXPECT_EQ(actual.shape(), expected.shape());
  Diff d;
  if (actual.shape() != expected.shape()) return d;
  int64_t within = 0;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    const double e = std::fabs(double{actual.data()[i]} - double{expected.data()[i]});
    d.max_abs = std::max(d.max_abs, e);
    within += e <= bound;
  }
  d.fraction_within = static_cast<double>(within) / actual.numel();
  return d;
}

TEST(Preprocess, NetworkSizeRoundsDownTo32) {
  NetworkSize s = segmentation_demo_network_size(275, 183);
  EXPECT_EQ(s.width, 256);
  EXPECT_EQ(s.height, 160);
  s = segmentation_demo_network_size(808, 341);
  EXPECT_EQ(s.width, 800);
  EXPECT_EQ(s.height, 320);
  s = segmentation_demo_network_size(64, 32);
  EXPECT_EQ(s.width, 64);
  EXPECT_EQ(s.height, 32);
  EXPECT_THROW(segmentation_demo_network_size(31, 100), Error);
}

TEST(Preprocess, EdgeNetsSegmentationExactFromLibjpegPixels) {
  ESPNET_REQUIRE_REF_DATA();
  const Image rgb = image_from_npy(test::ref_path("images/sample8/decoded_rgb.npy"));
  const NetworkSize size = segmentation_demo_network_size(rgb.width, rgb.height);
  const Tensor input = preprocess_segmentation_edgenets(rgb, size.width, size.height);
  const Tensor expected = read_npy_f32(test::ref_path("images/sample8/input.npy"));
  EXPECT_TRUE(test::all_close(input, expected, 1e-6, 0));
  // Pillow's fixed-point resize is reproduced bit for bit, so is the normalisation.
  EXPECT_EQ(compare(input, expected, 0).fraction_within, 1.0);
}

TEST(Preprocess, EdgeNetsSegmentationFromJpegWithinOneLevel) {
  ESPNET_REQUIRE_REF_DATA();
  for (const char* stem : {"sample8", "sample11", "sample6"}) {
    const Image rgb = decode_image(test::ref_path(std::string("images/") + stem + ".jpg"));
    const NetworkSize size = segmentation_demo_network_size(rgb.width, rgb.height);
    const Tensor input = preprocess_segmentation_edgenets(rgb, size.width, size.height);
    const Tensor expected =
        read_npy_f32(test::ref_path(std::string("images/") + stem + "/input.npy"));
    // One 8-bit level is 1 / (255 * std) <= 0.0175 after normalisation.
    const Diff d = compare(input, expected, 0.0176);
    std::printf("%s from the JPEG (stb): max |diff| %.5f, within one level %.5f\n", stem, d.max_abs,
                d.fraction_within);
    EXPECT_GE(d.fraction_within, 0.99) << stem;
    EXPECT_LE(d.max_abs, 0.2) << stem;  // a few levels at most
  }
}

TEST(Preprocess, OriginalSegmentationFromJpeg) {
  ESPNET_REQUIRE_REF_DATA();
  const Image rgb = decode_image(test::ref_path("images/sample4.jpg"));
  const Tensor input = preprocess_segmentation_original(rgb, 1024, 512);
  const Tensor expected = read_npy_f32(test::ref_path("images/segorig_sample4/input.npy"));
  // One 8-bit level is 1 / std / 255 ~ 8.7e-5 here. stb's decode differs from libjpeg's in
  // ~6.5% of the bytes (by at most 3 levels); each output mixes up to 4 source pixels, so about
  // 0.935^4 ~ 76-85% of the outputs are exact when the resize is right (a resize off by any
  // fraction of a pixel would make almost none exact). Measured: 84.0% within 1e-6, 98.7% within
  // one level, max 2.3e-4.
  const Diff d = compare(input, expected, 1e-6);
  const Diff level = compare(input, expected, 9e-5);
  std::printf(
      "segorig sample4 from the JPEG (stb): max |diff| %.3g, within 1e-6 %.5f, within "
      "one level %.5f\n",
      d.max_abs, d.fraction_within, level.fraction_within);
  EXPECT_GE(d.fraction_within, 0.80);
  EXPECT_GE(level.fraction_within, 0.98);
  EXPECT_LE(d.max_abs, 3e-4);
}

// The reference data hold no libjpeg decode of sample4, so the original family's arithmetic is
// also checked on a small synthetic image against a hand computation.
TEST(Preprocess, OriginalSegmentationArithmetic) {
  Image rgb;
  rgb.width = 4;
  rgb.height = 2;
  rgb.channels = 3;
  for (int i = 0; i < 8; ++i) {
    rgb.pixels.push_back(static_cast<uint8_t>(10 * i));       // R
    rgb.pixels.push_back(static_cast<uint8_t>(100 + i));      // G
    rgb.pixels.push_back(static_cast<uint8_t>(250 - 3 * i));  // B
  }
  // Same size: no resize, only the normalisation; channel 0 is blue.
  const Tensor same = preprocess_segmentation_original(rgb, 4, 2);
  ASSERT_EQ(same.shape(), Shape({1, 3, 2, 4}));
  for (int i = 0; i < 8; ++i) {
    const float b = (static_cast<float>(250 - 3 * i) - 72.3923111f) / 45.3192215f / 255.0f;
    const float r = (static_cast<float>(10 * i) - 73.15840149f) / 44.91483307f / 255.0f;
    EXPECT_EQ(same.data()[i], b) << i;
    EXPECT_EQ(same.data()[16 + i], r) << i;
  }
  // An exact 2x reduction is the 2x2 mean.
  const Tensor half = preprocess_segmentation_original(rgb, 2, 1);
  const float g00 = (100 - 82.90893555f) / 46.15289307f, g01 = (101 - 82.90893555f) / 46.15289307f,
              g10 = (104 - 82.90893555f) / 46.15289307f, g11 = (105 - 82.90893555f) / 46.15289307f;
  EXPECT_NEAR(half.data()[2], ((g00 + g01) + g10 + g11) * 0.25f / 255.0f, 1e-9);
}

TEST(Preprocess, ClassificationResizeAndCenterCrop) {
  // A 512 x 300 image: shorter side 300 -> 256, longer int(256 * 512 / 300) = 436; crop at
  // left = round((436 - 224) / 2) = 106, top = 16.
  Image rgb;
  rgb.width = 512;
  rgb.height = 300;
  rgb.channels = 3;
  rgb.pixels.resize(512 * 300 * 3);
  for (int y = 0; y < 300; ++y)
    for (int x = 0; x < 512; ++x)
      for (int c = 0; c < 3; ++c)
        rgb.pixels[(y * 512 + x) * 3 + c] = static_cast<uint8_t>((x / 2 + y + 40 * c) % 256);
  const Tensor t = preprocess_classification(rgb);
  ASSERT_EQ(t.shape(), Shape({1, 3, 224, 224}));
  // A flat image stays flat: every value is the normalised constant.
  Image flat = rgb;
  for (size_t i = 0; i < flat.pixels.size(); ++i) flat.pixels[i] = (i % 3 == 0) ? 200 : 30;
  const Tensor f = preprocess_classification(flat, 224, 256);
  const float red = (200 / 255.0f - 0.485f) / 0.229f, green = (30 / 255.0f - 0.456f) / 0.224f;
  for (int i = 0; i < 224 * 224; ++i) {
    ASSERT_EQ(f.data()[i], red);
    ASSERT_EQ(f.data()[224 * 224 + i], green);
  }
  EXPECT_THROW(preprocess_classification(rgb, 300, 256), Error);
}

TEST(Preprocess, ClassificationOfSquareImageCropsTheCentre) {
  // 256 x 256 input: no resize, crop offset round(32 / 2) = 16 on both axes.
  Image rgb;
  rgb.width = rgb.height = 256;
  rgb.channels = 3;
  rgb.pixels.resize(256 * 256 * 3);
  for (int y = 0; y < 256; ++y)
    for (int x = 0; x < 256; ++x)
      for (int c = 0; c < 3; ++c)
        rgb.pixels[(y * 256 + x) * 3 + c] = static_cast<uint8_t>(c == 0 ? x : y);
  const Tensor t = preprocess_classification(rgb);
  const float x16 = (16 / 255.0f - 0.485f) / 0.229f, y16 = (16 / 255.0f - 0.456f) / 0.224f;
  EXPECT_EQ(t.data()[0], x16);
  EXPECT_EQ(t.data()[224 * 224], y16);
}

TEST(Preprocess, DetectionNormalisationMatchesUpstreamValues) {
  ESPNET_REQUIRE_REF_DATA();
  // The detection cases' inputs went through detection_demo's preprocessing of photos we do not
  // have; every value must still be our normalisation of some 8-bit level of its channel.
  for (const char* c :
       {"cases/det_ssd300_coco_s2.0/input.npy", "cases/det_ssd512_voc_s1.0/input.npy"}) {
    const Tensor input = read_npy_f32(test::ref_path(c));
    ASSERT_EQ(input.dim(0), 1);
    ASSERT_EQ(input.dim(1), 3);
    const int64_t plane = input.dim(2) * input.dim(3);
    for (int ch = 0; ch < 3; ++ch) {
      float level[256];
      for (int v = 0; v < 256; ++v)
        level[v] = normalize_detection_value(static_cast<uint8_t>(v), ch);
      int64_t unmatched = 0;
      for (int64_t i = 0; i < plane; ++i) {
        const float x = input.data()[ch * plane + i];
        // Invert approximately, then demand an exact match at that level.
        const int guess = static_cast<int>(std::lround(x * 255.0 *
                                                           (ch == 0   ? 0.229
                                                            : ch == 1 ? 0.224
                                                                      : 0.225) +
                                                       255.0 * (ch == 0   ? 0.485
                                                                : ch == 1 ? 0.456
                                                                          : 0.406)));
        if (guess < 0 || guess > 255 || level[guess] != x) ++unmatched;
      }
      EXPECT_EQ(unmatched, 0) << c << " channel " << ch;
    }
  }
}

TEST(Preprocess, DetectionChannelOrderIsBgr) {
  Image rgb;
  rgb.width = rgb.height = 8;
  rgb.channels = 3;
  for (int i = 0; i < 64; ++i) {
    rgb.pixels.push_back(10);   // R
    rgb.pixels.push_back(20);   // G
    rgb.pixels.push_back(250);  // B
  }
  const Tensor t = preprocess_detection(rgb, 16);
  ASSERT_EQ(t.shape(), Shape({1, 3, 16, 16}));
  // Channel 0 holds blue, normalised with mean[0] / std[0] (upstream's quirk).
  EXPECT_EQ(t.data()[0], normalize_detection_value(250, 0));
  EXPECT_EQ(t.data()[256], normalize_detection_value(20, 1));
  EXPECT_EQ(t.data()[512], normalize_detection_value(10, 2));
  EXPECT_FLOAT_EQ(t.data()[0], (250 - 255 * 0.485f) / (255 * 0.229f));
}

TEST(Preprocess, BadInputsAreErrors) {
  Image empty;
  EXPECT_THROW(preprocess_segmentation_edgenets(empty, 32, 32), Error);
  Image grey;
  grey.width = grey.height = 4;
  grey.channels = 1;
  grey.pixels.resize(16);
  EXPECT_THROW(preprocess_detection(grey, 300), Error);
  Image rgb;
  rgb.width = rgb.height = 4;
  rgb.channels = 3;
  rgb.pixels.resize(48);
  EXPECT_THROW(preprocess_segmentation_original(rgb, 0, 512), Error);
  EXPECT_THROW(preprocess_segmentation_edgenets(rgb, 1 << 20, 32), Error);
  rgb.pixels.resize(47);  // buffer does not match the size
  EXPECT_THROW(preprocess_classification(rgb), Error);
}

}  // namespace
}  // namespace espnet
