#include "quant/bias_correction.h"

#include <algorithm>
#include <cmath>

#include "espnet/error.h"

namespace espnet {

void InputChannelSums::add(const Tensor& input, const std::vector<float>& input_scale,
                           const std::vector<int32_t>& zero_point) {
  const int64_t batch = input.dim(0), channels = input.dim(1);
  if (input.rank() != 4 || input_scale.size() != size_t(channels) ||
      zero_point.size() != size_t(channels))
    throw Error("bias correction: the input " + shape_to_string(input.shape()) +
                " does not fit its map");
  const int64_t plane = input.dim(2) * input.dim(3);
  values_.resize(size_t(channels), 0.0);
  codes_.resize(size_t(channels), 0.0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c) {
      const float* x = input.data() + (n * channels + c) * plane;
      const float inverse = 1.0f / input_scale[size_t(c)];
      const int zero = zero_point[size_t(c)];
      double values = 0, codes = 0;
      for (int64_t i = 0; i < plane; ++i) {
        if (!std::isfinite(x[i])) continue;
        values += x[i];
        // As pack_u8_quads_ref: u = clamp(round(x / scale) + zero_point, 0, 255).
        const float u = std::clamp(std::nearbyint(x[i] * inverse) + float(zero), 0.0f, 255.0f);
        codes += double(u) - zero;
      }
      values_[size_t(c)] += values;
      codes_[size_t(c)] += codes;
    }
  count_ += double(batch) * double(plane);
}

void correct_bias(const float* weight, const InputChannelSums& sums, Int8Layer& layer) {
  if (sums.count() <= 0) return;
  if (sums.values().size() != size_t(layer.in_channels))
    throw Error("bias correction: sums of " + std::to_string(sums.values().size()) +
                " channels for a layer of " + std::to_string(layer.in_channels));
  const int cin = layer.in_channels / layer.groups, per_group = layer.out_channels / layer.groups;
  const std::vector<float>& dequantized = layer.dequantized();
  for (int co = 0; co < layer.out_channels; ++co) {
    const size_t first = size_t(co / per_group) * size_t(cin), row = size_t(co) * size_t(cin);
    double fp32 = 0, int8 = 0;
    for (size_t i = 0; i < size_t(cin); ++i) {
      fp32 += double(weight[row + i]) * sums.values()[first + i];
      int8 += double(dequantized[row + i]) * sums.codes()[first + i];
    }
    const double units = (fp32 - int8) / sums.count() / double(layer.scale[size_t(co)]);
    if (std::isfinite(units) && std::fabs(units) < double(1 << 24))
      layer.compensation[size_t(co)] += int32_t(std::lround(units));
  }
}

}  // namespace espnet
