#include "layers/efficient_pyr_pool.h"

#include <cmath>
#include <numeric>

#include "espnet/error.h"

namespace espnet {
namespace {

ConvKeys cbr_keys(const std::string& p) {
  // nn.Sequential(conv, bn, prelu) named "cbr" in EdgeNets' cnn_utils.
  return {p + ".cbr.0.weight", "", p + ".cbr.1", p + ".cbr.2.weight"};
}

}  // namespace

EfficientPyrPool::EfficientPyrPool(WeightReader& reader, const std::string& prefix, int in_planes,
                                   int proj_planes, int out_planes, std::vector<double> scales,
                                   bool last_layer_br, int upsampled_channels)
    : scales_(std::move(scales)), last_layer_br_(last_layer_br) {
  const std::string p = prefix + ".";
  const int n = static_cast<int>(scales_.size());
  if (n < 1 || n > kMaxScales) throw Error(prefix + ": unsupported number of pyramid scales");
  projection_ = ConvLayer(reader, cbr_keys(p + "projection_layer"),
                          conv_params(in_planes, proj_planes, 1), ops::Activation::kPRelu);
  for (int i = 0; i < n; ++i)
    stages_.emplace_back(reader,
                         ConvKeys{p + "stages." + std::to_string(i) + ".weight", "", "", ""},
                         conv_params(proj_planes, proj_planes, 3, 1, proj_planes));
  merge_bn_ = BnActivation(reader, p + "merge_layer.0.br.0", proj_planes * n,
                           ops::Activation::kPRelu, p + "merge_layer.0.br.1.weight");
  // The shuffle puts concatenated channel i * proj_planes + k (scale i's channel k) at k * n + i.
  std::vector<int> shuffled_order(static_cast<size_t>(proj_planes) * n);
  for (int k = 0; k < proj_planes; ++k)
    for (int i = 0; i < n; ++i)
      shuffled_order[static_cast<size_t>(k) * n + i] = i * proj_planes + k;
  merge_bn_shuffled_ = merge_bn_.permuted(shuffled_order);
  merge_conv3x3_ = ConvLayer(reader, cbr_keys(p + "merge_layer.2"),
                             conv_params(proj_planes * n, proj_planes, 3, 1, proj_planes),
                             ops::Activation::kPRelu);
  merge_conv1x1_ = ConvLayer(
      reader, {p + "merge_layer.3.weight", last_layer_br ? "" : p + "merge_layer.3.bias", "", ""},
      conv_params(proj_planes, out_planes, 1));
  if (last_layer_br) {
    out_bn_ = BnActivation(reader, p + "br.br.0", out_planes, ops::Activation::kPRelu,
                           p + "br.br.1.weight");
    merge_conv1x1_br_ = merge_conv1x1_.followed_by(out_bn_, reader);
  }
  if (upsampled_channels > 0) {
    projection_upsampled_ = projection_.input_slice(0, upsampled_channels, false, reader);
    projection_skip_ = projection_.input_slice(upsampled_channels, in_planes, true, reader);
  }
}

Tensor EfficientPyrPool::forward_upsampled(ExecContext& ctx, const Tensor& coarse,
                                           const Tensor& skip) const {
  const int height = static_cast<int>(skip.dim(2)), width = static_cast<int>(skip.dim(3));
  if (projection_upsampled_.params().in_channels == 0 || ctx.upstream_structure()) {
    Tensor up = ops::resize_bilinear(ctx, coarse, height, width);
    Tensor merged = ops::concat_channels(ctx, {&up, &skip});
    up = Tensor();
    return forward(ctx, merged);
  }
  Tensor part = projection_upsampled_.forward(ctx, coarse);
  part = ops::resize_bilinear(ctx, part, height, width);
  projection_skip_.forward_add_inplace(ctx, skip, part);  // the sum over the upsampled part
  return forward_projected(ctx, std::move(part));
}

Tensor EfficientPyrPool::forward(ExecContext& ctx, const Tensor& input) const {
  return forward_projected(ctx, projection_.forward(ctx, input));
}

Tensor EfficientPyrPool::forward(ExecContext& ctx, Tensor&& x) const {
  Tensor projected = projection_.forward(ctx, x);
  x = Tensor();
  return forward_projected(ctx, std::move(projected));
}

Tensor EfficientPyrPool::level(ExecContext& ctx, const Tensor& x, size_t i) const {
  const int height = static_cast<int>(x.dim(2)), width = static_cast<int>(x.dim(3));
  const double s = scales_[i];
  // Upstream: int(math.ceil(dim * scale)) in double, at least 5.
  const int hs = std::max(5, static_cast<int>(std::ceil(height * s)));
  const int ws = std::max(5, static_cast<int>(std::ceil(width * s)));
  Tensor h;
  if (s < 1.0) {
    h = ops::adaptive_avg_pool(ctx, x, hs, ws);
    h = stages_[i].forward(ctx, h);
    return ops::resize_bilinear(ctx, h, height, width);
  }
  if (s > 1.0) {
    h = ops::resize_bilinear(ctx, x, hs, ws);
    h = stages_[i].forward(ctx, h);
    return ops::adaptive_avg_pool(ctx, h, height, width);
  }
  return stages_[i].forward(ctx, x);
}

Tensor EfficientPyrPool::joined_levels(ExecContext& ctx, Tensor x) const {
  // Each level is copied into the joined tensor as soon as it is made, except the enlarged ones
  // (scale > 1, first in upstream's descending order): their temporaries (the projection at up
  // to twice its size, and its depth-wise output) are the largest of the decoder, so the joined
  // tensor is made only after them. The largest set alive is then the scale-2 level's, not all
  // levels and their concatenation together (Cityscapes s=1.0: 27.5 -> 22.5 floats per pixel).
  const int count = static_cast<int>(scales_.size());
  Tensor joined, enlarged[kMaxScales];
  bool made = false;
  for (int i = 0; i < count; ++i) {
    Tensor h = level(ctx, x, size_t(i));
    if (i + 1 == count) x = Tensor();  // the projection's last reader
    if (!made && scales_[size_t(i)] > 1.0 && i + 1 < count) {
      enlarged[i] = std::move(h);
      continue;
    }
    if (!made) {
      joined = ops::interleaved_joint(ctx, h, count);
      made = true;
      for (int j = 0; j < i; ++j) {
        ops::copy_interleaved(ctx, enlarged[j], joined, j, count);
        enlarged[j] = Tensor();
      }
    }
    ops::copy_interleaved(ctx, h, joined, i, count);
  }
  return joined;
}

Tensor EfficientPyrPool::forward_projected(ExecContext& ctx, Tensor x) const {
  ctx.record("projection", x);
  Tensor out;
  if (!ctx.upstream_structure()) {
    // BN+PReLU is per channel: on the shuffled order with its parameters reordered, after a
    // join that writes the shuffled order directly (one copy and one tensor less than a
    // concatenation and a shuffle; the same values).
    out = joined_levels(ctx, std::move(x));
    merge_bn_shuffled_.apply(ctx, out);
  } else {
    static const char* const kScaleNames[kMaxScales] = {"scale0", "scale1", "scale2", "scale3",
                                                        "scale4", "scale5", "scale6", "scale7"};
    Tensor levels[kMaxScales];
    const Tensor* parts[kMaxScales];
    for (size_t i = 0; i < scales_.size(); ++i) {
      levels[i] = level(ctx, x, i);
      ctx.record(kScaleNames[i], levels[i]);
      parts[i] = &levels[i];
    }
    out = ops::concat_channels(ctx, parts, scales_.size());
    for (Tensor& t : levels) t = Tensor();
    merge_bn_.apply(ctx, out);
    ctx.record("merge_layer.0", out);
    out = ops::channel_shuffle(ctx, out, static_cast<int>(scales_.size()));
    ctx.record("merge_layer.1", out);
  }
  out = merge_conv3x3_.forward(ctx, out);
  ctx.record("merge_layer.2", out);
  if (last_layer_br_ && !ctx.upstream_structure())
    return merge_conv1x1_br_.forward(ctx, out);  // BN+PReLU in the epilogue
  out = merge_conv1x1_.forward(ctx, out);
  ctx.record("merge_layer.3", out);
  if (last_layer_br_) {
    out_bn_.apply(ctx, out);
    ctx.record("br", out);
  }
  return out;
}

EfficientPwConv::EfficientPwConv(WeightReader& reader, const std::string& prefix, int in_planes,
                                 int out_planes) {
  const std::string p = prefix + ".";
  weight_layer_ = ConvLayer(reader, {p + "wt_layer.1.weight", "", "", ""},
                            conv_params(in_planes, out_planes, 1));
  const int groups = std::gcd(in_planes, out_planes);
  expansion_layer_ =
      ConvLayer(reader, cbr_keys(p + "expansion_layer"),
                conv_params(in_planes, out_planes, 3, 1, groups), ops::Activation::kPRelu);
}

Tensor EfficientPwConv::forward(ExecContext& ctx, const Tensor& x) const {
  Tensor gate = weight_layer_.forward(ctx, ops::global_avg_pool(ctx, x));
  ops::sigmoid_inplace(ctx, gate);
  ctx.record("gate", gate);
  Tensor out = expansion_layer_.forward(ctx, x);
  ctx.record("expansion", out);
  ops::multiply_channels(ctx, out, gate);
  return out;
}

}  // namespace espnet
