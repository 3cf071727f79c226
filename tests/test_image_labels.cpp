// Label maps: nearest resizing, palettes, the overlay and the original repository's outputs,
// all against the reference PNGs.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "espnet/npy.h"
#include "image/blend.h"
#include "image/image_decode.h"
#include "image/labels.h"
#include "image/palette.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

struct LabelMap {
  int w = 0, h = 0;
  std::vector<uint8_t> labels;
};

LabelMap read_labels(const std::string& relative) {
  const NpyArray a = read_npy(test::ref_path(relative));
  EXPECT_EQ(a.type, NpyType::kUInt8) << relative;
  EXPECT_EQ(a.shape.size(), 2u) << relative;
  LabelMap m;
  m.h = static_cast<int>(a.shape[0]);
  m.w = static_cast<int>(a.shape[1]);
  m.labels = a.bytes;
  return m;
}

size_t count_mismatches(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  EXPECT_EQ(a.size(), b.size());
  size_t n = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) n += a[i] != b[i];
  return n;
}

TEST(Labels, NearestResizeReproducesPil) {
  ESPNET_REQUIRE_REF_DATA();
  for (const char* stem : {"sample8", "sample11", "sample6"}) {
    const LabelMap net = read_labels(std::string("images/") + stem + "/labels_network.npy");
    const LabelMap full = read_labels(std::string("images/") + stem + "/labels.npy");
    const std::vector<uint8_t> out =
        resize_labels_nearest(net.labels.data(), net.w, net.h, full.w, full.h);
    EXPECT_EQ(count_mismatches(out, full.labels), 0u) << stem;
  }
}

TEST(Labels, NearestResizeHandChecked) {
  // 3 -> 2: a = 1.5, positions 0.75, 2.25 -> sources 0, 2. 2 -> 5: a = 0.4, positions 0.2,
  // 0.6, 1.0, 1.4, 1.8 -> 0, 0, 1, 1, 1.
  const uint8_t row[3] = {10, 20, 30};
  EXPECT_EQ(resize_labels_nearest(row, 3, 1, 2, 1), (std::vector<uint8_t>{10, 30}));
  const uint8_t two[2] = {1, 2};
  EXPECT_EQ(resize_labels_nearest(two, 2, 1, 5, 1), (std::vector<uint8_t>{1, 1, 2, 2, 2}));
  EXPECT_EQ(resize_labels_nearest(two, 1, 2, 1, 5), (std::vector<uint8_t>{1, 1, 2, 2, 2}));
  EXPECT_THROW(resize_labels_nearest(two, 2, 1, 0, 1), Error);
  EXPECT_THROW(resize_labels_nearest(nullptr, 2, 1, 2, 1), Error);
}

TEST(Labels, Upscale2xMakesBlocks) {
  const uint8_t in[6] = {1, 2, 3, 4, 5, 6};  // 3 x 2
  const std::vector<uint8_t> out = upscale_labels_2x(in, 3, 2);
  const std::vector<uint8_t> expected = {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3,
                                         4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6};
  EXPECT_EQ(out, expected);
}

TEST(Labels, VocPalette) {
  const Palette p = voc_palette();
  // background black, aeroplane (128,0,0), person (192,128,128), tv/monitor (0,64,128), 255
  // (224,224,192).
  const int checks[][4] = {{0, 0, 0, 0},        {1, 128, 0, 0},   {2, 0, 128, 0},
                           {15, 192, 128, 128}, {20, 0, 64, 128}, {255, 224, 224, 192}};
  for (const auto& c : checks)
    for (int k = 0; k < 3; ++k) EXPECT_EQ(p[3 * c[0] + k], c[1 + k]) << "label " << c[0];
}

TEST(Labels, VocColoursMatchReferencePng) {
  ESPNET_REQUIRE_REF_DATA();
  const Palette palette = voc_palette();
  for (const char* stem : {"sample8", "sample11", "sample6"}) {
    const LabelMap full = read_labels(std::string("images/") + stem + "/labels.npy");
    const Image colours = colorize_labels(full.labels.data(), full.w, full.h, palette);
    const Image png = decode_image(test::ref_path(std::string("images/") + stem + "/labels.png"));
    ASSERT_EQ(png.width, full.w);
    ASSERT_EQ(png.height, full.h);
    EXPECT_EQ(count_mismatches(colours.pixels, png.pixels), 0u) << stem;
  }
}

TEST(Labels, OverlayMatchesReferenceExactly) {
  ESPNET_REQUIRE_REF_DATA();
  const NpyArray rgb = read_npy(test::ref_path("images/sample8/decoded_rgb.npy"));
  Image original;
  original.height = static_cast<int>(rgb.shape[0]);
  original.width = static_cast<int>(rgb.shape[1]);
  original.channels = 3;
  original.pixels = rgb.bytes;
  const LabelMap full = read_labels("images/sample8/labels.npy");
  const Image colours = colorize_labels(full.labels.data(), full.w, full.h, voc_palette());
  const Image overlay = blend_overlay(original, colours, 0.7f);
  const Image expected = decode_image(test::ref_path("images/sample8/overlay.png"));
  EXPECT_EQ(count_mismatches(overlay.pixels, expected.pixels), 0u);
}

