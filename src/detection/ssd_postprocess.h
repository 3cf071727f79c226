// The whole SSD post-processing of upstream BoxPredictor.predict (is_scaling=False): softmax,
// box decoding, per-class thresholding and greedy NMS, classes concatenated in ascending order.
#pragma once

#include <cstdint>
#include <vector>

#include "detection/nms.h"

namespace espnet {

struct SsdPostprocessOptions {
  float score_threshold = 0.3f;  // keep class probabilities > this
  float iou_threshold = 0.45f;   // suppress when IoU > this
  int top_k_per_class = 200;     // kept boxes per class after NMS; 0 = no limit
  int max_detections = 0;        // per image, highest scores kept; 0 = no cap
  float center_variance = 0.1f;
  float size_variance = 0.2f;
};

/// Detections of one image from the network's raw outputs: confidences_logits is
/// num_priors x num_classes (class 0 = background), locations and priors are num_priors x 4
/// (priors as cx, cy, w, h, e.g. from make_ssd_priors). Output order: classes 1..C-1 ascending,
/// within a class descending score (ties: lower prior index first). Boxes are relative corner
/// form, not clipped. With max_detections > 0 and more detections than that, the highest scores
/// are kept (ties: earlier in that order) and the survivors keep their relative order, so the
/// result is a subsequence of the uncapped list. Throws espnet::Error on bad sizes, null
/// pointers, negative limits or NaN thresholds.
std::vector<Detection> ssd_postprocess(const float* confidences_logits, const float* locations,
                                       const float* priors, int num_priors, int num_classes,
                                       const SsdPostprocessOptions& options);

/// Relative boxes to pixels of an image_width x image_height original (x * width, y * height),
/// as upstream's is_scaling=True; scores and labels unchanged. Throws on a non-positive size.
std::vector<Detection> scale_detections_to_image(const std::vector<Detection>& detections,
                                                 int image_width, int image_height);

}  // namespace espnet
