// The public task API (espnet/tasks.h): each one-call pipeline against the same steps done by hand
// with the internal pieces, and against the reference label maps; top-k ranking; pictures; errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "detection/ssd_postprocess.h"
#include "detection/ssd_priors.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/npy.h"
#include "espnet/tasks.h"
#include "image/preprocess.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

std::shared_ptr<const Model> load_checkpoint(const std::string& name) {
  return Model::load(test::ref_path("checkpoints/" + name));
}

TEST(TopClasses, RanksBySoftmaxWithTiesByIndex) {
  const float logits[5] = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f};
  const std::vector<ClassScore> top = top_classes(logits, 5, 3, {"a", "b", "c"});
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_EQ(top[1].index, 3);  // equal logit: lower index first
  EXPECT_EQ(top[2].index, 2);
  EXPECT_EQ(top[0].name, "b");
  EXPECT_EQ(top[1].name, "");  // beyond the names given
  double sum = 0;
  for (float l : logits) sum += std::exp(double(l) - 3.0);
  EXPECT_NEAR(top[0].probability, 1.0 / sum, 1e-7);
  EXPECT_NEAR(top[2].probability, std::exp(-1.0) / sum, 1e-7);
}

TEST(TopClasses, CapsKAndRefusesBadArguments) {
  const float logits[2] = {0.0f, 1.0f};
  EXPECT_EQ(top_classes(logits, 2, 10).size(), 2u);
  EXPECT_THROW(top_classes(nullptr, 2, 1), Error);
  EXPECT_THROW(top_classes(logits, 0, 1), Error);
  EXPECT_THROW(top_classes(logits, 2, 0), Error);
}

TEST(Tasks, ClassifyEqualsTheStepsByHand) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = load_checkpoint("cls_s0.5_random_legacy.pth");
  Session session(model);
  const Image photo = decode_image(test::ref_path("images/sample4.jpg"));
  StageTimes times;
  const std::vector<ClassScore> top = classify(session, photo, 5, &times);
  EXPECT_GT(times.network_ms, 0);

  Session by_hand(model);
  const Tensor logits = by_hand.run(preprocess_classification(photo)).at(0).value;
  const std::vector<ClassScore> expected = top_classes(logits.data(), 1000, 5, class_names(*model));
  ASSERT_EQ(top.size(), 5u);
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_EQ(top[i].index, expected[i].index);
    EXPECT_EQ(top[i].name, expected[i].name);
    EXPECT_FALSE(top[i].name.empty());
    EXPECT_FLOAT_EQ(top[i].probability, expected[i].probability);
  }
  EXPECT_THROW(segment(session, photo), Error);  // a classifier cannot segment
  EXPECT_THROW(detect(session, photo), Error);
}

TEST(Tasks, SegmentMatchesTheReferenceLabelMap) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = load_checkpoint("espnetv2_s_2.0_pascal_384x384.pth");
  Session session(model);
  const Image photo = decode_image(test::ref_path("images/sample8.jpg"));
  const SegmentationResult r = segment(session, photo);
  EXPECT_EQ(r.width, 275);
  EXPECT_EQ(r.height, 183);
  EXPECT_EQ(r.network_width, 256);  // the demo's size: each side down to a multiple of 32
  EXPECT_EQ(r.network_height, 160);
  EXPECT_EQ(r.logits.shape(), (Shape{1, 21, 160, 256}));
  const NpyArray expected = read_npy(test::ref_path("images/sample8/labels.npy"));
  ASSERT_EQ(expected.bytes.size(), r.labels.size());
  size_t agree = 0;
  for (size_t i = 0; i < r.labels.size(); ++i) agree += r.labels[i] == expected.bytes[i];
  EXPECT_GE(double(agree) / r.labels.size(), 0.98);  // the manifest's end-to-end agreement

  int64_t pixels = 0;
  for (const ClassShare& c : r.classes) {
    EXPECT_GT(c.pixels, 0);
    EXPECT_NEAR(c.fraction, double(c.pixels) / r.labels.size(), 1e-12);
    pixels += c.pixels;
  }
  EXPECT_EQ(pixels, static_cast<int64_t>(r.labels.size()));

  const Image colours = colorize(r, *model);
  EXPECT_EQ(colours.width, 275);
  EXPECT_EQ(colours.channels, 3);
  const Image blended = overlay(photo, colours, 0.0f);
  EXPECT_EQ(blended.pixels, photo.pixels);  // alpha 0 is the photo

  const SegmentationResult fixed = segment(session, photo, SegmentOptions{128, 96});
  EXPECT_EQ(fixed.network_width, 128);
  EXPECT_EQ(fixed.labels.size(), r.labels.size());
  EXPECT_THROW(segment(session, photo, SegmentOptions{128, 0}), Error);
  EXPECT_THROW(segment(session, photo, SegmentOptions{16, 16}), Error);
  EXPECT_THROW(classify(session, photo), Error);
}

