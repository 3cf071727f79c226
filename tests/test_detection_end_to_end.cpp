// Detection end to end on the reference cases: OUR network's outputs on input.npy go through our
// priors, decoding and post-processing, and must reproduce the reference priors, decoded boxes and
// final detection lists (same count, labels and order; boxes and scores within the manifest's
// tolerances). test_ssd_postprocess feeds the reference network outputs instead; this test shows
// the network's float32 deviations do not change the detections.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "detection/ssd_decode.h"
#include "detection/ssd_postprocess.h"
#include "detection/ssd_priors.h"
#include "espnet/npy.h"
#include "espnet/session.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace espnet {
namespace {

using test::Json;

// The manifest entry of case `c` whose "name" starts with `prefix`.
const Json& output_entry(const Json& c, const std::string& prefix) {
  for (const Json& entry : c["outputs"].array())
    if (entry["name"].str().rfind(prefix, 0) == 0) return entry;
  throw std::runtime_error("case " + c["name"].str() + " has no output '" + prefix + "'");
}

Tensor as_tensor(const std::vector<float>& values, Shape shape) {
  Tensor t(std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numel()), values.size());
  if (static_cast<size_t>(t.numel()) == values.size())
    std::memcpy(t.data(), values.data(), values.size() * sizeof(float));
  return t;
}

const Tensor& output_named(const std::vector<NamedTensor>& outputs, const std::string& name) {
  for (const NamedTensor& o : outputs)
    if (o.name == name) return o.value;
  throw std::runtime_error("no network output '" + name + "'");
}

class DetectionEndToEnd : public ::testing::TestWithParam<std::string> {};

TEST_P(DetectionEndToEnd, OurNetworkGivesTheReferenceDetections) {
  ESPNET_REQUIRE_REF_DATA();
  const Json& c = test::manifest_case(GetParam());
  const Json& cfg = c["ssd_config"];
  const int image_size = static_cast<int>(cfg["image_size"].number());
  const int num_priors = static_cast<int>(c["num_priors"].number());
  const int num_classes = static_cast<int>(c["classes"].number());

  auto model = test::load_reference_model(c["checkpoint"].str());
  ASSERT_EQ(model->info().input_size, image_size);
  Session session(model);
  std::vector<NamedTensor> outputs =
      session.run(read_npy_f32(test::ref_path(c["input"]["file"].str())));
  const Tensor& confidences = output_named(outputs, "confidences");
  const Tensor& locations = output_named(outputs, "locations");
  ASSERT_EQ(confidences.shape(), Shape({1, num_priors, num_classes}));
  ASSERT_EQ(locations.shape(), Shape({1, num_priors, 4}));

  // Priors.
  SsdConfig config = ssd_config(image_size);
  std::vector<float> priors = make_ssd_priors(config);
  {
    const Json& entry = output_entry(c, "priors");
    EXPECT_TRUE(test::all_close(
        as_tensor(priors, {num_priors, 4}), read_npy_f32(test::ref_path(entry["file"].str())),
        entry["tolerance"]["abs"].number(), entry["tolerance"]["rel"].number()));
  }
  const float center_variance = static_cast<float>(cfg["center_variance"].number());
  const float size_variance = static_cast<float>(cfg["size_variance"].number());
  EXPECT_EQ(center_variance, config.center_variance);
  EXPECT_EQ(size_variance, config.size_variance);

  // Decoded boxes of our locations.
  {
    const Json& entry = output_entry(c, "decoded boxes");
    std::vector<float> boxes = decode_ssd_boxes(locations.data(), priors.data(), num_priors,
                                                center_variance, size_variance);
    EXPECT_TRUE(test::all_close(
        as_tensor(boxes, {num_priors, 4}), read_npy_f32(test::ref_path(entry["file"].str())),
        entry["tolerance"]["abs"].number(), entry["tolerance"]["rel"].number()));
  }

  // The final lists, with the reference's own post-processing settings.
  const Json& det = output_entry(c, "detections");
  SsdPostprocessOptions options;
  options.score_threshold = static_cast<float>(det["score_threshold"].number());
  options.iou_threshold = static_cast<float>(det["nms_iou_threshold"].number());
  options.top_k_per_class = static_cast<int>(det["top_k_per_class"].number());
  options.center_variance = center_variance;
  options.size_variance = size_variance;
  std::vector<Detection> dets = ssd_postprocess(confidences.data(), locations.data(), priors.data(),
                                                num_priors, num_classes, options);

  const int64_t count = static_cast<int64_t>(det["count"].number());
  NpyArray labels = read_npy(test::ref_path(det["labels"]["file"].str()));
  ASSERT_EQ(labels.type, NpyType::kInt32);
  ASSERT_EQ(labels.numel(), count);
  Tensor boxes = read_npy_f32(test::ref_path(det["boxes"]["file"].str()));
  Tensor scores = read_npy_f32(test::ref_path(det["scores"]["file"].str()));
  ASSERT_EQ(boxes.shape(), Shape({count, 4}));
  ASSERT_EQ(scores.shape(), Shape({count}));
  ASSERT_GT(count, 0);
  ASSERT_EQ(det["tolerance"]["count_and_labels"].str(), "exact");
  const double boxes_abs = det["tolerance"]["boxes_abs"].number();
  const double scores_abs = det["tolerance"]["scores_abs"].number();

  ASSERT_EQ(static_cast<int64_t>(dets.size()), count);
  std::vector<int32_t> expected_labels(static_cast<size_t>(count));
  std::memcpy(expected_labels.data(), labels.bytes.data(),
              expected_labels.size() * sizeof(int32_t));
  for (int64_t i = 0; i < count; ++i) {
    const Detection& d = dets[static_cast<size_t>(i)];
    EXPECT_EQ(d.label, expected_labels[static_cast<size_t>(i)]) << "detection " << i;
    const float got[4] = {d.x1, d.y1, d.x2, d.y2};
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(got[k], boxes.data()[i * 4 + k], boxes_abs)
          << "detection " << i << " coord " << k;
    EXPECT_NEAR(d.score, scores.data()[i], scores_abs) << "detection " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, DetectionEndToEnd,
                         ::testing::Values("det_ssd300_coco_s2.0", "det_ssd512_voc_s1.0"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace espnet
