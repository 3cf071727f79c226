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
  /// `upsampled_channels` > 0: the input is concat(resize(coarse), skip) with that many channels
  /// in the resized part, and forward_upsampled() may be used.
  EfficientPyrPool(WeightReader& reader, const std::string& prefix, int in_planes, int proj_planes,
                   int out_planes, std::vector<double> scales, bool last_layer_br,
                   int upsampled_channels = 0);

  Tensor forward(ExecContext& ctx, const Tensor& x) const;
  /// The same, giving `x`'s memory back as soon as the projection has read it.
  Tensor forward(ExecContext& ctx, Tensor&& x) const;
  /// forward(concat(bilinear resize of `coarse` to the size of `skip`, skip)), computed with the
  /// projection split by input channels: the coarse part is projected at its own resolution
  /// and then resized (a 1x1 convolution and a resize commute, both being linear, and the
  /// resize's weights sum to one), and the skip part's projection adds it before the PReLU. No
  /// concatenation, a resize of proj_planes channels instead of the coarse map's, and a quarter
  /// of the coarse part's multiply-adds; equal up to rounding. Traced and shape-only runs take
  /// the literal path (so `info` counts the upstream layers).
  Tensor forward_upsampled(ExecContext& ctx, const Tensor& coarse, const Tensor& skip) const;

 private:
  // Everything after the projection.
  Tensor forward_projected(ExecContext& ctx, Tensor x) const;
  // The projection `x` resampled at scales_[i], through its depth-wise 3x3, at x's size.
  Tensor level(ExecContext& ctx, const Tensor& x, size_t i) const;
  // The levels joined in the shuffled channel order (the merge's concatenation and shuffle).
  Tensor joined_levels(ExecContext& ctx, Tensor x) const;

  std::vector<double> scales_;
  ConvLayer projection_;
  ConvLayer projection_upsampled_, projection_skip_;  // projection_ split (upsampled_channels)
  std::vector<ConvLayer> stages_;                     // depth-wise 3x3, no BN
  BnActivation merge_bn_;                             // merge_layer.0
  BnActivation merge_bn_shuffled_;  // merge_layer.0 on the shuffled order (untraced runs)
  ConvLayer merge_conv3x3_;         // merge_layer.2: grouped 3x3 CBR
  ConvLayer merge_conv1x1_;         // merge_layer.3
  bool last_layer_br_ = true;
  BnActivation out_bn_;         // br
  ConvLayer merge_conv1x1_br_;  // merge_layer.3 with br folded in (untraced runs)
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