TEST(Labels, OverlayOfOtherSamplesWithinDecoderDifferences) {
  ESPNET_REQUIRE_REF_DATA();
  // Without libjpeg's pixels the blend carries 0.3 of stb's decode differences (<= 3 levels),
  // plus the truncation.
  for (const char* stem : {"sample11", "sample6"}) {
    const Image original = decode_image(test::ref_path(std::string("images/") + stem + ".jpg"));
    const LabelMap full = read_labels(std::string("images/") + stem + "/labels.npy");
    const Image overlay = blend_overlay(
        original, colorize_labels(full.labels.data(), full.w, full.h, voc_palette()), 0.7f);
    const Image expected =
        decode_image(test::ref_path(std::string("images/") + stem + "/overlay.png"));
    ASSERT_EQ(overlay.pixels.size(), expected.pixels.size());
    int worst = 0;
    for (size_t i = 0; i < overlay.pixels.size(); ++i)
      worst = std::max(worst, std::abs(int(overlay.pixels[i]) - int(expected.pixels[i])));
    EXPECT_LE(worst, 2) << stem;
  }
}

TEST(Labels, BlendHandChecked) {
  Image a, b;
  a.width = b.width = 3;
  a.height = b.height = 1;
  a.channels = b.channels = 1;
  a.pixels = {0, 255, 100};
  b.pixels = {255, 0, 100};
  const Image out = blend_overlay(a, b, 0.7f);
  // 0 + 0.7 * 255 = 178.5 -> 178; 255 - 0.7 * 255 = 76.5 -> 76 (truncated); equal stays.
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{178, 76, 100}));
  b.width = 2;
  EXPECT_THROW(blend_overlay(a, b, 0.5f), Error);
}

TEST(Labels, FusedLabelOverlayEqualsColorizeThenBlend) {
  const unsigned seed = 5;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (auto [w, h] : {std::pair{1, 1}, {17, 5}, {250, 33}}) {
    Image photo;
    photo.width = w;
    photo.height = h;
    photo.channels = 3;
    photo.pixels.resize(size_t(w) * h * 3);
    for (uint8_t& v : photo.pixels) v = static_cast<uint8_t>(rng());
    std::vector<uint8_t> labels(size_t(w) * h);
    for (uint8_t& l : labels) l = static_cast<uint8_t>(rng() % 21);
    for (float alpha : {0.0f, 0.3f, 0.7f, 1.0f}) {
      const Image expected =
          blend_overlay(photo, colorize_labels(labels.data(), w, h, voc_palette()), alpha);
      const Image fused = blend_labels_overlay(photo, labels.data(), voc_palette(), alpha);
      EXPECT_EQ(fused.width, w);
      EXPECT_EQ(fused.height, h);
      EXPECT_EQ(fused.channels, 3);
      EXPECT_EQ(fused.pixels, expected.pixels) << w << "x" << h << " alpha " << alpha;
    }
  }
  Image grey;
  grey.width = grey.height = 2;
  grey.channels = 1;
  grey.pixels.assign(4, 0);
  const uint8_t labels[4] = {};
  EXPECT_THROW(blend_labels_overlay(grey, labels, voc_palette(), 0.5f), Error);
}

TEST(Labels, OriginalRepositoryColours) {
  ESPNET_REQUIRE_REF_DATA();
  const LabelMap net = read_labels("images/segorig_sample4/labels_network.npy");
  const Image colours = colorize_labels(net.labels.data(), net.w, net.h, cityscapes_palette());
  const Image png = decode_image(test::ref_path("images/segorig_sample4/labels.png"));
  ASSERT_EQ(png.width, 1024);
  ASSERT_EQ(png.height, 512);
  EXPECT_EQ(count_mismatches(colours.pixels, png.pixels), 0u);
}

TEST(Labels, OriginalRepositoryLabelIds) {
  ESPNET_REQUIRE_REF_DATA();
  const LabelMap net = read_labels("images/segorig_sample4/labels_network.npy");
  const std::vector<uint8_t> big = upscale_labels_2x(net.labels.data(), net.w, net.h);
  const std::vector<uint8_t> ids = cityscapes_train_ids_to_label_ids(big.data(), big.size());
  const Image png = decode_image(test::ref_path("images/segorig_sample4/labelids.png"));
  ASSERT_EQ(png.width, 2048);
  ASSERT_EQ(png.height, 1024);
  std::vector<uint8_t> grey(ids.size());
  for (size_t i = 0; i < grey.size(); ++i) grey[i] = png.pixels[3 * i];
  EXPECT_EQ(count_mismatches(ids, grey), 0u);
}

TEST(Labels, TrainIdToLabelId) {
  EXPECT_EQ(cityscapes_train_id_to_label_id(0), 7);    // road
  EXPECT_EQ(cityscapes_train_id_to_label_id(13), 26);  // car
  EXPECT_EQ(cityscapes_train_id_to_label_id(18), 33);  // bicycle
  EXPECT_EQ(cityscapes_train_id_to_label_id(19), 0);   // background
  EXPECT_THROW(cityscapes_train_id_to_label_id(20), Error);
  EXPECT_THROW(cityscapes_train_id_to_label_id(-1), Error);
  const uint8_t bad[2] = {3, 200};
  EXPECT_THROW(cityscapes_train_ids_to_label_ids(bad, 2), Error);
}

TEST(Labels, CityscapesPalette) {
  const Palette p = cityscapes_palette();
  EXPECT_EQ(p[0], 128);           // road
  EXPECT_EQ(p[3 * 13 + 2], 142);  // car blue
  EXPECT_EQ(p[3 * 18], 119);      // bicycle red
  for (int i = 3 * 19; i < 768; ++i) EXPECT_EQ(p[i], 0) << i;
}

}  // namespace
}  // namespace espnet
