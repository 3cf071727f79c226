// SSD post-processing: priors, softmax, box decoding and NMS against the reference data of the
// two detection cases, plus unit tests of the NMS edge cases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "detection/nms.h"
#include "detection/ssd_decode.h"
#include "detection/ssd_postprocess.h"
#include "detection/ssd_priors.h"
#include "espnet/error.h"
#include "espnet/npy.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

struct DetCase {
  const char* name;
  int image_size;
  int num_priors;
  int num_classes;
};
const DetCase kCases[] = {{"det_ssd300_coco_s2.0", 300, 11640, 81},
                          {"det_ssd512_voc_s1.0", 512, 32742, 21}};

Tensor load(const DetCase& c, const std::string& file) {
  return read_npy_f32(test::ref_path(std::string("cases/") + c.name + "/" + file));
}

Tensor as_tensor(const std::vector<float>& values, Shape shape) {
  Tensor t(std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numel()), values.size());
  if (static_cast<size_t>(t.numel()) == values.size())
    std::memcpy(t.data(), values.data(), values.size() * sizeof(float));
  return t;
}

// ---- priors ---------------------------------------------------------------------------------

TEST(SsdPriors, ConfigsMatchTheManifest) {
  SsdConfig c300 = ssd_config(300);
  EXPECT_EQ(c300.feature_maps, std::vector<int>({38, 19, 10, 5, 3, 1}));
  EXPECT_EQ(c300.min_sizes, std::vector<float>({30, 77, 125, 172, 220, 267}));
  EXPECT_EQ(c300.max_sizes, std::vector<float>({77, 125, 172, 220, 267, 315}));
  EXPECT_EQ(c300.boxes_per_location(), 6);
  SsdConfig c512 = ssd_config(512);
  EXPECT_EQ(c512.strides, std::vector<int>({8, 16, 32, 64, 128, 512}));
  EXPECT_EQ(c512.feature_maps, std::vector<int>({64, 32, 16, 8, 4, 1}));
  EXPECT_EQ(c512.min_sizes, std::vector<float>({52, 133, 214, 295, 376, 457}));
  EXPECT_EQ(c512.max_sizes, std::vector<float>({133, 214, 295, 376, 457, 538}));
  EXPECT_EQ(ssd_num_priors(c300), 11640);
  EXPECT_EQ(ssd_num_priors(c512), 32742);
}

