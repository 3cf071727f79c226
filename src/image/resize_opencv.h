// OpenCV's cv::resize(..., INTER_LINEAR) (no antialiasing) on float32 and on 8-bit images.
#pragma once

#include <vector>

#include "image/image.h"

namespace espnet {

/// cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_LINEAR) on an HWC float32 image with
/// `c` channels (OpenCV 4.x semantics): half-pixel centres, source index clamped at the borders,
/// horizontal pass into float32 rows, then the vertical pass. An exact 2x reduction in both axes
/// is OpenCV's 2x2 average. Returns out_h * out_w * c floats (HWC).
/// Throws espnet::Error on empty or absurd sizes.
std::vector<float> resize_opencv_linear_f32(const float* hwc, int w, int h, int c, int out_w,
                                            int out_h);

/// cv2.resize with INTER_LINEAR on an 8-bit image: 11-bit fixed-point coefficients
/// (INTER_RESIZE_COEF_BITS), rounded as OpenCV's SSE2 vertical pass does (within one level of
/// OpenCV on every pixel, equal on nearly all). An exact 2x reduction is the rounded 2x2 average.
Image resize_opencv_linear_u8(const Image& src, int out_w, int out_h);

}  // namespace espnet
