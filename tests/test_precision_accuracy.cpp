// Accuracy of the reduced precisions against fp32, on the real weights and the shared photos:
// - segmentation (PASCAL s=0.5/1.0/2.0, Cityscapes EdgeNets s=0.5/2.0, original family
//   s=0.5/1.0; every photo in images/ through the model's own demo preprocessing): the share of
//   pixels labelled as fp32 labels them, and the mIoU of the labels taking fp32's as ground truth
//   (mean over the classes present in either map);
// - classification (random-weight classifiers, many random inputs): top-1 agreement and how often
//   fp32's top-1 is in the reduced run's top 5;
// - detection (random-weight SSD300/SSD512 on the photos): the reduced run's boxes matched to
//   fp32's (same class, IoU >= 0.5) as recall and precision.
// The tables are printed so the README's figures can be regenerated (ctest -R PrecisionAccuracy
// -V). Issue #12's goal for bf16 is >= 99.5 % of pixels on every model; it is met on PASCAL but
// not on Cityscapes (EdgeNets 99.3-99.6 %, original family 97.5-98.1 %): the table says so per
// model. What the tests assert are regression floors a little below the measured values (a
// broken kernel or layout gives far less), not the goals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "espnet/session.h"
#include "espnet/tasks.h"
#include "kernels/bf16_kernels.h"
#include "kernels/int8_kernels.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace espnet {
namespace {

const char* const kPhotos[] = {"images/sample8.jpg", "images/sample11.jpg", "images/sample6.jpg",
                               "images/sample4.jpg"};

struct LabelAgreement {
  double pixel_share;
  double miou;
};

// IoU per class over the classes present in either map, fp32's map taken as ground truth.
LabelAgreement compare_labels(const std::vector<uint8_t>& truth, const std::vector<uint8_t>& got) {
  std::map<int, std::pair<int64_t, int64_t>> counts;  // class -> (intersection, union)
  int64_t same = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] == got[i]) {
      ++same;
      ++counts[truth[i]].first;
      ++counts[truth[i]].second;
    } else {
      ++counts[truth[i]].second;
      ++counts[got[i]].second;
    }
  }
  double iou_sum = 0;
  for (const auto& kv : counts) iou_sum += double(kv.second.first) / double(kv.second.second);
  return {double(same) / double(truth.size()), iou_sum / double(counts.size())};
}

bool bf16_available() {
  return bf16_kernels() != nullptr;
}

class PrecisionAccuracy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_ref_data()) GTEST_SKIP() << "no reference data at " << test::ref_dir();
    if (!bf16_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU (or ESPNET_ISA)";
  }
};

// One row per model: `precision`'s labels against fp32's on every photo. `goal` is issue #12's
// share of pixels for that precision (reported), the floors are asserted.
void segmentation_table(Precision precision, double goal, double floor_all, double floor_worst) {
  const char* const models[] = {"checkpoints/espnetv2_s_0.5_pascal_384x384.pth",
                                "checkpoints/espnetv2_s_1.0_pascal_384x384.pth",
                                "checkpoints/espnetv2_s_2.0_pascal_384x384.pth",
                                "checkpoints/espnetv2_s_0.5_city_1024x512.pth",
                                "checkpoints/espnetv2_s_2.0_city_1024x512.pth",
                                "checkpoints/espnetv2orig_seg_city_s0.5.pth",
                                "checkpoints/espnetv2orig_seg_city_s1.0.pth"};
  std::vector<Image> photos;
  for (const char* p : kPhotos) photos.push_back(decode_image(test::ref_path(p)));
  std::printf(
      "\n%s:\n| model | pixels as fp32 (worst photo) | mIoU vs fp32 (worst photo) | goal |\n",
      precision_name(precision));
  std::printf("| --- | --- | --- | --- |\n");
  for (const char* m : models) {
    auto model = test::load_reference_model(m);
    Session fp32(model, SessionOptions{0});
    SessionOptions reduced_options{0};
    reduced_options.precision = precision;
    Session reduced(model, reduced_options);
    int64_t pixels = 0;
    double same = 0, worst_share = 1, miou_sum = 0, worst_miou = 1;
    for (const Image& photo : photos) {
      const SegmentationResult a = segment(fp32, photo);
      const SegmentationResult b = segment(reduced, photo);
      ASSERT_GT(reduced.precision_report().reduced_convolutions, 0) << m << ": nothing reduced";
      const LabelAgreement agreement = compare_labels(a.labels, b.labels);
      same += agreement.pixel_share * double(a.labels.size());
      pixels += int64_t(a.labels.size());
      worst_share = std::min(worst_share, agreement.pixel_share);
      miou_sum += agreement.miou;
      worst_miou = std::min(worst_miou, agreement.miou);
    }
    const double share = same / double(pixels), miou = miou_sum / double(photos.size());
    std::printf("| %s | %.3f %% (%.3f %%) | %.2f %% (%.2f %%) | %s |\n", m, 100 * share,
                100 * worst_share, 100 * miou, 100 * worst_miou,
                worst_share >= goal ? "met" : "not met");
    EXPECT_GE(share, floor_all) << m;
    EXPECT_GE(worst_share, floor_worst) << m;
  }
}

TEST_F(PrecisionAccuracy, SegmentationBf16LabelsMatchFp32OnThePhotos) {
  // Floors (measured: >= 97.4 % of all pixels, >= 94.9 % on the worst photo).
  segmentation_table(Precision::kBf16, 0.995, 0.965, 0.94);
}

