// Choosing a tensor's int8 quantization from the values calibration saw: the affine map of a
// range, and the clip range that minimises the expected squared quantization error.
#pragma once

#include <cstdint>
#include <vector>

namespace espnet {

/// x ~ scale * (u - zero_point), u in [0, 255].
struct AffineQuant {
  float scale = 1.0f;
  int zero_point = 128;
};

/// The map covering [lo, hi] widened to hold 0 (so that 0.0, a ReLU's or a padding's value, is
/// exact): scale (hi - lo) / 255, zero point round(-lo / scale). An empty or all-zero range gives
/// scale 1, zero point 0 for a range with nothing below 0, else the symmetric 128.
AffineQuant affine_from_range(float lo, float hi);

/// The values of one tensor over all calibration runs, in two passes: first its range
/// (add_range), then a histogram over that range (add_histogram).
class ValueHistogram {
 public:
  static constexpr int kBins = 2048;
  void add_range(const float* values, int64_t count);
  void add_histogram(const float* values, int64_t count);
  float min() const { return min_; }
  float max() const { return max_; }
  bool seen() const { return seen_; }
  const std::vector<double>& counts() const { return counts_; }

 private:
  float min_ = 0.0f, max_ = 0.0f;
  bool seen_ = false;
  std::vector<double> counts_ = std::vector<double>(kBins, 0.0);
};

/// The clip range [a, b] (0 <= b, a <= 0, inside the histogram's [lo, hi]) minimising the
/// expected squared error of quantizing the histogram's values into 256 levels: values outside
/// are clipped to the range, values inside are off by the rounding error (step^2 / 12 on average).
/// Searched over a grid of shrink factors of each end.
AffineQuant choose_mse_range(const std::vector<double>& counts, float lo, float hi);

}  // namespace espnet
