#include "detection/ssd_priors.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "espnet/error.h"

namespace espnet {
namespace {

// Bounds that keep a hand-made config from asking for an absurd allocation.
constexpr int kMaxImageSize = 1 << 14;
constexpr int64_t kMaxPriors = int64_t{1} << 26;

// int(x) of a non-negative double, as Python's int() truncates.
int truncate_to_int(double x) {
  return static_cast<int>(x);
}

void check_config(const SsdConfig& config) {
  const std::string where = "SSD config (image_size " + std::to_string(config.image_size) + "): ";
  if (config.image_size <= 0 || config.image_size > kMaxImageSize)
    throw Error(where + "image_size must be in 1.." + std::to_string(kMaxImageSize));
  const size_t heads = config.strides.size();
  if (heads == 0) throw Error(where + "no strides (no prediction heads)");
  if (config.feature_maps.size() != heads || config.min_sizes.size() != heads ||
      config.max_sizes.size() != heads)
    throw Error(where +
                "strides, feature_maps, min_sizes and max_sizes must have the same length (" +
                std::to_string(heads) + ", " + std::to_string(config.feature_maps.size()) + ", " +
                std::to_string(config.min_sizes.size()) + ", " +
                std::to_string(config.max_sizes.size()) + ")");
  for (size_t k = 0; k < heads; ++k) {
    const std::string head = "head " + std::to_string(k) + ": ";
    if (config.strides[k] <= 0) throw Error(where + head + "stride must be positive");
    if (config.feature_maps[k] <= 0 || config.feature_maps[k] > kMaxImageSize)
      throw Error(where + head + "feature map size must be in 1.." + std::to_string(kMaxImageSize));
    if (!(config.min_sizes[k] > 0) || !std::isfinite(config.min_sizes[k]) ||
        !(config.max_sizes[k] > 0) || !std::isfinite(config.max_sizes[k]))
      throw Error(where + head + "min and max sizes must be positive and finite");
  }
  for (int ratio : config.aspect_ratios)
    if (ratio <= 0) throw Error(where + "aspect ratios must be positive");
}

}  // namespace

SsdConfig ssd_config(int image_size) {
  SsdConfig config;
  config.image_size = image_size;
  if (image_size == 300) {
    config.strides = {8, 16, 32, 64, 100, 300};
  } else if (image_size == 512) {
    config.strides = {8, 16, 32, 64, 128, 512};
  } else {
    throw Error("SSD image size " + std::to_string(image_size) +
                " is not supported: the ESPNetv2 SSD detectors are defined for 300 (SSD300) and "
                "512 (SSD512) only");
  }
  const double size = image_size;
  for (int stride : config.strides)
    config.feature_maps.push_back(static_cast<int>(std::ceil(size / stride)));

  // sizes = int(linspace(ceil(0.1 S), ceil(1.05 S), heads + 1)): numpy's linspace is
  // start + i * step with the last element set to stop exactly.
  const int heads = static_cast<int>(config.strides.size());
  const double start = std::ceil(0.1 * size), stop = std::ceil(1.05 * size);
  const double step = (stop - start) / heads;
  std::vector<int> sizes;
  for (int i = 0; i <= heads; ++i)
    sizes.push_back(truncate_to_int(i == heads ? stop : start + i * step));
  for (int k = 0; k < heads; ++k) {
    config.min_sizes.push_back(static_cast<float>(sizes[k]));
    config.max_sizes.push_back(static_cast<float>(sizes[k + 1]));
  }
  config.aspect_ratios = {2, 3};
  return config;
}

int64_t ssd_num_priors(const SsdConfig& config) {
  check_config(config);
  int64_t total = 0;
  for (int cells : config.feature_maps) {
    total += int64_t{cells} * cells * config.boxes_per_location();
    if (total > kMaxPriors)
      throw Error("SSD config: more than " + std::to_string(kMaxPriors) + " priors requested");
  }
  return total;
}

std::vector<float> make_ssd_priors(const SsdConfig& config) {
  const int64_t count = ssd_num_priors(config);
  std::vector<float> priors;
  priors.reserve(static_cast<size_t>(count) * 4);
  const double image_size = config.image_size;
  auto push = [&priors](double cx, double cy, double w, double h) {
    for (double v : {cx, cy, w, h}) priors.push_back(std::clamp(static_cast<float>(v), 0.0f, 1.0f));
  };
  for (size_t k = 0; k < config.feature_maps.size(); ++k) {
    const int cells = config.feature_maps[k];
    const double scale = image_size / config.strides[k];  // cells per unit of image
    const double min_side = double{config.min_sizes[k]} / image_size;
    const double big_side =
        std::sqrt(double{config.min_sizes[k]} * config.max_sizes[k]) / image_size;
    for (int i = 0; i < cells; ++i) {
      const double cy = (i + 0.5) / scale;
      for (int j = 0; j < cells; ++j) {
        const double cx = (j + 0.5) / scale;
        push(cx, cy, min_side, min_side);
        push(cx, cy, big_side, big_side);
        for (int ratio : config.aspect_ratios) {
          const double r = std::sqrt(static_cast<double>(ratio));
          push(cx, cy, min_side * r, min_side / r);
          push(cx, cy, min_side / r, min_side * r);
        }
      }
    }
  }
  return priors;
}

}  // namespace espnet
