#include "detection/ssd_postprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "detection/ssd_decode.h"
#include "espnet/error.h"

namespace espnet {
namespace {

// Keeps the max_detections highest scores (stable), preserving the input order of survivors.
std::vector<Detection> cap_detections(const std::vector<Detection>& detections,
                                      int max_detections) {
  if (max_detections == 0 || static_cast<int64_t>(detections.size()) <= max_detections)
    return detections;
  std::vector<size_t> order(detections.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return detections[a].score > detections[b].score; });
  order.resize(static_cast<size_t>(max_detections));
  std::sort(order.begin(), order.end());
  std::vector<Detection> capped;
  capped.reserve(order.size());
  for (size_t i : order) capped.push_back(detections[i]);
  return capped;
}

}  // namespace

std::vector<Detection> ssd_postprocess(const float* confidences_logits, const float* locations,
                                       const float* priors, int num_priors, int num_classes,
                                       const SsdPostprocessOptions& options) {
  if (num_priors < 0)
    throw Error("SSD post-processing: negative prior count " + std::to_string(num_priors));
  if (num_classes < 1)
    throw Error("SSD post-processing: num_classes must be >= 1 (background included), got " +
                std::to_string(num_classes));
  if (options.top_k_per_class < 0 || options.max_detections < 0)
    throw Error(
        "SSD post-processing: top_k_per_class and max_detections must be >= 0 (0 = no limit)");
  if (std::isnan(options.score_threshold) || std::isnan(options.iou_threshold))
    throw Error("SSD post-processing: score and IoU thresholds must not be NaN");
  if (num_priors > 0 &&
      (confidences_logits == nullptr || locations == nullptr || priors == nullptr))
    throw Error("SSD post-processing: null input pointer");

  const std::vector<float> probabilities =
      softmax_rows(confidences_logits, num_priors, num_classes);
  const std::vector<float> boxes = decode_ssd_boxes(locations, priors, num_priors,
                                                    options.center_variance, options.size_variance);
  std::vector<Detection> detections;
  for (int c = 1; c < num_classes; ++c) {
    const std::vector<int64_t> kept =
        nms_one_class(boxes.data(), probabilities.data() + c, num_priors, num_classes,
                      options.score_threshold, options.iou_threshold, options.top_k_per_class);
    for (int64_t p : kept) {
      const float* box = boxes.data() + p * 4;
      detections.push_back({box[0], box[1], box[2], box[3],
                            probabilities[static_cast<size_t>(p) * num_classes + c], c});
    }
  }
  return cap_detections(detections, options.max_detections);
}

std::vector<Detection> scale_detections_to_image(const std::vector<Detection>& detections,
                                                 int image_width, int image_height) {
  if (image_width <= 0 || image_height <= 0)
    throw Error("scaling detections: image size " + std::to_string(image_width) + " x " +
                std::to_string(image_height) + " must be positive");
  const float w = static_cast<float>(image_width), h = static_cast<float>(image_height);
  std::vector<Detection> scaled = detections;
  for (Detection& d : scaled) {
    d.x1 *= w;
    d.x2 *= w;
    d.y1 *= h;
    d.y2 *= h;
  }
  return scaled;
}

}  // namespace espnet
