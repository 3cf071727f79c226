// The evaluation metrics and ground-truth readers of src/eval against answers computed here
// independently: IoU from per-class pixel counts, top-k by hand, VOC AP worked out by hand for
// small cases (ties, difficult objects, duplicates, misses), label PNGs written and read back.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "eval/classification_metrics.h"
#include "eval/dataset_layout.h"
#include "eval/detection_metrics.h"
#include "eval/ground_truth.h"
#include "eval/segmentation_metrics.h"
#include "file_util.h"
#include "image/palette.h"
#include "image/png_write.h"

namespace espnet {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/eval_metrics_" + name;
}

void write_text(const std::string& path, const std::string& text) {
  write_file_atomic(path, text.data(), text.size());
}

TEST(SegmentationMetrics, MatchPerClassCountsOverRandomMaps) {
  const unsigned seed = 1234;
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int classes = 6;  // class 5 never appears anywhere; class 4 only in predictions
  eval::ConfusionMatrix matrix(classes);
  std::vector<int64_t> inter(classes, 0), truth_count(classes, 0), pred_count(classes, 0);
  int64_t scored = 0, correct = 0;
  for (int image = 0; image < 3; ++image) {
    const size_t n = 1000 + 37 * image;
    std::vector<uint8_t> gt(n), pred(n);
    for (size_t i = 0; i < n; ++i) {
      const int r = rng() % 10;
      gt[i] = r < 1 ? 255 : static_cast<uint8_t>(rng() % 4);  // 10 % ignored
      const int q = rng() % 10;
      // Mostly right; sometimes another class, class 4, or a label outside the scored classes
      // (as Cityscapes' background output).
      pred[i] = q < 6 ? gt[i] : q < 8 ? static_cast<uint8_t>(rng() % 4) : q < 9 ? 4 : 19;
      if (pred[i] == 255) pred[i] = 0;
    }
    matrix.add(pred.data(), gt.data(), n);
    for (size_t i = 0; i < n; ++i) {
      if (gt[i] >= classes) continue;  // ignored pixel: neither ground truth nor prediction
      ++scored;
      ++truth_count[gt[i]];
      if (pred[i] < classes) ++pred_count[pred[i]];
      if (pred[i] == gt[i]) ++inter[gt[i]], ++correct;
    }
  }
  const eval::SegmentationScores s = matrix.scores();
  ASSERT_EQ(s.iou.size(), static_cast<size_t>(classes));
  double sum = 0;
  int counted = 0;
  for (int c = 0; c < classes; ++c) {
    const int64_t uni = truth_count[c] + pred_count[c] - inter[c];
    if (uni == 0) {
      EXPECT_FALSE(s.iou[c].has_value()) << "class " << c;
      continue;
    }
    ASSERT_TRUE(s.iou[c].has_value()) << "class " << c;
    EXPECT_DOUBLE_EQ(*s.iou[c], static_cast<double>(inter[c]) / uni) << "class " << c;
    sum += static_cast<double>(inter[c]) / uni;
    ++counted;
  }
  EXPECT_FALSE(s.iou[5].has_value());
  ASSERT_TRUE(s.iou[4].has_value());
  EXPECT_EQ(*s.iou[4], 0.0);  // predicted, never true: IoU 0, counted in the mean
  EXPECT_EQ(counted, 5);
  EXPECT_DOUBLE_EQ(s.mean_iou, sum / counted);
  EXPECT_EQ(s.scored_pixels, scored);
  EXPECT_DOUBLE_EQ(s.pixel_accuracy, static_cast<double>(correct) / scored);
}

