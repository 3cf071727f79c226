// One detected object, as the detection pipeline returns it.
#pragma once

#include <string>

namespace espnet {

/// A detected object: a corner-form box, its class probability, class index and class name.
/// detect() gives boxes in pixels of the original photo (not clipped to it, as upstream); inside
/// the SSD post-processing they are relative to the image (0..1).
struct Detection {
  float x1, y1;           ///< top-left corner
  float x2, y2;           ///< bottom-right corner
  float score;            ///< class probability (softmax), 0..1
  int label;              ///< class index of the network's output (0 is the background)
  std::string name = {};  ///< class name ("person"), or "" where the classes are unnamed
};

}  // namespace espnet
