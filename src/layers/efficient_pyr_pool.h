// EdgeNets' EfficientPyrPool: a 1x1 projection, the projected map resampled at several scales
// (each through its own depth-wise 3x3), concatenated, BN+PReLU, channel shuffle, a grouped 3x3
// CBR and a 1x1 conv (+ BN+PReLU except in the network's last decoder).
#pragma once

#include <string>
#include <vector>

#include "layers/conv_layer.h"

namespace espnet {

class EfficientPyrPool {
 public:
  static constexpr int kMaxScales = 8;

  EfficientPyrPool() = default;
  /// `scales` in upstream order (sorted descending); `last_layer_br` false gives the final
  /// decoder: its 1x1 conv has a bias and no BN+PReLU follows.
  EfficientPyrPool(WeightReader& reader, const std::string& prefix, int in_planes, int proj_planes,
                   int out_planes, std::vector<double> scales, bool last_layer_br);

  Tensor forward(ExecContext& ctx, const Tensor& x) const;

 private:
  std::vector<double> scales_;
  ConvLayer projection_;
  std::vector<ConvLayer> stages_;  // depth-wise 3x3, no BN
  BnActivation merge_bn_;          // merge_layer.0
  ConvLayer merge_conv3x3_;        // merge_layer.2: grouped 3x3 CBR
  ConvLayer merge_conv1x1_;        // merge_layer.3
  bool last_layer_br_ = true;
  BnActivation out_bn_;  // br
};

/// EdgeNets' EfficientPWConv: sigmoid(1x1 conv(global average)) gating a grouped 3x3 CBR
/// (groups = gcd(in, out)).
class EfficientPwConv {
 public:
  EfficientPwConv() = default;
  EfficientPwConv(WeightReader& reader, const std::string& prefix, int in_planes, int out_planes);
  Tensor forward(ExecContext& ctx, const Tensor& x) const;

 private:
  ConvLayer weight_layer_;     // wt_layer.1
  ConvLayer expansion_layer_;  // expansion_layer.cbr
};

}  // namespace espnet