TEST(SegmentationMetrics, SmallCaseByHand) {
  // gt:   0 0 1 1 255     pred: 0 1 1 1 1
  // class 0: inter 1, union 2 -> 0.5; class 1: inter 2, union 3 -> 2/3; pixel acc 3/4.
  const uint8_t gt[] = {0, 0, 1, 1, 255}, pred[] = {0, 1, 1, 1, 1};
  eval::ConfusionMatrix m(3);
  m.add(pred, gt, 5);
  const eval::SegmentationScores s = m.scores();
  EXPECT_DOUBLE_EQ(*s.iou[0], 0.5);
  EXPECT_DOUBLE_EQ(*s.iou[1], 2.0 / 3.0);
  EXPECT_FALSE(s.iou[2].has_value());
  EXPECT_DOUBLE_EQ(s.mean_iou, (0.5 + 2.0 / 3.0) / 2);
  EXPECT_DOUBLE_EQ(s.pixel_accuracy, 0.75);
  EXPECT_THROW(eval::ConfusionMatrix(0), Error);
  EXPECT_THROW(eval::ConfusionMatrix(256), Error);
}

TEST(ClassificationMetrics, TopOneAndTopFive) {
  eval::TopKAccuracy acc;
  acc.add({3, 1, 2, 0, 4}, 3);     // top-1
  acc.add({3, 1, 2, 0, 4}, 4);     // fifth: top-5 only
  acc.add({3, 1, 2, 0, 4, 7}, 7);  // sixth: neither
  acc.add({9}, 8);                 // neither
  EXPECT_EQ(acc.samples(), 4);
  EXPECT_DOUBLE_EQ(acc.top1(), 0.25);
  EXPECT_DOUBLE_EQ(acc.top5(), 0.5);
}

