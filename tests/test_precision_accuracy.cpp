// Accuracy of the reduced precisions against fp32, on the real weights and the shared photos:
// - segmentation (PASCAL s=0.5/1.0/2.0, Cityscapes EdgeNets s=0.5/2.0, original family
//   s=0.5/1.0; photos through the model's own demo preprocessing): the share of pixels labelled
//   as fp32 labels them, and the mIoU of the labels taking fp32's as ground truth (confusion
//   summed over the photos, mean over the classes present in either labelling), plus the worst
//   photo's figures;
// - classification (random-weight classifiers, many random inputs): top-1 agreement and how often
//   fp32's top-1 is in the reduced run's top 5;
// - detection (random-weight SSD300/SSD512 on the photos): the reduced run's boxes matched to
//   fp32's (same class, IoU >= 0.5) as recall and precision.
// int8 needs a quantized model: each model is calibrated with espnet::quantize() on photos (or
// inputs) that the measurement then does not use: sample8 and sample11 calibrate, sample6 and
// sample4 measure.
// The tables are printed so the README's figures can be regenerated (ctest -R PrecisionAccuracy
// -V). Issue #12's goals (bf16 >= 99.5 % of pixels; int8 >= 98 % of pixels and >= 95 % mIoU)
// are reported per model, not asserted: what the tests assert are regression floors a little
// below the measured values (a broken kernel, layout or calibration gives far less).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "espnet/quantize.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "kernels/bf16_kernels.h"
#include "kernels/int8_kernels.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"
#include "tasks/task_stages.h"

