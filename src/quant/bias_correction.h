// Bias correction of an int8 layer: rounding the weights and rounding and clipping the inputs
// shift each output channel's mean, most where the inputs' means are far from zero or their
// tails are clipped. The shift, measured on the calibration inputs, is taken back through the
// channel's compensation, which both the int8 kernels and the fp32 fallback apply
// (Int8Layer::fallback_bias). The correction of data-free quantization (Nagel et al., 2019),
// measured instead of estimated from the BatchNorm statistics.
#pragma once

#include <cstdint>
#include <vector>

#include "espnet/tensor.h"
#include "quant/int8_layer.h"

namespace espnet {

/// One layer's input channels over the calibration runs: the sums of their fp32 values and of
/// the codes u - zero_point the layer's int8 map gives those values (rounded and clipped as the
/// kernels do it). Non-finite values are left out of both.
class InputChannelSums {
 public:
  /// Adds input [batch, channels, H, W] under the map x ~ input_scale[c] * (u - zero_point[c]).
  void add(const Tensor& input, const std::vector<float>& input_scale,
           const std::vector<int32_t>& zero_point);
  const std::vector<double>& values() const { return values_; }
  const std::vector<double>& codes() const { return codes_; }
  double count() const { return count_; }  ///< positions added, per channel

 private:
  std::vector<double> values_, codes_;
  double count_ = 0;
};

/// Adds to each output channel's compensation the mean difference, in units of its scale,
/// between the fp32 layer (weight [out, in / groups]) and its int8 form on the summed inputs:
/// sum_i W[o][i] * mean(x_i) - sum_i dequantized[o][i] * mean(code_i). Channels whose correction
/// is not finite or beyond 2^24 units are left as they are.
void correct_bias(const float* weight, const InputChannelSums& sums, Int8Layer& layer);

}  // namespace espnet
