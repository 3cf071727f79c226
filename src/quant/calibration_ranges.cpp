#include "quant/calibration_ranges.h"

#include <algorithm>
#include <cmath>

namespace espnet {

AffineQuant affine_from_range(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  AffineQuant q;
  if (!(hi - lo > 0) || !std::isfinite(hi - lo)) {
    q.zero_point = lo < 0 ? 128 : 0;
    return q;
  }
  q.scale = (hi - lo) / 255.0f;
  const float zero = std::nearbyint(-lo / q.scale);
  q.zero_point = static_cast<int>(std::min(255.0f, std::max(0.0f, zero)));
  return q;
}

void ValueHistogram::add_range(const float* values, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    const float v = values[i];
    if (!std::isfinite(v)) continue;
    if (!seen_) {
      min_ = max_ = v;
      seen_ = true;
    }
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
}

void ValueHistogram::add_histogram(const float* values, int64_t count) {
  if (!seen_) return;
  const double width = double(max_) - double(min_);
  const double per_unit = width > 0 ? kBins / width : 0.0;
  for (int64_t i = 0; i < count; ++i) {
    const float v = values[i];
    if (!std::isfinite(v)) continue;
    const double position = (double(v) - double(min_)) * per_unit;
    const int bin = static_cast<int>(std::min(double(kBins - 1), std::max(0.0, position)));
    counts_[size_t(bin)] += 1.0;
  }
}

AffineQuant choose_mse_range(const std::vector<double>& counts, float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  const int bins = static_cast<int>(counts.size());
  if (bins == 0 || !(hi > lo)) return affine_from_range(lo, hi);
  const double width = (double(hi) - double(lo)) / bins;
  // Each end shrinks by factors 0.9^i down to about 1 % of its extent.
  std::vector<double> factors;
  for (double f = 1.0; f > 0.0095; f *= 0.9) factors.push_back(f);
  double best_error = INFINITY;
  float best_lo = lo, best_hi = hi;
  for (double fa : factors) {
    const double a = lo * fa;
    if (lo == 0.0f && fa != 1.0) break;  // nothing below 0: the low end stays at 0
    for (double fb : factors) {
      const double b = hi * fb;
      if (hi == 0.0f && fb != 1.0) break;
      const double step = (b - a) / 255.0;
      const double inside = step * step / 12.0;
      double error = 0.0;
      for (int k = 0; k < bins; ++k) {
        if (counts[size_t(k)] == 0.0) continue;
        const double x = lo + (k + 0.5) * width;
        const double e = x < a ? (a - x) * (a - x) : x > b ? (x - b) * (x - b) : inside;
        error += counts[size_t(k)] * e;
      }
      if (error < best_error) {
        best_error = error;
        best_lo = static_cast<float>(a);
        best_hi = static_cast<float>(b);
      }
    }
  }
  return affine_from_range(best_lo, best_hi);
}

}  // namespace espnet
