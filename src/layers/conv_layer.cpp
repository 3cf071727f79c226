#include "layers/conv_layer.h"

#include <cmath>

#include "espnet/error.h"

namespace espnet {
namespace {

constexpr double kBatchNormEps = 1e-5;  // nn.BatchNorm2d's default, used by every upstream layer

}  // namespace

std::vector<float> read_prelu(WeightReader& reader, const std::string& key, int channels) {
  if (reader.dim_of(key, 0) == 1 && channels != 1) {
    std::vector<float> one = reader.take(key, {1});
    return std::vector<float>(size_t(channels), one[0]);
  }
  return reader.take(key, {channels});
}

BnActivation::BnActivation(WeightReader& reader, const std::string& bn, int channels,
                           ops::Activation act, const std::string& prelu_key)
    : act_(act) {
  if (!bn.empty()) {
    std::vector<float> gamma = reader.take(bn + ".weight", {channels});
    std::vector<float> beta = reader.take(bn + ".bias", {channels});
    std::vector<float> mean = reader.take(bn + ".running_mean", {channels});
    std::vector<float> var = reader.take(bn + ".running_var", {channels});
    reader.skip(bn + ".num_batches_tracked", {});
    scale_.resize(channels);
    shift_.resize(channels);
    for (int c = 0; c < channels; ++c) {
      const double s = double(gamma[c]) / std::sqrt(double(var[c]) + kBatchNormEps);
      scale_[c] = static_cast<float>(s);
      shift_[c] = static_cast<float>(double(beta[c]) - double(mean[c]) * s);
    }
  }
  if (act == ops::Activation::kPRelu) slopes_ = read_prelu(reader, prelu_key, channels);
}

Tensor ConvLayer::forward_add_prelu(ExecContext& ctx, const Tensor& x, const Tensor& addend,
                                    const std::vector<float>& slopes) const {
  if (act_ != ops::Activation::kNone)
    throw Error("forward_add_prelu: the layer has an activation of its own");
  return ops::conv2d_add_prelu(ctx, x, params_, weight_, bias_, counted_bias_, &addend, slopes);
}

Conv2dParams conv_params(int in, int out, int kernel, int stride, int groups, int dilation) {
  Conv2dParams p;
  p.in_channels = in;
  p.out_channels = out;
  p.kernel_h = p.kernel_w = kernel;
  p.stride = stride;
  p.pad = (kernel - 1) / 2 * dilation;
  p.dilation = dilation;
  p.groups = groups;
  return p;
}

ConvLayer::ConvLayer(WeightReader& reader, const ConvKeys& keys, const Conv2dParams& params,
                     ops::Activation act)
    : params_(params), act_(act) {
  if (params.groups <= 0 || params.in_channels % params.groups ||
      params.out_channels % params.groups)
    throw Error("layer '" + keys.weight + "': channels not divisible by groups");
  const int cout = params.out_channels;
  weight_ = reader.take_tensor(
      keys.weight, {cout, params.in_channels / params.groups, params.kernel_h, params.kernel_w});
  if (!keys.bias.empty()) {
    bias_ = reader.take(keys.bias, {cout});
    counted_bias_ = true;
  }
  if (!keys.batchnorm.empty()) {
    BnActivation bn(reader, keys.batchnorm, cout, ops::Activation::kNone, "");
    const int64_t per_out = weight_.numel() / cout;
    if (bias_.empty()) bias_.assign(size_t(cout), 0.0f);
    for (int c = 0; c < cout; ++c) {
      float* w = weight_.data() + c * per_out;
      for (int64_t i = 0; i < per_out; ++i) w[i] *= bn.scale()[c];
      bias_[c] = bias_[c] * bn.scale()[c] + bn.shift()[c];
    }
  }
  if (act == ops::Activation::kPRelu) slopes_ = read_prelu(reader, keys.prelu, cout);
}

Tensor ConvLayer::forward(ExecContext& ctx, const Tensor& x) const {
  if (act_ == ops::Activation::kPRelu)
    return ops::conv2d_prelu(ctx, x, params_, weight_, bias_, counted_bias_, slopes_);
  Tensor y = ops::conv2d(ctx, x, params_, weight_, bias_, counted_bias_);
  if (act_ != ops::Activation::kNone) ops::scale_shift_activate(ctx, y, {}, {}, act_, slopes_);
  return y;
}

}  // namespace espnet
