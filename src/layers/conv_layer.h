// A convolution with its BatchNorm folded in at load time and an optional activation: the
// CBR / CB / C / CDilated blocks of the upstream code, whatever their key names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec_context.h"
#include "layers/lazy_derived.h"
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
  /// The same per-channel operation on channels reordered: channel j of the result is channel
  /// order[j] of this one (e.g. before and after a channel shuffle).
  BnActivation permuted(const std::vector<int>& order) const;
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
      : params_(params), weight_(std::move(weight)) {}

  Tensor forward(ExecContext& ctx, const Tensor& x) const;
  /// activation(conv(x) + addend) with this layer's own activation (none or PReLU), in one pass
  /// (a 1x1 layer).
  Tensor forward_add(ExecContext& ctx, const Tensor& x, const Tensor& addend) const;
  /// PReLU(conv(x) + addend) with the given slopes, in one pass (a 1x1 layer without an
  /// activation of its own).
  Tensor forward_add_prelu(ExecContext& ctx, const Tensor& x, const Tensor& addend,
                           const std::vector<float>& slopes) const;
  /// The same into `accumulator`, the addend: accumulator = PReLU(conv(x) + accumulator).
  void forward_add_prelu_inplace(ExecContext& ctx, const Tensor& x, Tensor& accumulator,
                                 const std::vector<float>& slopes) const;
  /// forward_add() into `accumulator`, the addend: accumulator = act(conv(x) + accumulator).
  void forward_add_inplace(ExecContext& ctx, const Tensor& x, Tensor& accumulator) const;
  /// forward() of a 1x1 layer written into `into` (the output's shape; e.g. a view into a
  /// concatenation).
  void forward_into(ExecContext& ctx, const Tensor& x, Tensor& into) const;
  const Conv2dParams& params() const { return params_; }
  /// The state-dict key of the weight ("level2_0.proj_1x1.conv.weight"; with "@..." for a
  /// derived layer): names the packed arrays and the layer's entry in an int8 plan.
  const std::string& key() const { return key_; }

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
  // PReLU(conv(x) + addend) (`addend` may be null, or `into` itself) written into `into`, a 1x1
  // layer only; `caller` names the public method in errors.
  void write_into(ExecContext& ctx, const Tensor& x, const Tensor* addend,
                  const std::vector<float>& slopes, Tensor& into, const char* caller) const;
  /// A 1x1 layer's weight in bf16 pairs (pack_bf16_gconv1x1_weight) when `ctx` runs bf16, made
  /// on first use; else nullptr.
  const uint32_t* bf16_weight(const ExecContext& ctx) const;
  /// The layer's int8 form when `ctx` runs int8 and its plan marks this layer int8, else null.
  /// Calibration (ctx.observer) sees the input here.
  const Int8Layer* int8_layer(const ExecContext& ctx, const Tensor& x) const;
  bool pointwise() const {
    return params_.kernel_h == 1 && params_.kernel_w == 1 && params_.groups > 0 &&
           weight_.numel() > 0;
  }
  /// A layer an int8 plan can cover: a keyed 1x1 convolution of stride 1 without padding.
  bool quantizable() const {
    return pointwise() && params_.stride == 1 && params_.pad == 0 && params_.dilation == 1 &&
           !key_.empty();
  }

  Conv2dParams params_;
  std::string key_;  // the state-dict key of the weight: names the packed arrays
  Tensor weight_;    // BN folded in
  LazyDerived<std::vector<uint32_t>> bf16_;  // see bf16_weight()
  std::vector<float> bias_;    // conv bias and BN shift folded together (may be empty)
  bool counted_bias_ = false;  // the upstream conv had a bias of its own
  ops::Activation act_ = ops::Activation::kNone;
  std::vector<float> slopes_;
};

/// Conv2dParams for a square kernel with PyTorch-style "same" padding ((k - 1) / 2 * dilation).
Conv2dParams conv_params(int in, int out, int kernel, int stride = 1, int groups = 1,
                         int dilation = 1);

}  // namespace espnet
