// Greedy per-class non-maximum suppression, as torchvision.ops.nms used by upstream
// utilities/nms.py (then truncated to top_k).
#pragma once

#include <cstdint>
#include <vector>

#include "espnet/detection.h"

namespace espnet {

// Detection (a box, score, label and name) is public: espnet/detection.h.

/// Intersection over union of two corner-form boxes (x1, y1, x2, y2), computed in float32 as
/// inter / (area_a + area_b - inter) with no "+1" pixel convention. A box with zero, negative
/// or NaN width or height has IoU 0 with everything (itself included), and a non-finite result
/// (infinite boxes) is reported as 0, so no box is ever suppressed by a meaningless overlap.
float box_iou(const float* a, const float* b);

/// Greedy NMS over the `count` boxes of one class. `boxes` is count x 4 (corner form); the score
/// of box i is scores[i * score_stride] (so one column of a priors x classes matrix can be used
/// in place). Keeps boxes whose score is > score_threshold (a score equal to the threshold, or
/// NaN, is dropped), visits them by descending score, and drops every later box whose IoU with a
/// kept box is > iou_threshold (an IoU equal to the threshold is kept). Equal scores keep the
/// lower box index first (a stable sort; torchvision's sort does not promise an order for ties).
/// Stops after top_k kept boxes; top_k == 0 means no limit. Returns the kept indices in keep
/// order (descending score). Throws espnet::Error on a negative count or top_k, a stride < 1,
/// null pointers or NaN thresholds.
std::vector<int64_t> nms_one_class(const float* boxes, const float* scores, int64_t count,
                                   int64_t score_stride, float score_threshold, float iou_threshold,
                                   int top_k);

}  // namespace espnet
