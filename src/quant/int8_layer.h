// A point-wise layer's int8 form under a model's plan: its input channels' quantization and its
// weights with those channels' scales folded in, quantized per output channel, as the kernels of
// kernels/int8_kernels.h read them. Made by quantize() from the layer's fp32 weights, or read
// from a quantized model file.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "layers/lazy_derived.h"

namespace espnet {

struct Int8Layer {
  int out_channels = 0;
  int in_channels = 0;  ///< all groups
  int groups = 1;
  std::vector<uint32_t> quads;        ///< [out_channels][int8_quads(in_channels / groups)]
  std::vector<float> scale;           ///< [out_channels]: y = scale * (sum + compensation)
  std::vector<int32_t> compensation;  ///< [out_channels]
  std::vector<float> inverse_scale;   ///< [in_channels]: 1 / LayerQuantization::input_scale
  std::vector<int32_t> zero_point;    ///< [in_channels]
  /// An input with a value outside [guard_low, guard_high] runs this layer in fp32: values that
  /// far beyond anything calibration saw would be clipped into garbage.
  float guard_low = -INFINITY, guard_high = INFINITY;
  /// The guard: calibration's observed range widened by `margin` times its width on each side.
  void set_guard(float observed_min, float observed_max, double margin);

  /// From the layer's fp32 weight [out_channels, in_channels / groups] and its inputs' scales.
  static Int8Layer from_weight(const float* weight, int out_channels, int in_channels, int groups,
                               const std::vector<float>& input_scale,
                               const std::vector<int32_t>& zero_point);
  /// Throws espnet::Error (naming `layer`) when the arrays do not fit the shape.
  void check(const std::string& layer) const;
  /// qw * scale as fp32 [out_channels, in_channels / groups] (CPUs without VNNI: fp32 kernels
  /// on the codes u - zero_point compute the int8 result), made on first use.
  const std::vector<float>& dequantized() const;
  /// The layer's bias as the fp32 kernels over the codes need it: `bias` (the layer's own, or
  /// nullptr) plus scale * (compensation + sum_c qw * zero_point), the part of compensation that
  /// is not the zero points' (quantize()'s bias correction), which those kernels do not see.
  /// Made on first use (copies of a layer share it): compensation must be final before a session
  /// first runs the layer, and every call must pass the same layer's bias.
  const std::vector<float>& fallback_bias(const float* bias) const;

 private:
  int weight_code(int co, int i) const;  ///< qw[co][i], unpacked from its quad
  LazyDerived<std::vector<float>> dequantized_;
  LazyDerived<std::vector<float>> fallback_bias_;
};

}  // namespace espnet
