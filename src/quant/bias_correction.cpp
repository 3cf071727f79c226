#include "quant/bias_correction.h"

#include <cmath>

#include "espnet/error.h"
#include "kernels/int8_kernels.h"

namespace espnet {

void InputChannelSums::add(const Tensor& input, const std::vector<float>& input_scale,
                           const std::vector<int32_t>& zero_point) {
  if (input.rank() != 4 || input_scale.size() != size_t(input.dim(1)) ||
      zero_point.size() != size_t(input.dim(1)))
    throw Error("bias correction: the input " + shape_to_string(input.shape()) +
                " does not fit its map");
  const int batch = static_cast<int>(input.dim(0)), channels = static_cast<int>(input.dim(1));
  const int64_t plane = input.dim(2) * input.dim(3);
  // The codes exactly as the int8 kernels see them: the reference of the fallback's input step.
  std::vector<float> inverse(input_scale.size());
  for (size_t c = 0; c < inverse.size(); ++c) inverse[c] = 1.0f / input_scale[c];
  std::vector<float> codes(size_t(input.numel()));
  unpacked_u8_codes_ref(input.data(), batch, channels, plane, inverse.data(), zero_point.data(),
                        -INFINITY, INFINITY, codes.data());
  values_.resize(size_t(channels), 0.0);
  codes_.resize(size_t(channels), 0.0);
  for (int64_t row = 0; row < int64_t(batch) * channels; ++row) {
    const float* x = input.data() + row * plane;
    const float* code = codes.data() + row * plane;
    double value_sum = 0, code_sum = 0;
    for (int64_t i = 0; i < plane; ++i) {
      if (!std::isfinite(x[i])) continue;
      value_sum += x[i];
      code_sum += code[i];
    }
    values_[size_t(row % channels)] += value_sum;
    codes_[size_t(row % channels)] += code_sum;
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
