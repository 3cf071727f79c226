// PASCAL VOC detection average precision at an IoU threshold (0.5), as the VOC devkit and the
// chainercv code EdgeNets uses (utilities/metrics/voc_helper.py) define it:
// - per image and class, predictions in descending score order are matched to the ground-truth
//   box of largest IoU (boxes in VOC's integer convention: x2 + 1, y2 + 1); IoU >= threshold
//   matches; a box already taken by a higher-scored prediction makes a false positive; a match
//   with a box marked difficult is neither a true nor a false positive;
// - over the dataset, all predictions of a class in descending score order (ties keep the order
//   they were added in, as the devkit's stable sort), precision and recall against the number of
//   non-difficult boxes;
// - all-points AP: area under the precision envelope (VOC 2010+); VOC07: mean over recall
//   0, 0.1, ..., 1 of the best precision at recall >= t.
// A class without non-difficult ground truth has no AP (null) and is left out of the mean; a class
// with ground truth but no prediction has AP 0.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace espnet::eval {

struct ScoredBox {
  float x1, y1, x2, y2;
  int label;
  float score;
};

struct GroundTruthBox {
  float x1, y1, x2, y2;
  int label;
  bool difficult;
};

struct DetectionScores {
  std::vector<std::optional<double>> ap;        ///< all-points AP by class index
  std::vector<std::optional<double>> ap_voc07;  ///< 11-point AP by class index
  double map = 0, map_voc07 = 0;                ///< means over the classes that have an AP
};

/// Precision envelope areas from precision/recall sequences (in ranked order).
double average_precision_all_points(const std::vector<double>& precision,
                                    const std::vector<double>& recall);
double average_precision_11_point(const std::vector<double>& precision,
                                  const std::vector<double>& recall);

/// Intersection over union in VOC's pixel convention (a box covers x1..x2 inclusive: +1).
double voc_box_iou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2,
                   float by2);

/// One image's predictions matched to its ground truth: what the dataset-wide AP needs of it, so
/// that images scored apart (eval's shards and resumed runs) add up to the same scores.
struct ImageMatches {
  struct Prediction {
    int label;
    float score;
    int8_t match;  ///< 1 true positive, 0 false positive, -1 matched a difficult box (ignored)
  };
  std::vector<int64_t> positives;       ///< non-difficult ground-truth boxes by class
  std::vector<Prediction> predictions;  ///< class by class, each in descending score order
};

class DetectionAccumulator {
 public:
  /// Labels 0..classes-1 (the background, 0, simply never has ground truth). Throws
  /// espnet::Error for classes < 1 or an IoU threshold outside (0, 1].
  explicit DetectionAccumulator(int classes, double iou_threshold = 0.5);

  /// One image's predictions and ground truth; labels outside 0..classes-1 are an espnet::Error.
  void add_image(const std::vector<ScoredBox>& predictions,
                 const std::vector<GroundTruthBox>& ground_truth) {
    add_matches(match_image(predictions, ground_truth));
  }

  /// The matching add_image does, without adding.
  ImageMatches match_image(const std::vector<ScoredBox>& predictions,
                           const std::vector<GroundTruthBox>& ground_truth) const;
  /// Adds an image matched before (possibly read back from a record). Among predictions of
  /// equal score, those added first rank first. An espnet::Error for a label outside the
  /// classes, a match outside -1..1 or a wrong number of classes.
  void add_matches(const ImageMatches& image);

  int64_t images() const { return images_; }
  DetectionScores scores() const;

 private:
  struct Ranked {
    float score;
    int64_t order;  // insertion order: ties keep it
    int8_t match;   // 1 true positive, 0 false positive, -1 difficult (ignored)
  };
  int classes_;
  double iou_threshold_;
  int64_t images_ = 0, added_ = 0;
  std::vector<int64_t> positives_;           // non-difficult ground truth per class
  std::vector<std::vector<Ranked>> ranked_;  // per class
};

}  // namespace espnet::eval