TEST(Tasks, DetectEqualsTheStepsByHandInPixelsWithNames) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = load_checkpoint("det_ssd300_coco_s2.0_random.pth");
  Session session(model);
  const Image photo = decode_image(test::ref_path("images/sample6.jpg"));
  DetectOptions options;
  options.score_threshold = 0.05f;
  const std::vector<Detection> dets = detect(session, photo, options);

  Session by_hand(model);
  const std::vector<NamedTensor>& out = by_hand.run(preprocess_detection(photo, 300));
  const std::vector<float> priors = make_ssd_priors(ssd_config(300));
  SsdPostprocessOptions post;
  post.score_threshold = 0.05f;
  const int num_priors = static_cast<int>(priors.size() / 4);
  const Tensor& confidences = out[0].name == "confidences" ? out[0].value : out[1].value;
  const Tensor& locations = out[0].name == "locations" ? out[0].value : out[1].value;
  const std::vector<Detection> expected = scale_detections_to_image(
      ssd_postprocess(confidences.data(), locations.data(), priors.data(), num_priors, 81, post),
      photo.width, photo.height);
  ASSERT_FALSE(expected.empty());
  ASSERT_EQ(dets.size(), expected.size());
  const std::vector<std::string> names = class_names(*model);
  for (size_t i = 0; i < dets.size(); ++i) {
    EXPECT_EQ(dets[i].label, expected[i].label);
    EXPECT_EQ(dets[i].x1, expected[i].x1);
    EXPECT_EQ(dets[i].y2, expected[i].y2);
    EXPECT_EQ(dets[i].score, expected[i].score);
    EXPECT_EQ(dets[i].name, names[dets[i].label]);
  }
  EXPECT_DOUBLE_EQ(default_detection_threshold(*model), 0.3);  // COCO

  DetectOptions capped = options;
  capped.max_detections = 2;
  EXPECT_EQ(detect(session, photo, capped).size(), 2u);
  DetectOptions bad = options;
  bad.iou_threshold = 1.5f;
  EXPECT_THROW(detect(session, photo, bad), Error);

  const Image drawn = draw_detections(photo, dets);
  EXPECT_EQ(drawn.width, photo.width);
  EXPECT_NE(drawn.pixels, photo.pixels);
}

TEST(Tasks, ClassNamesByTask) {
  ESPNET_REQUIRE_REF_DATA();
  EXPECT_EQ(class_names(*load_checkpoint("cls_s0.5_random_legacy.pth")).size(), 1000u);
  const std::vector<std::string> voc =
      class_names(*load_checkpoint("det_ssd512_voc_s1.0_random.pth"));
  ASSERT_EQ(voc.size(), 21u);
  EXPECT_EQ(voc[0], "background");
}

TEST(ImageApi, WritePngRoundTripsAndRefusesOtherChannelCounts) {
  const std::string path = ::testing::TempDir() + "espnet_image_api.png";
  Image grey{3, 2, 1, {0, 50, 100, 150, 200, 250}};
  write_png(path, grey);
  const Image back = decode_image(path);  // decoded as RGB: grey expanded
  ASSERT_EQ(back.channels, 3);
  EXPECT_EQ(back.pixels[3 * 4], 200);
  EXPECT_EQ(back.pixels[3 * 4 + 2], 200);
  Image rgba{1, 1, 4, {1, 2, 3, 4}};
  EXPECT_THROW(write_png(path, rgba), Error);
  Image short_buffer{4, 4, 1, {1, 2}};
  EXPECT_THROW(write_png(path, short_buffer), Error);
  const uint8_t junk[4] = {1, 2, 3, 4};
  EXPECT_THROW(decode_image_memory(junk, sizeof junk, "junk"), Error);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace espnet
