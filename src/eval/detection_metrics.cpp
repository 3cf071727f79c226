#include "eval/detection_metrics.h"

#include <algorithm>
#include <string>

#include "espnet/error.h"

namespace espnet::eval {

double voc_box_iou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2,
                   float by2) {
  // chainercv: corners to half-open with +1, then plain areas (no +1 inside the products).
  const double a_x2 = ax2 + 1.0, a_y2 = ay2 + 1.0, b_x2 = bx2 + 1.0, b_y2 = by2 + 1.0;
  const double iw = std::min(a_x2, b_x2) - std::max<double>(ax1, bx1);
  const double ih = std::min(a_y2, b_y2) - std::max<double>(ay1, by1);
  const double inter = (iw > 0 && ih > 0) ? iw * ih : 0.0;
  const double area_a = (a_x2 - ax1) * (a_y2 - ay1), area_b = (b_x2 - bx1) * (b_y2 - by1);
  const double uni = area_a + area_b - inter;
  return uni > 0 ? inter / uni : 0.0;
}

double average_precision_all_points(const std::vector<double>& precision,
                                    const std::vector<double>& recall) {
  const size_t n = precision.size();
  std::vector<double> p(n + 2, 0.0), r(n + 2, 0.0);
  for (size_t i = 0; i < n; ++i) p[i + 1] = precision[i], r[i + 1] = recall[i];
  r[n + 1] = 1.0;
  for (size_t i = n + 1; i > 0; --i) p[i - 1] = std::max(p[i - 1], p[i]);
  double ap = 0;
  for (size_t i = 0; i + 1 < r.size(); ++i)
    if (r[i + 1] != r[i]) ap += (r[i + 1] - r[i]) * p[i + 1];
  return ap;
}

double average_precision_11_point(const std::vector<double>& precision,
                                  const std::vector<double>& recall) {
  double ap = 0;
  for (int k = 0; k <= 10; ++k) {
    const double t = k * 0.1;  // numpy.arange(0, 1.1, 0.1) computes i * step too
    double best = 0;
    for (size_t i = 0; i < recall.size(); ++i)
      if (recall[i] >= t) best = std::max(best, precision[i]);
    ap += best / 11.0;
  }
  return ap;
}

DetectionAccumulator::DetectionAccumulator(int classes, double iou_threshold)
    : classes_(classes), iou_threshold_(iou_threshold) {
  if (classes < 1) throw Error("detection metrics: need at least one class");
  if (!(iou_threshold > 0 && iou_threshold <= 1))
    throw Error("detection metrics: IoU threshold " + std::to_string(iou_threshold) +
                " outside (0, 1]");
  positives_.assign(classes, 0);
  ranked_.resize(classes);
}

ImageMatches DetectionAccumulator::match_image(
    const std::vector<ScoredBox>& predictions,
    const std::vector<GroundTruthBox>& ground_truth) const {
  for (const ScoredBox& p : predictions)
    if (p.label < 0 || p.label >= classes_)
      throw Error("detection metrics: predicted label " + std::to_string(p.label) + " outside 0.." +
                  std::to_string(classes_ - 1));
  for (const GroundTruthBox& g : ground_truth)
    if (g.label < 0 || g.label >= classes_)
      throw Error("detection metrics: ground-truth label " + std::to_string(g.label) +
                  " outside 0.." + std::to_string(classes_ - 1));
  ImageMatches image;
  image.positives.assign(classes_, 0);
  for (int c = 0; c < classes_; ++c) {
    std::vector<const ScoredBox*> preds;
    for (const ScoredBox& p : predictions)
      if (p.label == c) preds.push_back(&p);
    std::vector<const GroundTruthBox*> truth;
    for (const GroundTruthBox& g : ground_truth)
      if (g.label == c) {
        truth.push_back(&g);
        if (!g.difficult) ++image.positives[c];
      }
    if (preds.empty()) continue;
    std::stable_sort(preds.begin(), preds.end(),
                     [](const ScoredBox* a, const ScoredBox* b) { return a->score > b->score; });
    std::vector<bool> taken(truth.size(), false);
    for (const ScoredBox* p : preds) {
      int best = -1;
      double best_iou = -1;
      for (size_t g = 0; g < truth.size(); ++g) {
        const double iou = voc_box_iou(p->x1, p->y1, p->x2, p->y2, truth[g]->x1, truth[g]->y1,
                                       truth[g]->x2, truth[g]->y2);
        if (iou > best_iou) best_iou = iou, best = static_cast<int>(g);  // first maximum
      }
      int8_t match = 0;
      if (best >= 0 && best_iou >= iou_threshold_) {
        if (truth[best]->difficult)
          match = -1;
        else
          match = taken[best] ? 0 : 1;
        taken[best] = true;
      }
      image.predictions.push_back({c, p->score, match});
    }
  }
  return image;
}

void DetectionAccumulator::add_matches(const ImageMatches& image) {
  if (image.positives.size() != static_cast<size_t>(classes_))
    throw Error("detection metrics: an image's positives cover " +
                std::to_string(image.positives.size()) + " classes, not " +
                std::to_string(classes_));
  for (const int64_t n : image.positives)
    if (n < 0) throw Error("detection metrics: a negative count of ground-truth boxes");
  for (const ImageMatches::Prediction& p : image.predictions) {
    if (p.label < 0 || p.label >= classes_)
      throw Error("detection metrics: predicted label " + std::to_string(p.label) + " outside 0.." +
                  std::to_string(classes_ - 1));
    if (p.match < -1 || p.match > 1)
      throw Error("detection metrics: match " + std::to_string(p.match) + " outside -1..1");
  }
  ++images_;
  for (int c = 0; c < classes_; ++c) positives_[c] += image.positives[c];
  for (const ImageMatches::Prediction& p : image.predictions)
    ranked_[p.label].push_back({p.score, added_++, p.match});
}

DetectionScores DetectionAccumulator::scores() const {
  DetectionScores s;
  s.ap.resize(classes_);
  s.ap_voc07.resize(classes_);
  double sum = 0, sum07 = 0;
  int counted = 0;
  for (int c = 0; c < classes_; ++c) {
    if (positives_[c] == 0) continue;  // no recall defined: null
    std::vector<Ranked> r = ranked_[c];
    std::stable_sort(r.begin(), r.end(), [](const Ranked& a, const Ranked& b) {
      return a.score > b.score || (a.score == b.score && a.order < b.order);
    });
    std::vector<double> precision, recall;
    int64_t tp = 0, fp = 0;
    for (const Ranked& x : r) {
      tp += x.match == 1;
      fp += x.match == 0;
      // A leading run of difficult matches has no precision yet: numpy gives nan, nan_to_num 0.
      precision.push_back(tp + fp ? static_cast<double>(tp) / (tp + fp) : 0.0);
      recall.push_back(static_cast<double>(tp) / positives_[c]);
    }
    s.ap[c] = average_precision_all_points(precision, recall);
    s.ap_voc07[c] = average_precision_11_point(precision, recall);
    sum += *s.ap[c];
    sum07 += *s.ap_voc07[c];
    ++counted;
  }
  if (counted) s.map = sum / counted, s.map_voc07 = sum07 / counted;
  return s;
}

}  // namespace espnet::eval