TEST(SsdPriors, OtherSizesAndBadConfigsAreRefused) {
  for (int size : {0, -300, 299, 320, 384, 1024}) EXPECT_THROW(ssd_config(size), Error) << size;
  try {
    ssd_config(416);
    FAIL() << "416 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("416"), std::string::npos) << e.what();
  }
  SsdConfig bad = ssd_config(300);
  bad.max_sizes.pop_back();
  EXPECT_THROW(make_ssd_priors(bad), Error);
  bad = ssd_config(300);
  bad.strides[2] = 0;
  EXPECT_THROW(make_ssd_priors(bad), Error);
  bad = ssd_config(300);
  bad.feature_maps[0] = 1 << 20;
  EXPECT_THROW(make_ssd_priors(bad), Error);
  bad = ssd_config(300);
  bad.min_sizes[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(make_ssd_priors(bad), Error);
}

TEST(SsdPriors, FirstCellOfSsd300) {
  // Hand-computed: centre 0.5 / 37.5, min 30/300, big sqrt(30*77)/300, ratio 2 and 3 boxes.
  std::vector<float> p = make_ssd_priors(ssd_config(300));
  ASSERT_EQ(p.size(), 11640u * 4);
  const double c = 0.5 / 37.5, s = 0.1, big = std::sqrt(30.0 * 77.0) / 300;
  const double expected[6][4] = {{c, c, s, s},
                                 {c, c, big, big},
                                 {c, c, s * std::sqrt(2.0), s / std::sqrt(2.0)},
                                 {c, c, s / std::sqrt(2.0), s * std::sqrt(2.0)},
                                 {c, c, s * std::sqrt(3.0), s / std::sqrt(3.0)},
                                 {c, c, s / std::sqrt(3.0), s * std::sqrt(3.0)}};
  for (int b = 0; b < 6; ++b)
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(p[b * 4 + k], expected[b][k], 1e-7) << b << "," << k;
  // Second cell moves along x (columns inner).
  EXPECT_NEAR(p[6 * 4 + 0], 1.5 / 37.5, 1e-7);
  EXPECT_NEAR(p[6 * 4 + 1], c, 1e-7);
  // The last prior (1x1 map, ratio 1/3 box): clamped height 267/300*sqrt(3) -> 1.
  EXPECT_EQ(p[p.size() - 1], 1.0f);
}

TEST(SsdPriors, MatchReference) {
  ESPNET_REQUIRE_REF_DATA();
  for (const DetCase& c : kCases) {
    SCOPED_TRACE(c.name);
    std::vector<float> priors = make_ssd_priors(ssd_config(c.image_size));
    ASSERT_EQ(priors.size(), static_cast<size_t>(c.num_priors) * 4);
    EXPECT_TRUE(
        test::all_close(as_tensor(priors, {c.num_priors, 4}), load(c, "priors.npy"), 1e-6, 0));
  }
}

// ---- softmax and decoding -------------------------------------------------------------------

TEST(SsdDecode, SoftmaxLargeLogitsDoNotOverflow) {
  const float logits[] = {1000.f, 1000.f,        -1000.f,  // overflow without the max shift
                          89.f,   0.f,           -89.f,    // exp(89) overflows float
                          -1e30f, -1e30f,        -1e30f,   // equal huge negatives
                          0.f,    std::log(3.f), 0.f};     // 1/5, 3/5, 1/5
  std::vector<float> p = softmax_rows(logits, 4, 3);
  ASSERT_EQ(p.size(), 12u);
  for (float v : p) EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(p[0], 0.5f, 1e-7);
  EXPECT_NEAR(p[1], 0.5f, 1e-7);
  EXPECT_EQ(p[2], 0.0f);
  EXPECT_NEAR(p[3], 1.0f, 1e-7);
  EXPECT_NEAR(p[4], std::exp(-89.0), 1e-30);
  for (int k = 6; k < 9; ++k) EXPECT_NEAR(p[k], 1.0f / 3, 1e-7);
  EXPECT_NEAR(p[9], 0.2f, 1e-7);
  EXPECT_NEAR(p[10], 0.6f, 1e-7);
  EXPECT_NEAR(p[11], 0.2f, 1e-7);
}

TEST(SsdDecode, SoftmaxNonFiniteRowsBecomeNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const float logits[] = {0.f, nan, 1.f, inf, 0.f, 0.f, -inf, -inf, -inf, 2.f, 1.f, -inf};
  std::vector<float> p = softmax_rows(logits, 4, 3);
  for (int k = 0; k < 9; ++k) EXPECT_TRUE(std::isnan(p[k])) << k;
  // A -inf logit alone is just probability 0.
  EXPECT_NEAR(p[9] + p[10], 1.0f, 1e-6);
  EXPECT_EQ(p[11], 0.0f);
  EXPECT_THROW(softmax_rows(logits, 1, 0), Error);
  EXPECT_THROW(softmax_rows(logits, -1, 3), Error);
  EXPECT_THROW(softmax_rows(nullptr, 2, 3), Error);
  EXPECT_TRUE(softmax_rows(nullptr, 0, 3).empty());
}

TEST(SsdDecode, DecodesOneBoxByHand) {
  const float prior[] = {0.5f, 0.25f, 0.2f, 0.4f};
  const float loc[] = {1.0f, -2.0f, 0.0f, 5.0f};
  std::vector<float> b = decode_ssd_boxes(loc, prior, 1, 0.1f, 0.2f);
  const double cx = 0.5 + 0.1 * 0.2, cy = 0.25 - 0.2 * 0.4, w = 0.2, h = std::exp(1.0) * 0.4;
  EXPECT_NEAR(b[0], cx - w / 2, 1e-6);
  EXPECT_NEAR(b[1], cy - h / 2, 1e-6);
  EXPECT_NEAR(b[2], cx + w / 2, 1e-6);
  EXPECT_NEAR(b[3], cy + h / 2, 1e-6);
  EXPECT_THROW(decode_ssd_boxes(nullptr, prior, 1, 0.1f, 0.2f), Error);
  EXPECT_THROW(decode_ssd_boxes(loc, prior, -1, 0.1f, 0.2f), Error);
}

TEST(SsdDecode, MatchesReferenceDecodedBoxes) {
  ESPNET_REQUIRE_REF_DATA();
  for (const DetCase& c : kCases) {
    SCOPED_TRACE(c.name);
    Tensor locations = load(c, "locations.npy");
    ASSERT_EQ(locations.shape(), Shape({1, c.num_priors, 4}));
    std::vector<float> priors = make_ssd_priors(ssd_config(c.image_size));
    std::vector<float> boxes =
        decode_ssd_boxes(locations.data(), priors.data(), c.num_priors, 0.1f, 0.2f);
    EXPECT_TRUE(test::all_close(as_tensor(boxes, {c.num_priors, 4}), load(c, "decoded_boxes.npy"),
                                2e-4, 0));
  }
}

// ---- the whole post-processing against the reference detections ----------------------------

TEST(SsdPostprocess, MatchesReferenceDetections) {
  ESPNET_REQUIRE_REF_DATA();
  for (const DetCase& c : kCases) {
    SCOPED_TRACE(c.name);
    Tensor confidences = load(c, "confidences.npy");
    Tensor locations = load(c, "locations.npy");
    ASSERT_EQ(confidences.shape(), Shape({1, c.num_priors, c.num_classes}));
    std::vector<float> priors = make_ssd_priors(ssd_config(c.image_size));
    std::vector<Detection> dets =
        ssd_postprocess(confidences.data(), locations.data(), priors.data(), c.num_priors,
                        c.num_classes, SsdPostprocessOptions());
    Tensor boxes = load(c, "det_boxes.npy");
    Tensor scores = load(c, "det_scores.npy");
    NpyArray labels = read_npy(test::ref_path(std::string("cases/") + c.name + "/det_labels.npy"));
    ASSERT_EQ(labels.type, NpyType::kInt32);
    const int64_t n = labels.numel();
    ASSERT_EQ(static_cast<int64_t>(dets.size()), n);
    ASSERT_EQ(boxes.shape(), Shape({n, 4}));
    ASSERT_GT(n, 0);
    std::vector<int32_t> expected_labels(static_cast<size_t>(n));
    std::memcpy(expected_labels.data(), labels.bytes.data(),
                expected_labels.size() * sizeof(int32_t));
    for (int64_t i = 0; i < n; ++i) {
      const Detection& d = dets[static_cast<size_t>(i)];
      EXPECT_EQ(d.label, expected_labels[static_cast<size_t>(i)]) << "detection " << i;
      const float got[4] = {d.x1, d.y1, d.x2, d.y2};
      for (int k = 0; k < 4; ++k)
        EXPECT_NEAR(got[k], boxes.data()[i * 4 + k], 2e-4) << "detection " << i << " coord " << k;
      EXPECT_NEAR(d.score, scores.data()[i], 5e-4) << "detection " << i;
    }
  }
}

// ---- NMS unit tests -------------------------------------------------------------------------

std::vector<int64_t> run_nms(const std::vector<float>& boxes, const std::vector<float>& scores,
                             float score_threshold = 0.3f, float iou_threshold = 0.45f,
                             int top_k = 200) {
  EXPECT_EQ(boxes.size(), scores.size() * 4);
  return nms_one_class(boxes.data(), scores.data(), static_cast<int64_t>(scores.size()), 1,
                       score_threshold, iou_threshold, top_k);
}

using Indices = std::vector<int64_t>;

TEST(Nms, EmptyInput) {
  EXPECT_TRUE(nms_one_class(nullptr, nullptr, 0, 1, 0.3f, 0.45f, 200).empty());
  EXPECT_TRUE(run_nms({0, 0, 1, 1}, {0.1f}).empty());  // nothing above the threshold
}

TEST(Nms, IdenticalBoxesLeaveOnlyTheBest) {
  std::vector<float> boxes;
  for (int i = 0; i < 5; ++i) boxes.insert(boxes.end(), {0.1f, 0.2f, 0.5f, 0.6f});
  EXPECT_EQ(run_nms(boxes, {0.4f, 0.9f, 0.5f, 0.8f, 0.6f}), Indices({1}));
}

TEST(Nms, TiesKeepTheLowerIndexFirst) {
  // Two disjoint pairs; scores tie across the pairs and within the first pair.
  std::vector<float> boxes = {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3};
  EXPECT_EQ(run_nms(boxes, {0.7f, 0.7f, 0.7f, 0.5f}), Indices({0, 2}));
  EXPECT_EQ(run_nms(boxes, {0.5f, 0.7f, 0.7f, 0.7f}), Indices({1, 2}));
  // Disjoint boxes with equal scores come out in index order.
  std::vector<float> apart = {0, 0, 1, 1, 2, 0, 3, 1, 4, 0, 5, 1};
  EXPECT_EQ(run_nms(apart, {0.6f, 0.6f, 0.6f}), Indices({0, 1, 2}));
  EXPECT_EQ(run_nms(apart, {0.5f, 0.6f, 0.6f}), Indices({1, 2, 0}));
}

TEST(Nms, IouExactlyAtThresholdIsKept) {
  // 20 x 1 and 9 x 1 sharing a corner: inter 9, union 20, IoU 9/20 == 0.45f exactly.
  std::vector<float> boxes = {0, 0, 20, 1, 0, 0, 9, 1};
  ASSERT_EQ(box_iou(boxes.data(), boxes.data() + 4), 0.45f);
  EXPECT_EQ(run_nms(boxes, {0.9f, 0.8f}), Indices({0, 1}));
  // Slightly more overlap (9.5/20) is suppressed.
  std::vector<float> more = {0, 0, 20, 1, 0, 0, 9.5f, 1};
  EXPECT_EQ(run_nms(more, {0.9f, 0.8f}), Indices({0}));
}

TEST(Nms, ScoreExactlyAtThresholdIsDropped) {
  std::vector<float> apart = {0, 0, 1, 1, 2, 0, 3, 1, 4, 0, 5, 1};
  EXPECT_EQ(run_nms(apart, {0.3f, std::nextafter(0.3f, 1.0f), 0.29f}), Indices({1}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(run_nms(apart, {nan, 0.5f, nan}), Indices({1}));
  EXPECT_EQ(run_nms(apart, {nan, nan, nan}, -1.0f), Indices({}));
}

TEST(Nms, DegenerateBoxesNeverSuppressAndNeverDivideByZero) {
  const float zero[] = {0.5f, 0.5f, 0.5f, 0.9f};      // zero width
  const float inverted[] = {0.9f, 0.9f, 0.1f, 0.1f};  // negative width and height
  const float unit[] = {0, 0, 1, 1};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const float nan_box[] = {nan, 0, 1, 1};
  const float inf_box[] = {-inf, -inf, inf, inf};
  EXPECT_EQ(box_iou(zero, zero), 0.0f);
  EXPECT_EQ(box_iou(zero, unit), 0.0f);
  EXPECT_EQ(box_iou(inverted, unit), 0.0f);
  EXPECT_EQ(box_iou(inverted, inverted), 0.0f);
  EXPECT_EQ(box_iou(nan_box, unit), 0.0f);
  EXPECT_EQ(box_iou(inf_box, unit), 0.0f);
  EXPECT_EQ(box_iou(inf_box, inf_box), 0.0f);
  EXPECT_EQ(box_iou(unit, unit), 1.0f);
  std::vector<float> boxes;
  for (const float* b : {zero, zero, inverted, inverted, unit}) boxes.insert(boxes.end(), b, b + 4);
  EXPECT_EQ(run_nms(boxes, {0.9f, 0.8f, 0.7f, 0.6f, 0.5f}), Indices({0, 1, 2, 3, 4}));
}

TEST(Nms, TopKCapsKeptBoxes) {
  std::vector<float> boxes;
  for (int i = 0; i < 6; ++i) boxes.insert(boxes.end(), {2.0f * i, 0, 2.0f * i + 1, 1});
  const std::vector<float> scores = {0.4f, 0.9f, 0.5f, 0.8f, 0.6f, 0.7f};
  EXPECT_EQ(run_nms(boxes, scores, 0.3f, 0.45f, 3), Indices({1, 3, 5}));
  EXPECT_EQ(run_nms(boxes, scores, 0.3f, 0.45f, 0), Indices({1, 3, 5, 4, 2, 0}));
  EXPECT_EQ(run_nms(boxes, scores, 0.3f, 0.45f, 1), Indices({1}));
}

TEST(Nms, ScoreStrideReadsOneColumn) {
  std::vector<float> boxes = {0, 0, 1, 1, 2, 0, 3, 1};
  const float matrix[] = {0.1f, 0.2f, 0.7f,   // prior 0: classes 0..2
                          0.1f, 0.8f, 0.1f};  // prior 1
  EXPECT_EQ(nms_one_class(boxes.data(), matrix + 1, 2, 3, 0.3f, 0.45f, 0), Indices({1}));
  EXPECT_EQ(nms_one_class(boxes.data(), matrix + 2, 2, 3, 0.3f, 0.45f, 0), Indices({0}));
}

TEST(Nms, BadArgumentsThrow) {
  const float box[] = {0, 0, 1, 1};
  const float score[] = {0.5f};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(nms_one_class(box, score, -1, 1, 0.3f, 0.45f, 1), Error);
  EXPECT_THROW(nms_one_class(box, score, 1, 0, 0.3f, 0.45f, 1), Error);
  EXPECT_THROW(nms_one_class(box, score, 1, 1, 0.3f, 0.45f, -1), Error);
  EXPECT_THROW(nms_one_class(box, score, 1, 1, nan, 0.45f, 1), Error);
  EXPECT_THROW(nms_one_class(box, score, 1, 1, 0.3f, nan, 1), Error);
  EXPECT_THROW(nms_one_class(nullptr, score, 1, 1, 0.3f, 0.45f, 1), Error);
}

// ---- ssd_postprocess on hand-made inputs ----------------------------------------------------

// Four disjoint priors, three classes; zero offsets decode to the priors themselves.
struct TinyCase {
  std::vector<float> priors = {0.1f, 0.1f, 0.1f, 0.1f, 0.4f, 0.1f, 0.1f, 0.1f,
                               0.7f, 0.1f, 0.1f, 0.1f, 0.1f, 0.7f, 0.1f, 0.1f};
  std::vector<float> locations = std::vector<float>(16, 0.0f);
  // Rows are priors, columns background / class 1 / class 2.
  std::vector<float> logits = {0, 5, 0, 0, 3, 0, 0, 0, 6, 0, 0, 2.5f};
};

TEST(SsdPostprocess, ClassesAscendingThenScore) {
  TinyCase t;
  std::vector<Detection> d = ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(),
                                             4, 3, SsdPostprocessOptions());
  ASSERT_EQ(d.size(), 4u);
  const int labels[] = {1, 1, 2, 2};
  const float x1[] = {0.05f, 0.35f, 0.65f, 0.05f};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(d[i].label, labels[i]) << i;
    EXPECT_NEAR(d[i].x1, x1[i], 1e-6) << i;
  }
  EXPECT_NEAR(d[0].score, std::exp(5.0) / (std::exp(5.0) + 2), 1e-6);
  EXPECT_GT(d[0].score, d[1].score);
  EXPECT_GT(d[2].score, d[3].score);
}

TEST(SsdPostprocess, MaxDetectionsKeepsHighestScoresInOrder) {
  TinyCase t;
  SsdPostprocessOptions options;
  options.max_detections = 2;
  std::vector<Detection> d =
      ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 3, options);
  // Highest: prior 2 (class 2, logit 6) then prior 0 (class 1, logit 5); class order is kept.
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].label, 1);
  EXPECT_NEAR(d[0].x1, 0.05f, 1e-6);
  EXPECT_EQ(d[1].label, 2);
  EXPECT_NEAR(d[1].x1, 0.65f, 1e-6);
  options.max_detections = 10;  // more than there are: unchanged
  EXPECT_EQ(
      ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 3, options).size(),
      4u);
}

