#include "layers/conv_layer.h"

#include <cmath>

#include "espnet/error.h"
#include "kernels/bf16_kernels.h"

namespace espnet {
namespace {

constexpr double kBatchNormEps = 1e-5;  // nn.BatchNorm2d's default, used by every upstream layer

}  // namespace

std::vector<float> read_prelu(WeightReader& reader, const std::string& key, int channels) {
  return reader.packed_values(key + "@slopes", channels, [&] {
    if (reader.dim_of(key, 0) == 1 && channels != 1)
      return std::vector<float>(size_t(channels), reader.take(key, {1})[0]);
    return reader.take(key, {channels}).to_vector();
  });
}

namespace {

// BatchNorm's per-channel affine map: scale = gamma / sqrt(var + eps), shift = beta - mean * scale,
// in double as the upstream's float32 BN would round only once.
void batchnorm_affine(WeightReader& reader, const std::string& bn, int channels,
                      std::vector<float>& scale, std::vector<float>& shift) {
  const FloatSpan gamma = reader.take(bn + ".weight", {channels});
  const FloatSpan beta = reader.take(bn + ".bias", {channels});
  const FloatSpan mean = reader.take(bn + ".running_mean", {channels});
  const FloatSpan var = reader.take(bn + ".running_var", {channels});
  reader.skip(bn + ".num_batches_tracked", {});
  scale.resize(channels);
  shift.resize(channels);
  for (int c = 0; c < channels; ++c) {
    const double s = double(gamma[c]) / std::sqrt(double(var[c]) + kBatchNormEps);
    scale[c] = static_cast<float>(s);
    shift[c] = static_cast<float>(double(beta[c]) - double(mean[c]) * s);
  }
}

}  // namespace

BnActivation::BnActivation(WeightReader& reader, const std::string& bn, int channels,
                           ops::Activation act, const std::string& prelu_key)
    : act_(act) {
  if (!bn.empty()) {
    // Computed once, stored as two packed arrays.
    std::vector<float> shift;
    scale_ = reader.packed_values(bn + "@scale", channels, [&] {
      std::vector<float> scale;
      batchnorm_affine(reader, bn, channels, scale, shift);
      return scale;
    });
    shift_ = reader.packed_values(bn + "@shift", channels, [&] { return shift; });
  }
  if (act == ops::Activation::kPRelu) slopes_ = read_prelu(reader, prelu_key, channels);
}

BnActivation BnActivation::permuted(const std::vector<int>& order) const {
  auto reorder = [&](const std::vector<float>& values) {
    if (values.empty()) return values;
    if (values.size() != order.size())
      throw Error("BnActivation::permuted: " + std::to_string(order.size()) + " channels for " +
                  std::to_string(values.size()));
    std::vector<float> out(order.size());
    for (size_t j = 0; j < order.size(); ++j) out[j] = values.at(static_cast<size_t>(order[j]));
    return out;
  };
  BnActivation result;
  result.scale_ = reorder(scale_);
  result.shift_ = reorder(shift_);
  result.slopes_ = reorder(slopes_);
  result.act_ = act_;
  return result;
}

ConvLayer ConvLayer::followed_by(const BnActivation& after, WeightReader& reader) const {
  if (act_ != ops::Activation::kNone)
    throw Error("followed_by: the layer has an activation of its own");
  ConvLayer fused;
  fused.params_ = params_;
  fused.key_ = key_ + "@then-bn";
  fused.bias_ = bias_;
  fused.counted_bias_ = counted_bias_;
  const int cout = params_.out_channels;
  if (after.scale().empty()) {
    fused.weight_ = weight_;
  } else {
    fused.weight_ = reader.packed_tensor(fused.key_, weight_.shape(), [&] {
      Tensor w = Tensor::uninitialized(weight_.shape());  // every element written below
      const int64_t per_out = weight_.numel() / cout;
      for (int c = 0; c < cout; ++c)
        for (int64_t i = 0; i < per_out; ++i)
          w.data()[c * per_out + i] = weight_.data()[c * per_out + i] * after.scale()[c];
      return w;
    });
    // Per channel only: cheaper to compute than to store.
    if (fused.bias_.empty()) fused.bias_.assign(size_t(cout), 0.0f);
    for (int c = 0; c < cout; ++c)
      fused.bias_[c] = fused.bias_[c] * after.scale()[c] + after.shift()[c];
  }
  fused.act_ = after.activation();
  fused.slopes_ = after.slopes();
  return fused;
}

ConvLayer ConvLayer::input_slice(int begin, int end, bool with_bias_and_activation,
                                 WeightReader& reader) const {
  const Conv2dParams& p = params_;
  if (p.kernel_h != 1 || p.kernel_w != 1 || p.groups != 1 || begin < 0 || end <= begin ||
      end > p.in_channels)
    throw Error("input_slice: needs a 1x1 groups-1 layer and 0 <= begin < end <= its inputs");
  const int cout = p.out_channels, cin = p.in_channels, count = end - begin;
  ConvLayer slice;
  slice.params_ = p;
  slice.params_.in_channels = count;
  slice.key_ = key_ + "@inputs-" + std::to_string(begin) + "-" + std::to_string(end);
  slice.weight_ = reader.packed_tensor(slice.key_, {cout, count, 1, 1}, [&] {
    Tensor w = Tensor::uninitialized({cout, count, 1, 1});  // every element written below
    for (int c = 0; c < cout; ++c)
      for (int i = 0; i < count; ++i)
        w.data()[int64_t(c) * count + i] = weight_.data()[int64_t(c) * cin + begin + i];
    return w;
  });
  if (with_bias_and_activation) {
    slice.bias_ = bias_;
    slice.counted_bias_ = counted_bias_;
    slice.act_ = act_;
    slice.slopes_ = slopes_;
  }
  return slice;
}

Tensor ConvLayer::forward_add(ExecContext& ctx, const Tensor& x, const Tensor& addend) const {
  if (act_ != ops::Activation::kNone && act_ != ops::Activation::kPRelu)
    throw Error("forward_add: only PReLU or no activation can follow the sum");
  const Int8Layer* int8 = int8_layer(ctx, x);
  return ops::conv2d_add_prelu(ctx, x, params_, weight_, bias_, counted_bias_, &addend, slopes_,
                               bf16_weight(ctx), int8);
}

Tensor ConvLayer::forward_add_prelu(ExecContext& ctx, const Tensor& x, const Tensor& addend,
                                    const std::vector<float>& slopes) const {
  if (act_ != ops::Activation::kNone)
    throw Error("forward_add_prelu: the layer has an activation of its own");
  const Int8Layer* int8 = int8_layer(ctx, x);
  return ops::conv2d_add_prelu(ctx, x, params_, weight_, bias_, counted_bias_, &addend, slopes,
                               bf16_weight(ctx), int8);
}

void ConvLayer::write_into(ExecContext& ctx, const Tensor& x, const Tensor* addend,
                           const std::vector<float>& slopes, Tensor& into,
                           const char* caller) const {
  if (!pointwise()) throw Error(std::string(caller) + ": a 1x1 layer only");
  const Int8Layer* int8 = int8_layer(ctx, x);
  ops::conv2d_add_prelu_into(ctx, x, params_, weight_, bias_, counted_bias_, addend, slopes, into,
                             bf16_weight(ctx), int8);
}

void ConvLayer::forward_add_prelu_inplace(ExecContext& ctx, const Tensor& x, Tensor& accumulator,
                                          const std::vector<float>& slopes) const {
  if (act_ != ops::Activation::kNone)
    throw Error("forward_add_prelu_inplace: the layer has an activation of its own");
  write_into(ctx, x, &accumulator, slopes, accumulator, "forward_add_prelu_inplace");
}

void ConvLayer::forward_add_inplace(ExecContext& ctx, const Tensor& x, Tensor& accumulator) const {
  if (act_ != ops::Activation::kNone && act_ != ops::Activation::kPRelu)
    throw Error("forward_add_inplace: only PReLU or no activation can follow the sum");
  write_into(ctx, x, &accumulator, slopes_, accumulator, "forward_add_inplace");
}

void ConvLayer::forward_into(ExecContext& ctx, const Tensor& x, Tensor& into) const {
  if (act_ != ops::Activation::kNone && act_ != ops::Activation::kPRelu)
    throw Error("forward_into: only PReLU or no activation");
  write_into(ctx, x, nullptr, slopes_, into, "forward_into");
}

const uint32_t* ConvLayer::bf16_weight(const ExecContext& ctx) const {
  if (!ctx.bf16 || !pointwise()) return nullptr;
  return bf16_
      .get([&] {
        const int cout = params_.out_channels, cin = params_.in_channels / params_.groups;
        std::vector<uint32_t> packed(size_t(cout) * size_t(bf16_pairs(cin)));
        pack_bf16_gconv1x1_weight(weight_.data(), cout, cin, packed.data());
        return packed;
      })
      .data();
}

const Int8Layer* ConvLayer::int8_layer(const ExecContext& ctx, const Tensor& x) const {
  if (!quantizable()) return nullptr;
  if (ctx.quantizable_layers) ctx.quantizable_layers->push_back(key_);
  if (ctx.observer && !ctx.shape_only) ctx.observer->observe(key_, x, weight_, params_.groups);
  if (!ctx.int8 || !ctx.quant) return nullptr;
  const auto entry = ctx.quant->find(key_);
  if (entry == ctx.quant->end() || !entry->second.plan->int8) return nullptr;
  return entry->second.layer;
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
    : params_(params), key_(keys.weight), act_(act) {
  if (params.groups <= 0 || params.in_channels % params.groups ||
      params.out_channels % params.groups)
    throw Error("layer '" + keys.weight + "': channels not divisible by groups");
  const int cout = params.out_channels;
  const Shape shape = {cout, params.in_channels / params.groups, params.kernel_h, params.kernel_w};
  const bool has_bias = !keys.bias.empty() || !keys.batchnorm.empty();
  counted_bias_ = !keys.bias.empty();
  // The BatchNorm folded into the weights and bias once; a converted file stores the result.
  std::vector<float> bias;
  weight_ = reader.packed_tensor(keys.weight + "@folded", shape, [&] {
    Tensor w = reader.take_tensor(keys.weight, shape);
    if (!keys.bias.empty()) bias = reader.take(keys.bias, {cout}).to_vector();
    if (!keys.batchnorm.empty()) {
      std::vector<float> scale, shift;
      batchnorm_affine(reader, keys.batchnorm, cout, scale, shift);
      const int64_t per_out = w.numel() / cout;
      if (bias.empty()) bias.assign(size_t(cout), 0.0f);
      for (int c = 0; c < cout; ++c) {
        float* row = w.data() + c * per_out;
        for (int64_t i = 0; i < per_out; ++i) row[i] *= scale[c];
        bias[c] = bias[c] * scale[c] + shift[c];
      }
    }
    return w;
  });
  if (has_bias) bias_ = reader.packed_values(keys.weight + "@bias", cout, [&] { return bias; });
  if (act == ops::Activation::kPRelu) slopes_ = read_prelu(reader, keys.prelu, cout);
}

Tensor ConvLayer::forward(ExecContext& ctx, const Tensor& x) const {
  const Int8Layer* int8 = int8_layer(ctx, x);
  if (act_ == ops::Activation::kPRelu)
    return ops::conv2d_prelu(ctx, x, params_, weight_, bias_, counted_bias_, slopes_,
                             bf16_weight(ctx), int8);
  Tensor y = ops::conv2d(ctx, x, params_, weight_, bias_, counted_bias_, bf16_weight(ctx), int8);
  if (act_ != ops::Activation::kNone) ops::scale_shift_activate(ctx, y, {}, {}, act_, slopes_);
  return y;
}

}  // namespace espnet
