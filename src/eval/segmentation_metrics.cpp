#include "eval/segmentation_metrics.h"

#include <string>

#include "espnet/error.h"

namespace espnet::eval {

ConfusionMatrix::ConfusionMatrix(int classes) : classes_(classes) {
  if (classes < 1 || classes > 255)
    throw Error("confusion matrix: " + std::to_string(classes) +
                " classes (1..255 can be scored; 255 marks ignored pixels)");
  cells_.assign(static_cast<size_t>(classes) * 256, 0);
}

void ConfusionMatrix::add(const uint8_t* predicted, const uint8_t* ground_truth, size_t count) {
  if (count != 0 && (predicted == nullptr || ground_truth == nullptr))
    throw Error("confusion matrix: null label map");
  for (size_t i = 0; i < count; ++i) {
    const int truth = ground_truth[i];
    if (truth < classes_) ++cells_[truth * 256 + predicted[i]];
  }
}

void ConfusionMatrix::add_cell(int truth, int predicted, int64_t count) {
  if (truth < 0 || truth >= classes_ || predicted < 0 || predicted > 255 || count < 0)
    throw Error("confusion matrix: cell (" + std::to_string(truth) + ", " +
                std::to_string(predicted) + ") += " + std::to_string(count) + " is outside 0.." +
                std::to_string(classes_ - 1) + " x 0..255 or negative");
  cells_[truth * 256 + predicted] += count;
}

SegmentationScores ConfusionMatrix::scores() const {
  SegmentationScores s;
  // Pixels predicted as class c, over scored pixels only (segmentation_miou.py multiplies the
  // prediction by the "not ignored" mask before counting).
  std::vector<int64_t> predicted_as(classes_, 0), truth_of(classes_, 0);
  int64_t correct = 0;
  for (int t = 0; t < classes_; ++t) {
    for (int p = 0; p < 256; ++p) {
      const int64_t n = at(t, p);
      truth_of[t] += n;
      if (p < classes_) predicted_as[p] += n;
    }
    correct += at(t, t);
  }
  for (int t = 0; t < classes_; ++t) s.scored_pixels += truth_of[t];
  double sum = 0;
  int counted = 0;
  s.iou.resize(classes_);
  for (int c = 0; c < classes_; ++c) {
    const int64_t intersection = at(c, c);
    const int64_t union_pixels = truth_of[c] + predicted_as[c] - intersection;
    if (union_pixels == 0) continue;  // absent from both: null, not a 0 in the mean
    s.iou[c] = static_cast<double>(intersection) / static_cast<double>(union_pixels);
    sum += *s.iou[c];
    ++counted;
  }
  s.mean_iou = counted ? sum / counted : 0.0;
  s.pixel_accuracy =
      s.scored_pixels ? static_cast<double>(correct) / static_cast<double>(s.scored_pixels) : 0.0;
  return s;
}

}  // namespace espnet::eval