TEST(DetectionMetrics, VocIouUsesInclusivePixels) {
  // [0, 9] x [0, 9] is 10 x 10 pixels; [5, 14] x [0, 9] overlaps 5 x 10: 50 / 150.
  EXPECT_DOUBLE_EQ(eval::voc_box_iou(0, 0, 9, 9, 5, 0, 14, 9), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(eval::voc_box_iou(0, 0, 9, 9, 0, 0, 9, 9), 1.0);
  EXPECT_DOUBLE_EQ(eval::voc_box_iou(0, 0, 9, 9, 20, 20, 29, 29), 0.0);
}

eval::ScoredBox box(float x, float y, int label, float score) {
  return {x, y, x + 9, y + 9, label, score};
}
eval::GroundTruthBox truth(float x, float y, int label, bool difficult = false) {
  return {x, y, x + 9, y + 9, label, difficult};
}

TEST(DetectionMetrics, HandWorkedAveragePrecision) {
  // Class 1, two images, 3 non-difficult objects + 1 difficult.
  // Image A: objects at (0,0) and (100,0) [difficult]; predictions: (0,0) 0.9 TP, (1,1) 0.8
  //   duplicate of the taken box -> FP, (100,0) 0.7 on the difficult one -> ignored.
  // Image B: objects at (0,0) and (50,50); predictions (50,50) 0.6 TP, (200,200) 0.5 FP.
  // Ranked: 0.9 TP, 0.8 FP, (0.7 ignored), 0.6 TP, 0.5 FP; (0,0) in B never found.
  // precision 1, 1/2, 2/3, 2/4; recall 1/3, 1/3, 2/3, 2/3.
  eval::DetectionAccumulator acc(3);
  acc.add_image({box(0, 0, 1, 0.9f), box(1, 1, 1, 0.8f), box(100, 0, 1, 0.7f)},
                {truth(0, 0, 1), truth(100, 0, 1, true)});
  acc.add_image({box(50, 50, 1, 0.6f), box(200, 200, 1, 0.5f)}, {truth(0, 0, 1), truth(50, 50, 1)});
  const eval::DetectionScores s = acc.scores();
  // All points: envelope 1 on (0, 1/3], 2/3 on (1/3, 2/3], 0 after.
  const double all_points = 1.0 / 3 + (1.0 / 3) * (2.0 / 3);
  // 11-point: t = 0, .1, .2, .3 -> 1; .4, .5, .6 -> 2/3; .7 ... 1 -> 0.
  const double eleven = (4 * 1.0 + 3 * (2.0 / 3)) / 11;
  ASSERT_TRUE(s.ap[1].has_value());
  EXPECT_NEAR(*s.ap[1], all_points, 1e-12);
  EXPECT_NEAR(*s.ap_voc07[1], eleven, 1e-12);
  EXPECT_FALSE(s.ap[0].has_value());  // background: no ground truth
  EXPECT_FALSE(s.ap[2].has_value());
  EXPECT_NEAR(s.map, all_points, 1e-12);
  EXPECT_NEAR(s.map_voc07, eleven, 1e-12);
}

TEST(DetectionMetrics, TiesKeepTheOrderTheyWereAddedIn) {
  // Two images, one object each; equal scores: image 1's FP was added before image 2's TP.
  // Stable order: FP then TP: precision 0, 1/2; recall 0, 1/2. Image 1's object missed.
  eval::DetectionAccumulator acc(2);
  acc.add_image({box(300, 300, 1, 0.5f)}, {truth(0, 0, 1)});
  acc.add_image({box(0, 0, 1, 0.5f)}, {truth(0, 0, 1)});
  eval::DetectionScores s = acc.scores();
  EXPECT_NEAR(*s.ap[1], 0.5 * 0.5, 1e-12);  // envelope 1/2 on (0, 1/2]
  // 11-point: t = 0 .. 0.5 -> 1/2 (6 points).
  EXPECT_NEAR(*s.ap_voc07[1], 6 * 0.5 / 11, 1e-12);
  // The other order (TP first) would give 1/2 * 1 all-points: the order matters and is fixed.
  eval::DetectionAccumulator swapped(2);
  swapped.add_image({box(0, 0, 1, 0.5f)}, {truth(0, 0, 1)});
  swapped.add_image({box(300, 300, 1, 0.5f)}, {truth(0, 0, 1)});
  EXPECT_NEAR(*swapped.scores().ap[1], 0.5, 1e-12);
}

// Images matched apart and added later (eval's shards and resumed runs) score exactly as images
// added directly, over random boxes with difficult objects and repeated scores.
TEST(DetectionMetrics, MatchedImagesAddedLaterScoreTheSame) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> coord(0, 200), size(5, 80);
  std::uniform_int_distribution<int> label(0, 3), count(0, 6), score_step(1, 4);
  eval::DetectionAccumulator direct(4), later(4);
  std::vector<eval::ImageMatches> matched;
  for (int image = 0; image < 40; ++image) {
    std::vector<eval::ScoredBox> predictions;
    std::vector<eval::GroundTruthBox> truth_boxes;
    for (int k = count(rng); k > 0; --k) {
      const float x = coord(rng), y = coord(rng);
      truth_boxes.push_back({x, y, x + size(rng), y + size(rng), label(rng), k == 1});
    }
    for (int k = count(rng); k > 0; --k) {
      const float x = coord(rng), y = coord(rng);
      predictions.push_back(
          {x, y, x + size(rng), y + size(rng), label(rng), 0.25f * score_step(rng)});
    }
    for (const eval::GroundTruthBox& t : truth_boxes)  // some exact hits
      if (count(rng) < 3)
        predictions.push_back({t.x1, t.y1, t.x2, t.y2, t.label, 0.25f * score_step(rng)});
    direct.add_image(predictions, truth_boxes);
    matched.push_back(later.match_image(predictions, truth_boxes));
  }
  for (const eval::ImageMatches& m : matched) later.add_matches(m);
  const eval::DetectionScores a = direct.scores(), b = later.scores();
  EXPECT_EQ(a.map, b.map);
  EXPECT_EQ(a.map_voc07, b.map_voc07);
  ASSERT_EQ(a.ap.size(), b.ap.size());
  for (size_t c = 0; c < a.ap.size(); ++c) EXPECT_EQ(a.ap[c], b.ap[c]) << "class " << c;
  EXPECT_GT(a.map, 0.0);
  // Records that do not fit the accumulator are refused.
  eval::ImageMatches bad = matched[0];
  bad.positives.resize(3);
  EXPECT_THROW(later.add_matches(bad), Error);
  bad = matched[0];
  bad.predictions.push_back({9, 0.5f, 1});
  EXPECT_THROW(later.add_matches(bad), Error);
  bad = matched[0];
  bad.predictions.push_back({1, 0.5f, 2});
  EXPECT_THROW(later.add_matches(bad), Error);
}

