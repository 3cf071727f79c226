// Segmentation accuracy over a whole dataset: one confusion matrix of ground truth against
// prediction, accumulated image by image, then per-class IoU, their mean and pixel accuracy, as
// EdgeNets' utilities/metrics/segmentation_miou.py does (intersections and unions summed over the
// dataset, not averaged per image).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace espnet::eval {

/// Ground-truth label that is never scored (PASCAL VOC's object boundaries, Cityscapes' classes
/// outside the 19 evaluated ones).
constexpr uint8_t kIgnoreLabel = 255;

struct SegmentationScores {
  /// IoU by class index (0..1); empty (null) for a class absent from both the ground truth and
  /// the predictions of every scored pixel.
  std::vector<std::optional<double>> iou;
  double mean_iou = 0;        ///< mean of the classes that have an IoU (0 when none has)
  double pixel_accuracy = 0;  ///< correct scored pixels / scored pixels (0 when none)
  int64_t scored_pixels = 0;  ///< pixels whose ground truth is an evaluated class
};

/// Confusion matrix of `classes` evaluated classes (ground truth rows) against every predicted
/// label 0..255 (columns). A ground-truth pixel outside 0..classes-1 (255 included) is not
/// scored; a predicted label outside 0..classes-1 (Cityscapes' background, 19) on a scored pixel
/// is a miss for its ground-truth class and a false positive for no class.
class ConfusionMatrix {
 public:
  /// Throws espnet::Error unless 1 <= classes <= 255.
  explicit ConfusionMatrix(int classes);

  int classes() const { return classes_; }

  /// Adds `count` pixels (predicted and ground-truth label maps of the same size, row-major).
  void add(const uint8_t* predicted, const uint8_t* ground_truth, size_t count);

  /// Adds `count` pixels of ground truth `truth` predicted as `predicted` (a cell read back from
  /// a record); an espnet::Error for a cell outside the matrix or a negative count.
  void add_cell(int truth, int predicted, int64_t count);

  /// Pixels with ground truth `truth` predicted as `predicted`.
  int64_t at(int truth, int predicted) const { return cells_[truth * 256 + predicted]; }

  SegmentationScores scores() const;

 private:
  int classes_;
  std::vector<int64_t> cells_;  // classes_ rows of 256 predicted labels
};

}  // namespace espnet::eval
