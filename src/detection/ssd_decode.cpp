#include "detection/ssd_decode.h"

#include <cmath>
#include <limits>
#include <string>

#include "espnet/error.h"

namespace espnet {
namespace {

// Upper bound on elements, so a bad count cannot request an unbounded allocation.
constexpr int64_t kMaxElements = int64_t{1} << 31;

void check_count(const char* what, int64_t count, const void* pointer) {
  if (count < 0 || count > kMaxElements)
    throw Error(std::string(what) + ": element count " + std::to_string(count) +
                " is out of range 0.." + std::to_string(kMaxElements));
  if (count > 0 && pointer == nullptr) throw Error(std::string(what) + ": null input pointer");
}

}  // namespace

std::vector<float> softmax_rows(const float* logits, int64_t rows, int64_t cols) {
  if (rows < 0 || cols <= 0 || (rows > 0 && cols > kMaxElements / rows))
    throw Error("softmax: bad matrix size " + std::to_string(rows) + " x " + std::to_string(cols) +
                " (need rows >= 0, cols >= 1, at most " + std::to_string(kMaxElements) +
                " elements)");
  check_count("softmax", rows * cols, logits);
  std::vector<float> probabilities(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = logits + r * cols;
    float* out = probabilities.data() + r * cols;
    // NaN-propagating maximum: a NaN anywhere makes the whole row NaN rather than
    // silently ignoring it.
    double maximum = -std::numeric_limits<double>::infinity();
    bool has_nan = false;
    for (int64_t c = 0; c < cols; ++c) {
      if (std::isnan(in[c])) has_nan = true;
      if (in[c] > maximum) maximum = in[c];
    }
    if (has_nan || maximum == std::numeric_limits<double>::infinity() ||
        maximum == -std::numeric_limits<double>::infinity()) {
      for (int64_t c = 0; c < cols; ++c) out[c] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(double{in[c]} - maximum);
    // sum >= 1 (the maximum contributes exp(0)), so the division is safe.
    for (int64_t c = 0; c < cols; ++c)
      out[c] = static_cast<float>(std::exp(double{in[c]} - maximum) / sum);
  }
  return probabilities;
}

std::vector<float> decode_ssd_boxes(const float* locations, const float* priors, int64_t num_priors,
                                    float center_variance, float size_variance) {
  if (num_priors < 0 || num_priors > kMaxElements / 4)
    throw Error("SSD box decoding: prior count " + std::to_string(num_priors) + " is out of range");
  check_count("SSD box decoding (locations)", num_priors * 4, locations);
  check_count("SSD box decoding (priors)", num_priors * 4, priors);
  if (!std::isfinite(center_variance) || !std::isfinite(size_variance))
    throw Error("SSD box decoding: center and size variances must be finite");
  std::vector<float> boxes(static_cast<size_t>(num_priors * 4));
  for (int64_t p = 0; p < num_priors; ++p) {
    const float* l = locations + p * 4;
    const float* prior = priors + p * 4;
    const float cx = l[0] * center_variance * prior[2] + prior[0];
    const float cy = l[1] * center_variance * prior[3] + prior[1];
    const float w = std::exp(l[2] * size_variance) * prior[2];
    const float h = std::exp(l[3] * size_variance) * prior[3];
    float* box = boxes.data() + p * 4;
    box[0] = cx - w / 2;
    box[1] = cy - h / 2;
    box[2] = cx + w / 2;
    box[3] = cy + h / 2;
  }
  return boxes;
}

}  // namespace espnet