TEST(SegmentationMetrics, CellsAddedOneByOneEqualPixels) {
  eval::ConfusionMatrix pixels(3), cells(3);
  const uint8_t predicted[] = {0, 1, 2, 19, 1, 1}, truth[] = {0, 1, 1, 2, 255, 1};
  pixels.add(predicted, truth, 6);
  for (int t = 0; t < 3; ++t)
    for (int p = 0; p < 256; ++p)
      if (pixels.at(t, p)) cells.add_cell(t, p, pixels.at(t, p));
  EXPECT_EQ(pixels.scores().mean_iou, cells.scores().mean_iou);
  EXPECT_EQ(cells.at(1, 1), 2);
  EXPECT_THROW(cells.add_cell(3, 0, 1), Error);
  EXPECT_THROW(cells.add_cell(0, 256, 1), Error);
  EXPECT_THROW(cells.add_cell(0, 0, -1), Error);
}

TEST(DetectionMetrics, ClassWithObjectsButNoPredictionsScoresZero) {
  eval::DetectionAccumulator acc(3);
  acc.add_image({box(0, 0, 1, 0.9f)}, {truth(0, 0, 1), truth(0, 0, 2)});
  const eval::DetectionScores s = acc.scores();
  EXPECT_DOUBLE_EQ(*s.ap[1], 1.0);
  EXPECT_DOUBLE_EQ(*s.ap[2], 0.0);
  EXPECT_DOUBLE_EQ(s.map, 0.5);
  // Only difficult objects: no AP, even with a prediction on them.
  eval::DetectionAccumulator only_difficult(2);
  only_difficult.add_image({box(0, 0, 1, 0.9f)}, {truth(0, 0, 1, true)});
  EXPECT_FALSE(only_difficult.scores().ap[1].has_value());
  EXPECT_THROW(acc.add_image({box(0, 0, 7, 0.9f)}, {}), Error);
}

TEST(GroundTruth, VocAnnotationWithPartsAndDifficult) {
  const std::string path = temp_path("ann.xml");
  write_text(path,
             "<annotation><filename>x.jpg</filename>"
             "<object><name>Person </name><pose>Left</pose><difficult>0</difficult>"
             "<bndbox><xmin>10</xmin><ymin>20</ymin><xmax>110</xmax><ymax>220</ymax></bndbox>"
             "<part><name>head</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax>"
             "<ymax>4</ymax></bndbox></part></object>\n"
             "<object><name>dog</name><difficult>1</difficult><bndbox><xmin>5.0</xmin>"
             "<ymin>6</ymin><xmax>7</xmax><ymax>8</ymax></bndbox></object>"
             "<object><name>tvmonitor</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax>"
             "<ymax>2</ymax></bndbox></object></annotation>");
  const std::vector<std::string> names = {"background", "dog", "person", "tv/monitor"};
  const std::vector<eval::GroundTruthBox> boxes = eval::read_voc_annotation(path, names);
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_EQ(boxes[2].label, 3);      // the VOC files' spelling of our "tv/monitor"
  EXPECT_FALSE(boxes[2].difficult);  // <difficult> absent
  EXPECT_EQ(boxes[0].label, 2);
  EXPECT_FALSE(boxes[0].difficult);
  EXPECT_EQ(boxes[0].x1, 9);
  EXPECT_EQ(boxes[0].y1, 19);
  EXPECT_EQ(boxes[0].x2, 109);
  EXPECT_EQ(boxes[0].y2, 219);
  EXPECT_EQ(boxes[1].label, 1);
  EXPECT_TRUE(boxes[1].difficult);
  EXPECT_EQ(boxes[1].x1, 4);

  write_text(path, "<annotation><object><name>unicorn</name><bndbox></bndbox></object>");
  try {
    eval::read_voc_annotation(path, names);
    FAIL() << "unknown class accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown class 'unicorn'"), std::string::npos);
  }
  write_text(path, "<object><name>dog</name><bndbox><xmin>a</xmin></bndbox></object>");
  EXPECT_THROW(eval::read_voc_annotation(path, names), Error);
}

