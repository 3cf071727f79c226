#include "eval/classification_metrics.h"

#include <cstddef>

namespace espnet::eval {

void TopKAccuracy::add(const std::vector<int>& ranked, int label) {
  ++samples_;
  for (size_t i = 0; i < ranked.size() && i < 5; ++i) {
    if (ranked[i] != label) continue;
    if (i == 0) ++top1_;
    ++top5_;
    break;
  }
}

}  // namespace espnet::eval
