#include "detection/draw_detections.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "image/palette.h"

namespace espnet {
namespace {

// Far outside any picture but safe to add widths to in int arithmetic.
constexpr float kCoordinateLimit = 1 << 24;

int pixel_coordinate(float v) {
  return static_cast<int>(std::trunc(std::clamp(v, -kCoordinateLimit, kCoordinateLimit)));
}

}  // namespace

Rgb detection_colour(int label) {
  static const Palette palette = voc_palette();
  const int i = ((label % 256) + 256) % 256;
  return Rgb{palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]};
}

DetectionStyle detection_style_for(int width, int height) {
  DetectionStyle style;
  const int shorter = std::max(1, std::min(width, height));
  style.text_scale = std::min(kMaxTextScale, 1 + (shorter - 1) / 400);
  style.thickness = std::max(2, style.text_scale);
  return style;
}

Image draw_detections(const Image& photo, const std::vector<Detection>& detections,
                      const std::vector<std::string>& names, const DetectionStyle& style) {
  Image out = photo;
  const Canvas canvas = canvas_of(out);
  const Rgb white{255, 255, 255};
  // Boxes first, then labels, so that no outline is drawn across a label.
  for (const Detection& d : detections) {
    if (!std::isfinite(d.x1) || !std::isfinite(d.y1) || !std::isfinite(d.x2) ||
        !std::isfinite(d.y2))
      continue;
    draw_rectangle(canvas, pixel_coordinate(d.x1), pixel_coordinate(d.y1), pixel_coordinate(d.x2),
                   pixel_coordinate(d.y2), detection_colour(d.label), style.thickness);
  }
  for (const Detection& d : detections) {
    if (!std::isfinite(d.x1) || !std::isfinite(d.y1) || !std::isfinite(d.x2) ||
        !std::isfinite(d.y2))
      continue;
    const std::string name = d.label >= 0 && static_cast<size_t>(d.label) < names.size()
                                 ? names[d.label]
                                 : std::to_string(d.label);
    char score[32];
    std::snprintf(score, sizeof score, ": %.3f", d.score);
    draw_label(canvas, pixel_coordinate(std::min(d.x1, d.x2)),
               pixel_coordinate(std::min(d.y1, d.y2)), name + score, detection_colour(d.label),
               white, style.text_scale);
  }
  return out;
}

}  // namespace espnet