TEST(SsdPostprocess, MaxDetectionsTiesKeepTheEarlierDetection) {
  TinyCase t;
  t.logits = {0, 4, 0, 0, 0, 0, 0, 0, 4, 0, 4, 0};  // priors 0, 3 (class 1) and 2 (class 2) tie
  SsdPostprocessOptions options;
  options.max_detections = 2;
  std::vector<Detection> d =
      ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 3, options);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].label, 1);
  EXPECT_NEAR(d[0].x1, 0.05f, 1e-6);  // prior 0
  EXPECT_EQ(d[1].label, 1);
  EXPECT_NEAR(d[1].y1, 0.65f, 1e-6);  // prior 3
}

TEST(SsdPostprocess, BadArgumentsThrowAndEmptyIsEmpty) {
  TinyCase t;
  SsdPostprocessOptions options;
  EXPECT_TRUE(ssd_postprocess(nullptr, nullptr, nullptr, 0, 3, options).empty());
  EXPECT_TRUE(
      ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 1, options).empty());
  EXPECT_THROW(
      ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), -1, 3, options), Error);
  EXPECT_THROW(ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 0, options),
               Error);
  EXPECT_THROW(ssd_postprocess(t.logits.data(), nullptr, t.priors.data(), 4, 3, options), Error);
  options.max_detections = -1;
  EXPECT_THROW(ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 3, options),
               Error);
  options = SsdPostprocessOptions();
  options.top_k_per_class = -5;
  EXPECT_THROW(ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 3, options),
               Error);
  options = SsdPostprocessOptions();
  options.iou_threshold = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(ssd_postprocess(t.logits.data(), t.locations.data(), t.priors.data(), 4, 3, options),
               Error);
}

TEST(SsdPostprocess, ScaleToImagePixels) {
  std::vector<Detection> d = {{0.1f, 0.2f, 0.5f, 1.0f, 0.9f, 3}};
  std::vector<Detection> s = scale_detections_to_image(d, 640, 480);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FLOAT_EQ(s[0].x1, 64.0f);
  EXPECT_FLOAT_EQ(s[0].y1, 96.0f);
  EXPECT_FLOAT_EQ(s[0].x2, 320.0f);
  EXPECT_FLOAT_EQ(s[0].y2, 480.0f);
  EXPECT_EQ(s[0].score, 0.9f);
  EXPECT_EQ(s[0].label, 3);
  EXPECT_THROW(scale_detections_to_image(d, 0, 480), Error);
  EXPECT_THROW(scale_detections_to_image(d, 640, -1), Error);
}

}  // namespace
}  // namespace espnet