TEST_F(PrecisionAccuracy, SegmentationInt8LabelsMatchFp32OnThePhotos) {
  if (!int8_vnni_available()) GTEST_SKIP() << "no AVX-512 VNNI on this CPU (or ESPNET_ISA)";
  // Dynamic per-tensor activation scales (no calibrated model, no per-layer fp32 choices yet):
  // measured 75-99 % of all pixels, 57-99 % on the worst photo, far from the goal on Cityscapes.
  // The floors only catch a broken path.
  segmentation_table(Precision::kInt8, 0.98, 0.72, 0.55);
}

// Random-weight classifiers: the logits of unrelated classes are close, so this is a harder test
// of agreement than trained weights would give.
TEST_F(PrecisionAccuracy, ClassificationBf16TopClassesAgreeWithFp32) {
  const char* const models[] = {
      "checkpoints/cls_s0.5_random_legacy.pth", "checkpoints/cls_s1.0_random.pth",
      "checkpoints/cls_s1.5_random.pth", "checkpoints/cls_s2.0_random.pth"};
  constexpr int kInputs = 100;  // ~40 s of CPU on 2 cores: kept small for CI
  std::mt19937 rng(20261202u);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::printf("\n| model | top-1 agreement | fp32 top-1 in bf16 top-5 | inputs |\n");
  std::printf("| --- | --- | --- | --- |\n");
  for (const char* m : models) {
    auto model = test::load_reference_model(m);
    Session fp32(model, SessionOptions{0});
    SessionOptions bf16_options{0};
    bf16_options.precision = Precision::kBf16;
    Session bf16(model, bf16_options);
    int top1 = 0, in_top5 = 0;
    for (int i = 0; i < kInputs; ++i) {
      Tensor input({1, 3, 224, 224});
      for (int64_t j = 0; j < input.numel(); ++j) input.data()[j] = normal(rng);
      const Tensor a = fp32.run(input)[0].value;
      const Tensor& b = bf16.run(input)[0].value;
      const int classes = static_cast<int>(a.dim(1));
      const std::vector<ClassScore> ta = top_classes(a.data(), classes, 1);
      const std::vector<ClassScore> tb = top_classes(b.data(), classes, 5);
      top1 += ta[0].index == tb[0].index;
      for (const ClassScore& s : tb) in_top5 += s.index == ta[0].index;
    }
    std::printf("| %s | %.1f %% | %.1f %% | %d |\n", m, 100.0 * top1 / kInputs,
                100.0 * in_top5 / kInputs, kInputs);
    EXPECT_GE(in_top5, kInputs * 99 / 100) << m;
  }
}

double iou(const Detection& a, const Detection& b) {
  const double iw = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const double ih = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const double inter = iw * ih;
  const double areas = double(a.x2 - a.x1) * (a.y2 - a.y1) + double(b.x2 - b.x1) * (b.y2 - b.y1);
  return inter / (areas - inter);
}

TEST_F(PrecisionAccuracy, DetectionBf16BoxesMatchFp32OnThePhotos) {
  const char* const models[] = {"checkpoints/det_ssd300_coco_s2.0_random.pth",
                                "checkpoints/det_ssd512_voc_s1.0_random.pth"};
  std::printf(
      "\n| model | fp32 boxes | bf16 boxes | recall | precision |\n| --- | --- | --- | --- | --- "
      "|\n");
  for (const char* m : models) {
    auto model = test::load_reference_model(m);
    Session fp32(model, SessionOptions{0});
    SessionOptions bf16_options{0};
    bf16_options.precision = Precision::kBf16;
    Session bf16(model, bf16_options);
    int truth_count = 0, got_count = 0, matched = 0;
    for (const char* p : kPhotos) {
      const Image photo = decode_image(test::ref_path(p));
      const std::vector<Detection> truth = detect(fp32, photo);
      const std::vector<Detection> got = detect(bf16, photo);
      // Greedy one-to-one matching, best IoU first.
      std::vector<bool> used(got.size(), false);
      for (const Detection& t : truth) {
        int best = -1;
        double best_iou = 0.5;
        for (size_t j = 0; j < got.size(); ++j)
          if (!used[j] && got[j].label == t.label && iou(t, got[j]) >= best_iou)
            best = int(j), best_iou = iou(t, got[j]);
        if (best >= 0) used[size_t(best)] = true, ++matched;
      }
      truth_count += int(truth.size());
      got_count += int(got.size());
    }
    const double recall = truth_count ? double(matched) / truth_count : 1.0;
    const double precision = got_count ? double(matched) / got_count : 1.0;
    std::printf("| %s | %d | %d | %.1f %% | %.1f %% |\n", m, truth_count, got_count, 100 * recall,
                100 * precision);
    EXPECT_GT(truth_count, 0) << m << ": no fp32 detections to compare with";
    // Floors (measured 78-83 % recall, 76-79 % precision). These detectors have random weights:
    // bf16's error grows with depth through them (relative RMS 1 % at level 3, 11 % at level 5,
    // 20-30 % in the bottom-up decoder, traced layer by layer) far more than through the trained
    // segmentation networks, and hundreds of their boxes sit near the score threshold.
    EXPECT_GE(recall, 0.7) << m;
    EXPECT_GE(precision, 0.7) << m;
  }
}

}  // namespace
}  // namespace espnet
