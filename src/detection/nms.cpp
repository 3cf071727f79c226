#include "detection/nms.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "espnet/error.h"

namespace espnet {
namespace {

// Area of a corner-form box, or 0 when it is degenerate (the negated comparisons catch NaN).
float positive_area(const float* box) {
  const float w = box[2] - box[0], h = box[3] - box[1];
  if (!(w > 0) || !(h > 0)) return 0;
  return w * h;
}

// IoU given precomputed areas; see box_iou for the conventions.
float iou_with_areas(const float* a, float area_a, const float* b, float area_b) {
  if (!(area_a > 0) || !(area_b > 0)) return 0;
  const float iw = std::min(a[2], b[2]) - std::max(a[0], b[0]);
  const float ih = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  if (!(iw > 0) || !(ih > 0)) return 0;
  const float inter = iw * ih;
  const float union_area = area_a + area_b - inter;
  if (!(union_area > 0)) return 0;
  const float iou = inter / union_area;
  return std::isfinite(iou) ? iou : 0;
}

}  // namespace

float box_iou(const float* a, const float* b) {
  return iou_with_areas(a, positive_area(a), b, positive_area(b));
}

std::vector<int64_t> nms_one_class(const float* boxes, const float* scores, int64_t count,
                                   int64_t score_stride, float score_threshold, float iou_threshold,
                                   int top_k) {
  if (count < 0) throw Error("NMS: negative box count " + std::to_string(count));
  if (score_stride < 1) throw Error("NMS: score stride must be >= 1");
  if (top_k < 0)
    throw Error("NMS: top_k must be >= 0 (0 = no limit), got " + std::to_string(top_k));
  if (std::isnan(score_threshold) || std::isnan(iou_threshold))
    throw Error("NMS: score and IoU thresholds must not be NaN");
  if (count > 0 && (boxes == nullptr || scores == nullptr)) throw Error("NMS: null input pointer");

  std::vector<int64_t> order;
  for (int64_t i = 0; i < count; ++i)
    if (scores[i * score_stride] > score_threshold) order.push_back(i);
  // Stable, so equal scores stay in ascending index order: a deterministic result.
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return scores[a * score_stride] > scores[b * score_stride];
  });

  std::vector<float> areas(order.size());
  for (size_t n = 0; n < order.size(); ++n) areas[n] = positive_area(boxes + order[n] * 4);
  std::vector<char> suppressed(order.size(), 0);
  std::vector<int64_t> kept;
  for (size_t n = 0; n < order.size(); ++n) {
    if (suppressed[n]) continue;
    kept.push_back(order[n]);
    if (top_k > 0 && static_cast<int64_t>(kept.size()) == top_k) break;
    const float* box = boxes + order[n] * 4;
    for (size_t m = n + 1; m < order.size(); ++m) {
      if (suppressed[m]) continue;
      if (iou_with_areas(box, areas[n], boxes + order[m] * 4, areas[m]) > iou_threshold)
        suppressed[m] = 1;
    }
  }
  return kept;
}

}  // namespace espnet