TEST(GroundTruth, PaletteGreyAndForeignColourLabelPngs) {
  // Every index 0..20 and 255 in a palette PNG comes back as the index.
  std::vector<uint8_t> labels;
  for (int i = 0; i < 21; ++i) labels.push_back(static_cast<uint8_t>(i));
  for (int i = 0; i < 11; ++i) labels.push_back(255);
  const std::string palette_png = temp_path("palette.png");
  write_png_palette(palette_png, labels.data(), 8, 4, voc_palette(), 256);
  eval::LabelMap map = eval::read_label_png(palette_png);
  EXPECT_EQ(map.width, 8);
  EXPECT_EQ(map.height, 4);
  EXPECT_EQ(map.labels, labels);
  // A grey PNG (Cityscapes labelIds): values as they are, e.g. 128 stays 128 (in the VOC palette
  // 128 grey would be class 7).
  std::vector<uint8_t> grey = {0, 7, 26, 128, 255, 33};
  const std::string grey_png = temp_path("grey.png");
  write_png_gray(grey_png, grey.data(), 3, 2);
  EXPECT_EQ(eval::read_label_png(grey_png).labels, grey);
  // An RGB photo is not a label map.
  Image photo;
  photo.width = 2, photo.height = 1, photo.channels = 3;
  photo.pixels = {0, 0, 0, 1, 2, 3};
  const std::string rgb_png = temp_path("rgb.png");
  write_png_rgb(rgb_png, photo);
  try {
    eval::read_label_png(rgb_png);
    FAIL() << "a foreign colour was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pixel (1, 0)"), std::string::npos) << e.what();
  }
}

TEST(GroundTruth, CityscapesLabelIdsToTrainIds) {
  // cityscapesScripts labels.py: the 19 evaluated ids, in trainId order.
  const int evaluated[19] = {7,  8,  11, 12, 13, 17, 19, 20, 21, 22,
                             23, 24, 25, 26, 27, 28, 31, 32, 33};
  for (int id = 0; id < 256; ++id) {
    int expected = 255;
    for (int t = 0; t < 19; ++t)
      if (evaluated[t] == id) expected = t;
    EXPECT_EQ(eval::cityscapes_label_id_to_train_id(static_cast<uint8_t>(id)), expected) << id;
  }
}

TEST(DatasetLayout, UnrecognisedFoldersSayWhatWasLookedFor) {
  const std::string dir = temp_path("empty_dataset");
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "/n1' '" + dir + "/n2'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  try {
    eval::find_segmentation_dataset(dir, "");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("neither a PASCAL VOC segmentation layout"),
              std::string::npos);
  }
  EXPECT_THROW(eval::find_detection_dataset(dir, ""), Error);
  try {
    eval::find_classification_dataset(dir, 1000);  // 2 WordNet-style folders for 1000 classes
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has 2 class folders; the model has 1000"),
              std::string::npos)
        << e.what();
  }
  const std::string list = dir + "/list.txt";
  write_text(list, "a.jpg 3\nb.jpg\n");
  EXPECT_THROW(eval::find_classification_dataset(list, 1000), Error);
}

}  // namespace
}  // namespace espnet
