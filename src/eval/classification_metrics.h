// Top-1 / top-5 accuracy (EdgeNets' utilities/metrics/classification_accuracy.py: a sample counts
// for top-k when its label is among the k highest-ranked classes).
#pragma once

#include <cstdint>
#include <vector>

namespace espnet::eval {

class TopKAccuracy {
 public:
  /// `ranked`: class indices, most probable first (at least 5 where the model has 5 classes).
  void add(const std::vector<int>& ranked, int label);

  int64_t samples() const { return samples_; }
  /// Fraction 0..1 of samples whose label is among the first k of `ranked` (k = 1 or 5).
  double top1() const { return samples_ ? static_cast<double>(top1_) / samples_ : 0.0; }
  double top5() const { return samples_ ? static_cast<double>(top5_) / samples_ : 0.0; }

 private:
  int64_t samples_ = 0, top1_ = 0, top5_ = 0;
};

}  // namespace espnet::eval
