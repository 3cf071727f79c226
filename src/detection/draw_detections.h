// The picture of `espnet detect`: the photo with each detection's box and label drawn, in the
// manner of the EdgeNets detection demo (class-coloured outline, filled label "name: 0.873" at
// the box's top-left corner, white text).
#pragma once

#include <string>
#include <vector>

#include "detection/nms.h"
#include "image/draw.h"
#include "image/image.h"

namespace espnet {

/// The colour of class `label`: the PASCAL VOC colour map entry, as the demo uses for every
/// dataset (labels beyond 255 wrap around).
Rgb detection_colour(int label);

struct DetectionStyle {
  int thickness = 2;   // box outline, pixels (the demo's RECT_BORDER_THICKNESS)
  int text_scale = 1;  // font pixel size, 1..kMaxTextScale
};

/// A style readable at the photo's size: scale 1 up to 400 pixels on the shorter side, one more
/// per 400 pixels after that; the outline at least 2 and as thick as the font strokes.
DetectionStyle detection_style_for(int width, int height);

/// A copy of `photo` (RGB) with `detections` (boxes in pixels of the photo) drawn: all outlines
/// first, then the labels in order (a later label covers an earlier one, no outline crosses one).
/// The corners are truncated toward zero as the demo's int() does; a box with a non-finite corner
/// is skipped. `names[label]` names a class; a label outside `names` is shown as its number.
Image draw_detections(const Image& photo, const std::vector<Detection>& detections,
                      const std::vector<std::string>& names, const DetectionStyle& style);

}  // namespace espnet
