// A convolution with its BatchNorm folded in at load time and an optional activation: the
// CBR / CB / C / CDilated blocks of the upstream code, whatever their key names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec_context.h"
#include "layers/state_dict.h"
#include "ops.h"

namespace espnet {

/// Where a conv block's tensors live in the state dict. Empty names mean "absent".
struct ConvKeys {
  std::string weight;     // e.g. "level1.conv.weight"
  std::string bias;       // the conv's own bias ("...conv.bias"), if it has one
  std::string batchnorm;  // prefix of weight/bias/running_mean/running_var, e.g. "level1.bn"
  std::string prelu;      // PReLU slopes, e.g. "level1.act.weight"
};

/// BatchNorm (running statistics, eps 1e-5) + optional activation, as a per-channel affine map.
class BnActivation {
 public:
  BnActivation() = default;
  /// Loads `bn_prefix`.{weight,bias,running_mean,running_var} (and skips num_batches_tracked);
  /// an empty prefix means no BN. `prelu_key` non-empty means PReLU.
  BnActivation(WeightReader& reader, const std::string& bn_prefix, int channels,
               ops::Activation act, const std::string& prelu_key);

  void apply(ExecContext& ctx, Tensor& x) const {
    ops::scale_shift_activate(ctx, x, scale_, shift_, act_, slopes_);
  }
  const std::vector<float>& scale() const { return scale_; }
  const std::vector<float>& shift() const { return shift_; }
  ops::Activation activation() const { return act_; }
  const std::vector<float>& slopes() const { return slopes_; }

 private:
  std::vector<float> scale_, shift_, slopes_;
  ops::Activation act_ = ops::Activation::kNone;
};

/// Reads PReLU slopes for `channels` channels (a single shared slope is broadcast).
std::vector<float> read_prelu(WeightReader& reader, const std::string& key, int channels);

class ConvLayer {
 public:
  ConvLayer() = default;
  ConvLayer(WeightReader& reader, const ConvKeys& keys, const Conv2dParams& params,
            ops::Activation act = ops::Activation::kNone);

  /// A plain convolution (no bias, no BN, no activation) with the given weights.
  ConvLayer(Tensor weight, const Conv2dParams& params)
      : params_(params), weight_(std::move(weight)) {
    pack_bf16();
  }

  Tensor forward(ExecContext& ctx, const Tensor& x) const;
  /// activation(conv(x) + addend) with this layer's own activation (none or PReLU), in one pass
  /// (a 1x1 layer).
  Tensor forward_add(ExecContext& ctx, const Tensor& x, const Tensor& addend) const;
  /// PReLU(conv(x) + addend) with the given slopes, in one pass (a 1x1 layer without an
  /// activation of its own).
  Tensor forward_add_prelu(ExecContext& ctx, const Tensor& x, const Tensor& addend,
                           const std::vector<float>& slopes) const;
  const Conv2dParams& params() const { return params_; }

  /// This layer (which has no activation) followed by `after`, as one layer: the BatchNorm
  /// folded into the weights and bias, the activation taken over. The folded weights are a
  /// packed array of `reader` (stored in converted files).
  ConvLayer followed_by(const BnActivation& after, WeightReader& reader) const;
  /// The part of a 1x1, groups-1 layer that reads input channels [begin, end): with or without
  /// the bias and activation. A layer over concat(a, b) equals activation(part_a(a) + part_b(b))
  /// with the bias and activation kept in exactly one part (a 1x1 convolution is linear). The
  /// sliced weights are a packed array of `reader`.
  ConvLayer input_slice(int begin, int end, bool with_bias_and_activation,
                        WeightReader& reader) const;

 private:
  /// A 1x1 layer keeps its weight in bf16 pairs (pack_bf16_gconv1x1_weight) and quantized to
  /// int8 (quantize_int8_weight) too, made once here at load for reduced-precision sessions;
  /// called wherever weight_ is set.
  void pack_bf16();
  ops::Int8Weight int8_weight() const {
    if (int8_weight_.empty()) return {};
    return {int8_weight_.data(), int8_scale_.data(), int8_compensation_.data()};
  }
  const uint32_t* bf16_weight() const {
    return bf16_weight_.empty() ? nullptr : bf16_weight_.data();
  }

  Conv2dParams params_;
  std::string key_;                    // the state-dict key of the weight: names the packed arrays
  Tensor weight_;                      // BN folded in
  std::vector<uint32_t> bf16_weight_;  // 1x1 layers: weight_ in bf16 pairs; else empty
  // 1x1 layers: weight_ quantized per output channel; else empty.
  std::vector<uint32_t> int8_weight_;
  std::vector<float> int8_scale_;
  std::vector<int32_t> int8_compensation_;
  std::vector<float> bias_;    // conv bias and BN shift folded together (may be empty)
  bool counted_bias_ = false;  // the upstream conv had a bias of its own
  ops::Activation act_ = ops::Activation::kNone;
  std::vector<float> slopes_;
};

/// Conv2dParams for a square kernel with PyTorch-style "same" padding ((k - 1) / 2 * dilation).
Conv2dParams conv_params(int in, int out, int kernel, int stride = 1, int groups = 1,
                         int dilation = 1);

}  // namespace espnet
