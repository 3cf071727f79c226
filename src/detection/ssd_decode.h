// SSD head outputs to class probabilities and boxes, as upstream BoxPredictor.predict does
// before non-maximum suppression (utilities/box_utils.py convert_locations_to_boxes and
// center_form_to_corner_form).
#pragma once

#include <cstdint>
#include <vector>

namespace espnet {

/// Softmax over each row of a rows x cols row-major matrix (the classes of one prior). The row
/// maximum is subtracted first, so large logits do not overflow. A row holding NaN or +inf gives
/// NaN probabilities (which the score threshold never keeps). Returns rows x cols floats.
std::vector<float> softmax_rows(const float* logits, int64_t rows, int64_t cols);

/// Decodes num_priors x 4 offsets (l0..l3) against priors (cx, cy, w, h) into corner-form boxes
/// (x1, y1, x2, y2), relative to the image and not clipped:
///   cx = l0 * center_variance * prior_w + prior_cx   (cy likewise with l1, prior_h)
///   w  = exp(l2 * size_variance) * prior_w            (h likewise with l3)
///   x1 = cx - w / 2, x2 = cx + w / 2.
/// Computed in float32 in the same order as the PyTorch code. Returns num_priors x 4 floats.
std::vector<float> decode_ssd_boxes(const float* locations, const float* priors, int64_t num_priors,
                                    float center_variance, float size_variance);

}  // namespace espnet