namespace espnet {
namespace {

// bf16 needs no calibration and is measured on all four photos; int8 calibrates on the first two
// and is measured on the last two.
const char* const kPhotos[] = {"images/sample8.jpg", "images/sample11.jpg", "images/sample6.jpg",
                               "images/sample4.jpg"};
const char* const kCalibrationPhotos[] = {"images/sample8.jpg", "images/sample11.jpg"};
const char* const kMeasuredPhotos[] = {"images/sample6.jpg", "images/sample4.jpg"};

std::vector<Image> decode_photos(Precision precision) {
  std::vector<Image> photos;
  if (precision == Precision::kInt8)
    for (const char* p : kMeasuredPhotos) photos.push_back(decode_image(test::ref_path(p)));
  else
    for (const char* p : kPhotos) photos.push_back(decode_image(test::ref_path(p)));
  return photos;
}

// The model a `precision` session runs: for int8, calibrated on the calibration photos (or on
// `inputs` when given).
std::shared_ptr<const Model> model_for(Precision precision, std::shared_ptr<const Model> model,
                                       std::vector<Tensor> inputs = {}) {
  if (precision != Precision::kInt8) return model;
  if (inputs.empty())
    for (const char* p : kCalibrationPhotos)
      inputs.push_back(calibration_input(*model, decode_image(test::ref_path(p))));
  return quantize(model, inputs);
}

int int8_layers(const Model& model) {
  int count = 0;
  for (const LayerQuantization& l : model.quantization()->layers) count += l.int8;
  return count;
}

using Confusion = std::map<std::pair<int, int>, int64_t>;  // (fp32 label, reduced label) -> pixels

// A class's pixels in the fp32 labels (truth), in the reduced run's (got) and in both (hit).
struct ClassPixels {
  int64_t truth = 0, got = 0, hit = 0;
  double iou() const { return double(hit) / double(truth + got - hit); }
};

// Per class present in either labelling, from a confusion matrix (one photo's, or summed over
// photos).
std::map<int, ClassPixels> class_pixels(const Confusion& confusion) {
  std::map<int, ClassPixels> classes;
  for (const auto& [cell, count] : confusion) {
    classes[cell.first].truth += count;
    classes[cell.second].got += count;
    if (cell.first == cell.second) classes[cell.first].hit += count;
  }
  return classes;
}

// mIoU: the mean over the classes present in either labelling of intersection / union.
double dataset_miou(const std::map<int, ClassPixels>& classes) {
  double sum = 0;
  for (const auto& kv : classes) sum += kv.second.iou();
  return sum / double(classes.size());
}

Confusion confusion_of(const std::vector<uint8_t>& truth, const std::vector<uint8_t>& got) {
  Confusion confusion;
  for (size_t i = 0; i < truth.size(); ++i) ++confusion[{truth[i], got[i]}];
  return confusion;
}

struct LabelAgreement {
  double pixel_share;
  double miou;
};

// One photo's agreement, fp32's map taken as ground truth.
LabelAgreement compare_labels(const Confusion& confusion) {
  int64_t same = 0, pixels = 0;
  for (const auto& [cell, count] : confusion) {
    pixels += count;
    if (cell.first == cell.second) same += count;
  }
  return {double(same) / double(pixels), dataset_miou(class_pixels(confusion))};
}

// The classes below the 95 % IoU goal, as "class: fp32 N px, int8 M px, IoU x %": on a few photos
// the mIoU is decided by classes of a handful of pixels (near-ties of two logits), which is what
// the README's table needs to say.
std::string classes_below_goal(const std::map<int, ClassPixels>& classes,
                               const std::vector<std::string>& names) {
  std::string text;
  for (const auto& [c, p] : classes) {
    if (p.iou() >= 0.95) continue;
    char line[160];
    std::snprintf(line, sizeof line, "%s%s: %lld px as fp32, %lld as reduced, IoU %.1f %%",
                  text.empty() ? "" : "; ", size_t(c) < names.size() ? names[c].c_str() : "?",
                  static_cast<long long>(p.truth), static_cast<long long>(p.got), 100 * p.iou());
    text += line;
  }
  return text.empty() ? "-" : text;
}

// A model's fp32 session beside one in `precision` (int8: on the model calibrated by model_for).
struct SessionPair {
  SessionPair(Precision precision, const char* checkpoint)
      : fp32_model(test::load_reference_model(checkpoint)),
        model(model_for(precision, fp32_model)),
        fp32(fp32_model, SessionOptions{0}),
        reduced(model, with_precision(precision)) {}
  static SessionOptions with_precision(Precision precision) {
    SessionOptions options{0};
    options.precision = precision;
    return options;
  }
  std::shared_ptr<const Model> fp32_model, model;
  Session fp32, reduced;
};

class PrecisionAccuracy : public ::testing::TestWithParam<Precision> {
 protected:
  void SetUp() override {
    if (!test::have_ref_data()) GTEST_SKIP() << "no reference data at " << test::ref_dir();
    // int8 runs anywhere (fp32 kernels on dequantized weights without VNNI); bf16 does not.
    if (GetParam() == Precision::kBf16 && !bf16_kernels())
      GTEST_SKIP() << "no AVX-512 BF16 on this CPU (or ESPNET_ISA)";
  }
};

std::string precision_param_name(const ::testing::TestParamInfo<Precision>& info) {
  return precision_name(info.param);
}

// Floors per precision (measured: bf16 >= 97.4 % of all pixels, >= 94.9 % on the worst photo;
// int8 >= 99.1 % and >= 99.0 %, the README's table).
struct Floors {
  double pixels_all, pixels_worst;
};

TEST_P(PrecisionAccuracy, SegmentationLabelsMatchFp32OnThePhotos) {
  const Precision precision = GetParam();
  const Floors floors = precision == Precision::kInt8 ? Floors{0.985, 0.98} : Floors{0.965, 0.94};
  const double goal = precision == Precision::kInt8 ? 0.98 : 0.995;
  const char* const models[] = {"checkpoints/espnetv2_s_0.5_pascal_384x384.pth",
                                "checkpoints/espnetv2_s_1.0_pascal_384x384.pth",
                                "checkpoints/espnetv2_s_2.0_pascal_384x384.pth",
                                "checkpoints/espnetv2_s_0.5_city_1024x512.pth",
                                "checkpoints/espnetv2_s_2.0_city_1024x512.pth",
                                "checkpoints/espnetv2orig_seg_city_s0.5.pth",
                                "checkpoints/espnetv2orig_seg_city_s1.0.pth"};
  const std::vector<Image> photos = decode_photos(precision);
  std::printf(
      "\n%s:\n| model | pixels as fp32 (worst photo) | mIoU vs fp32 (worst photo) | "
      "int8 layers (fallbacks over the photos) | goal | classes under 95 %% IoU |\n| --- | --- | "
      "--- | --- | --- | --- |\n",
      precision_name(precision));
  for (const char* m : models) {
    SessionPair pair(precision, m);
    Session &fp32 = pair.fp32, &reduced = pair.reduced;
    const std::shared_ptr<const Model>& model = pair.model;
    int64_t pixels = 0;
    double same = 0, worst_share = 1, worst_miou = 1;
    int fallbacks = 0;
    Confusion confusion;
    for (const Image& photo : photos) {
      const SegmentationResult a = segment(fp32, photo);
      const SegmentationResult b = segment(reduced, photo);
      // int8 layers run int8, or fp32 where their input left the calibrated range (counted).
      const PrecisionReport report = reduced.precision_report();
      ASSERT_GT(report.reduced_convolutions + report.int8_fallbacks, 0) << m << ": nothing reduced";
      fallbacks += report.int8_fallbacks;
      const Confusion photo_confusion = confusion_of(a.labels, b.labels);
      const LabelAgreement agreement = compare_labels(photo_confusion);
      for (const auto& [cell, count] : photo_confusion) confusion[cell] += count;
      same += agreement.pixel_share * double(a.labels.size());
      pixels += int64_t(a.labels.size());
      worst_share = std::min(worst_share, agreement.pixel_share);
      worst_miou = std::min(worst_miou, agreement.miou);
    }
    const std::map<int, ClassPixels> classes = class_pixels(confusion);
    const double share = same / double(pixels), miou = dataset_miou(classes);
    const std::string layers = precision == Precision::kInt8
                                   ? std::to_string(int8_layers(*model)) + " of " +
                                         std::to_string(model->quantization()->layers.size()) +
                                         " (" + std::to_string(fallbacks) + " fell back)"
                                   : "-";
    const bool met =
        share >= goal && worst_share >= goal && (precision != Precision::kInt8 || miou >= 0.95);
    std::printf("| %s | %.2f %% (%.2f %%) | %.1f %% (%.1f %%) | %s | %s | %s |\n", m, 100 * share,
                100 * worst_share, 100 * miou, 100 * worst_miou, layers.c_str(),
                met ? "met" : "not met",
                classes_below_goal(classes, class_names(*pair.fp32_model)).c_str());
    EXPECT_GE(share, floors.pixels_all) << m;
    EXPECT_GE(worst_share, floors.pixels_worst) << m;
  }
}

// Random-weight classifiers: the logits of unrelated classes are close, so this is a harder test
// of agreement than trained weights would give. int8 calibrates on 8 other random inputs.
TEST_P(PrecisionAccuracy, ClassificationTopClassesAgreeWithFp32) {
  const Precision precision = GetParam();
  const char* const models[] = {
      "checkpoints/cls_s0.5_random_legacy.pth", "checkpoints/cls_s1.0_random.pth",
      "checkpoints/cls_s1.5_random.pth", "checkpoints/cls_s2.0_random.pth"};
  constexpr int kInputs = 100;  // ~40 s of CPU on 2 cores: kept small for CI
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const auto random_input = [&](std::mt19937& rng) {
    Tensor input({1, 3, 224, 224});
    for (int64_t j = 0; j < input.numel(); ++j) input.data()[j] = normal(rng);
    return input;
  };
  std::printf(
      "\n%s:\n| model | top-1 agreement | fp32 top-1 in top-5 | inputs |\n| --- | --- | "
      "--- | --- |\n",
      precision_name(precision));
  for (const char* m : models) {
    auto fp32_model = test::load_reference_model(m);
    std::mt19937 calibration_rng(7u);
    std::vector<Tensor> calibration;
    for (int i = 0; i < 8; ++i) calibration.push_back(random_input(calibration_rng));
    auto model = model_for(precision, fp32_model, calibration);
    Session fp32(fp32_model, SessionOptions{0});
    SessionOptions reduced_options{0};
    reduced_options.precision = precision;
    Session reduced(model, reduced_options);
    std::mt19937 rng(20261202u);
    int top1 = 0, in_top5 = 0;
    for (int i = 0; i < kInputs; ++i) {
      const Tensor input = random_input(rng);
      const Tensor a = fp32.run(input)[0].value;
      const Tensor& b = reduced.run(input)[0].value;
      const int classes = static_cast<int>(a.dim(1));
      const std::vector<ClassScore> ta = top_classes(a.data(), classes, 1);
      const std::vector<ClassScore> tb = top_classes(b.data(), classes, 5);
      top1 += ta[0].index == tb[0].index;
      for (const ClassScore& s : tb) in_top5 += s.index == ta[0].index;
    }
    std::printf("| %s | %.1f %% | %.1f %% | %d |\n", m, 100.0 * top1 / kInputs,
                100.0 * in_top5 / kInputs, kInputs);
    EXPECT_GE(in_top5, kInputs * 95 / 100) << m;
  }
}

double iou(const Detection& a, const Detection& b) {
  const double iw = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const double ih = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const double inter = iw * ih;
  const double areas = double(a.x2 - a.x1) * (a.y2 - a.y1) + double(b.x2 - b.x1) * (b.y2 - b.y1);
  return inter / (areas - inter);
}

TEST_P(PrecisionAccuracy, DetectionBoxesMatchFp32OnThePhotos) {
  const Precision precision = GetParam();
  const char* const models[] = {"checkpoints/det_ssd300_coco_s2.0_random.pth",
                                "checkpoints/det_ssd512_voc_s1.0_random.pth"};
  const std::vector<Image> photos = decode_photos(precision);
  std::printf(
      "\n%s:\n| model | fp32 boxes | reduced boxes | recall | precision |\n| --- | --- | "
      "--- | --- | --- |\n",
      precision_name(precision));
  for (const char* m : models) {
    SessionPair pair(precision, m);
    Session &fp32 = pair.fp32, &reduced = pair.reduced;
    int truth_count = 0, got_count = 0, matched = 0;
    for (const Image& photo : photos) {
      const std::vector<Detection> truth = detect(fp32, photo);
      const std::vector<Detection> got = detect(reduced, photo);
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
    const double box_precision = got_count ? double(matched) / got_count : 1.0;
    std::printf("| %s | %d | %d | %.1f %% | %.1f %% |\n", m, truth_count, got_count, 100 * recall,
                100 * box_precision);
    EXPECT_GT(truth_count, 0) << m << ": no fp32 detections to compare with";
    // Floors (measured 78-83 % recall, 76-79 % precision). These detectors have random weights:
    // bf16's error grows with depth through them (relative RMS 1 % at level 3, 11 % at level 5,
    // 20-30 % in the bottom-up decoder, traced layer by layer) far more than through the trained
    // segmentation networks, and hundreds of their boxes sit near the score threshold.
    EXPECT_GE(recall, 0.7) << m;
    EXPECT_GE(box_precision, 0.7) << m;
  }
}

INSTANTIATE_TEST_SUITE_P(Reduced, PrecisionAccuracy,
                         ::testing::Values(Precision::kBf16, Precision::kInt8),
                         precision_param_name);

}  // namespace
}  // namespace espnet
