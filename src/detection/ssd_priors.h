// SSD prior (anchor) boxes of the EdgeNets ESPNetv2 detectors, SSD300 and SSD512.
//
// Reproduces upstream model/detection/ssd_config.py (sizes) and generate_priors.py (boxes):
// every value is computed in double, stored as float32 and clamped to [0, 1].
#pragma once

#include <cstdint>
#include <vector>

namespace espnet {

struct SsdConfig {
  int image_size = 0;             // S: the network input is S x S
  std::vector<int> strides;       // one per head, in pixels of the input
  std::vector<int> feature_maps;  // cells per side of each head: ceil(S / stride)
  std::vector<float> min_sizes;   // square box side of each head, in pixels
  std::vector<float> max_sizes;   // the second square box is sqrt(min * max)
  // Extra aspect ratios r shared by every head; each adds a (w*sqrt(r), h/sqrt(r)) and a
  // (w/sqrt(r), h*sqrt(r)) box after the two squares.
  std::vector<int> aspect_ratios;
  float center_variance = 0.1f;
  float size_variance = 0.2f;

  /// Boxes per feature-map cell: 2 squares + 2 per aspect ratio (6 for the upstream configs).
  int boxes_per_location() const { return 2 + 2 * static_cast<int>(aspect_ratios.size()); }
};

/// The upstream configuration for S = 300 (strides 8/16/32/64/100/300) or S = 512
/// (8/16/32/64/128/512); any other size throws espnet::Error (upstream defines only these two).
SsdConfig ssd_config(int image_size);

/// Total prior count (11640 for SSD300, 32742 for SSD512); validates the config.
int64_t ssd_num_priors(const SsdConfig& config);

/// Priors as num_priors x 4 floats (cx, cy, w, h), relative to the image, in upstream order:
/// feature map by feature map, rows (y) outer, columns (x) inner, then the boxes of the cell
/// [min square, sqrt(min*max) square, ratio 2, 1/2, 3, 1/3]. Throws espnet::Error on an
/// inconsistent config.
std::vector<float> make_ssd_priors(const SsdConfig& config);

}  // namespace espnet
