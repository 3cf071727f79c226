#include "layers/eesp.h"

#include <algorithm>

#include "espnet/error.h"

namespace espnet {

const Tensor& ImagePyramid::at_height(ExecContext& ctx, int64_t height) {
  for (int i = 0; i < count_; ++i)
    if (levels_[i].dim(2) == height) return levels_[i];
  while (true) {
    const Tensor& last = count_ == 0 ? image_ : levels_[count_ - 1];
    if ((count_ > 0 && last.dim(2) <= height) || count_ == kMaxLevels)
      throw Error("image shortcut: the input image cannot be pooled to height " +
                  std::to_string(height));
    levels_[count_] = ops::avg_pool_3x3_s2(ctx, last);
    const Tensor& pooled = levels_[count_++];
    if (pooled.dim(2) == height) return pooled;
  }
}

std::vector<int> eesp_dilations(int branches, int receptive_limit) {
  std::vector<int> sizes;
  for (int i = 0; i < branches; ++i) {
    int k = 3 + 2 * i;
    sizes.push_back(k <= receptive_limit ? k : 3);
  }
  std::sort(sizes.begin(), sizes.end());
  std::vector<int> dilations;
  for (int k : sizes) dilations.push_back((k - 1) / 2);
  return dilations;
}

EespUnit::EespUnit(WeightReader& reader, const std::string& prefix, int in_channels,
                   int out_channels, int stride, int branches, int receptive_limit)
    : out_channels_(out_channels), stride_(stride) {
  build(reader, prefix, in_channels, stride, eesp_dilations(branches, receptive_limit));
}

EespUnit::EespUnit(WeightReader& reader, const std::string& prefix, int in_channels,
                   int out_channels, int stride, const std::vector<int>& dilations)
    : out_channels_(out_channels), stride_(stride) {
  build(reader, prefix, in_channels, stride, dilations);
}

void EespUnit::build(WeightReader& reader, const std::string& prefix, int in_channels, int stride,
                     const std::vector<int>& dilations) {
  const int k = static_cast<int>(dilations.size());
  if (k < 1 || k > kMaxBranches)
    throw Error(prefix + ": " + std::to_string(k) + " branches (1 to " +
                std::to_string(kMaxBranches) + " supported)");
  const int width = out_channels_ / k;
  if (width * k != out_channels_)
    throw Error(prefix + ": " + std::to_string(out_channels_) + " channels do not split into " +
                std::to_string(k) + " branches");
  const std::string p = prefix + ".";
  reduce_ = ConvLayer(
      reader, {p + "proj_1x1.conv.weight", "", p + "proj_1x1.bn", p + "proj_1x1.act.weight"},
      conv_params(in_channels, width, 1, 1, k), ops::Activation::kPRelu);
  dilations_ = dilations;
  // The K branches' depth-wise kernels side by side, as the fused spatial kernel reads them.
  spatial_weights_ = reader.packed_tensor(p + "spp_dw@concat", {int64_t(k) * width, 1, 3, 3}, [&] {
    Tensor all = Tensor::uninitialized({int64_t(k) * width, 1, 3, 3});
    for (int i = 0; i < k; ++i) {
      const std::string key = p + "spp_dw." + std::to_string(i) + ".conv.weight";
      const FloatSpan kernel = reader.take(key, {width, 1, 3, 3});
      std::copy(kernel.begin(), kernel.end(), all.data() + int64_t(i) * width * 9);
    }
    return all;
  });
  for (int i = 0; i < k; ++i) {
    Tensor own = Tensor::uninitialized({width, 1, 3, 3});
    const float* kernel = spatial_weights_.data() + int64_t(i) * width * 9;
    std::copy(kernel, kernel + int64_t(width) * 9, own.data());
    branches_.emplace_back(std::move(own),
                           conv_params(width, width, 3, stride, width, dilations[i]));
  }
  after_concat_ = BnActivation(reader, p + "br_after_cat.bn", out_channels_,
                               ops::Activation::kPRelu, p + "br_after_cat.act.weight");
  expand_ = ConvLayer(reader, {p + "conv_1x1_exp.conv.weight", "", p + "conv_1x1_exp.bn", ""},
                      conv_params(out_channels_, out_channels_, 1, 1, k));
  // The down-sampler's EESP has a module_act too; upstream never applies it there.
  module_slopes_ = read_prelu(reader, p + "module_act.weight", out_channels_);
}

Tensor EespUnit::spatial(ExecContext& ctx, const Tensor& x) const {
  Tensor reduced = reduce_.forward(ctx, x);
  ctx.record("proj_1x1", reduced);
  static const char* const kBranchNames[kMaxBranches] = {
      "branch0", "branch1", "branch2", "branch3", "branch4", "branch5", "branch6", "branch7"};
  static const char* const kFusedNames[kMaxBranches] = {"hff0", "hff1", "hff2", "hff3",
                                                        "hff4", "hff5", "hff6", "hff7"};
  if (ctx.tracing()) {
    // The branches one by one, only to report the upstream intermediates; the data flow below
    // uses the fused kernel, so parity tests check that.
    Tensor fused[kMaxBranches];
    const Tensor* parts[kMaxBranches];
    ExecContext untimed(ctx.trace_function());
    untimed.set_scope(ctx.scope());
    untimed.shape_only = ctx.shape_only;  // a planning run allocates these too, computes nothing
    untimed.planning = ctx.planning;
    for (size_t i = 0; i < branches_.size(); ++i) {
      fused[i] = branches_[i].forward(untimed, reduced);
      untimed.record(kBranchNames[i], fused[i]);
      if (i > 0) {
        ops::add_inplace(untimed, fused[i], fused[i - 1]);  // hierarchical feature fusion
        untimed.record(kFusedNames[i], fused[i]);
      }
      parts[i] = &fused[i];
    }
    untimed.record("concat", ops::concat_channels(untimed, parts, branches_.size()));
  }
  Tensor cat =
      ops::eesp_spatial(ctx, reduced, stride_, dilations_, spatial_weights_, after_concat_.scale(),
                        after_concat_.shift(), after_concat_.slopes());
  ctx.record("br_after_cat", cat);
  return cat;
}

bool EespUnit::residual_fits(const Tensor& x, const Tensor& cat) const {
  return stride_ == 1 && x.dim(0) == cat.dim(0) && x.dim(1) == expand_.params().out_channels &&
         x.dim(2) == cat.dim(2) && x.dim(3) == cat.dim(3);
}

Tensor EespUnit::forward(ExecContext& ctx, Tensor&& x) const {
  // Only a unit whose residual is its input (stride 1 keeps the plane's size) writes over it.
  if (stride_ != 1 || ctx.tracing() || x.dim(1) != expand_.params().out_channels)
    return forward(ctx, static_cast<const Tensor&>(x));
  Tensor cat = spatial(ctx, x);
  // The residual and the module's PReLU in the expansion's epilogue, written over the input.
  expand_.forward_add_prelu_inplace(ctx, cat, x, module_slopes_);
  return std::move(x);
}

void EespUnit::expand_into(ExecContext& ctx, const Tensor& spatial_out, Tensor& into) const {
  if (stride_ == 1) throw Error("EESP: expand_into is for units without a residual");
  expand_.forward_into(ctx, spatial_out, into);
}

Tensor EespUnit::forward(ExecContext& ctx, const Tensor& x) const {
  Tensor cat = spatial(ctx, x);
  if (!ctx.tracing() && residual_fits(x, cat)) {
    // The residual and the module's PReLU in the expansion's epilogue: one pass, no add.
    return expand_.forward_add_prelu(ctx, cat, x, module_slopes_);
  }
  Tensor expanded = expand_.forward(ctx, cat);
  ctx.record("conv_1x1_exp", expanded);
  if (stride_ != 1) return expanded;
  if (expanded.shape() == x.shape()) {  // traced: "residual" is recorded before the PReLU
    ops::add_inplace(ctx, expanded, x);
    ctx.record("residual", expanded);
  }
  ops::scale_shift_activate(ctx, expanded, {}, {}, ops::Activation::kPRelu, module_slopes_);
  ctx.record("output", expanded);
  return expanded;
}

DownSampler::DownSampler(WeightReader& reader, const std::string& prefix, int in_channels,
                         int out_channels, int branches, int receptive_limit, bool image_shortcut)
    : image_shortcut_(image_shortcut) {
  const std::string p = prefix + ".";
  eesp_ = EespUnit(reader, p + "eesp", in_channels, out_channels - in_channels, 2, branches,
                   receptive_limit);
  // Built (and so checked) even when unused: the classifier's level5_0 has these weights in
  // every upstream checkpoint but never feeds it the image.
  reinforce_3x3_ = ConvLayer(
      reader,
      {p + "inp_reinf.0.conv.weight", "", p + "inp_reinf.0.bn", p + "inp_reinf.0.act.weight"},
      conv_params(3, 3, 3), ops::Activation::kPRelu);
  reinforce_1x1_ = ConvLayer(reader, {p + "inp_reinf.1.conv.weight", "", p + "inp_reinf.1.bn", ""},
                             conv_params(3, out_channels, 1));
  slopes_ = read_prelu(reader, p + "act.weight", out_channels);
}

Tensor DownSampler::forward(ExecContext& ctx, const Tensor& x, ImagePyramid* pyramid) const {
  Tensor out;
  if (!ctx.tracing() && x.dim(0) == 1) {
    // One image: the pooled input and the EESP's output are written straight into their
    // channels of the concatenation (contiguous for one image), not into tensors of their own,
    // and the concatenation is made after the EESP's reduced map is gone.
    Tensor spatial_out;
    {
      ExecContext::Scope scope(ctx, "eesp");
      spatial_out = eesp_.spatial(ctx, x);
    }
    const int64_t oh = spatial_out.dim(2), ow = spatial_out.dim(3);
    const int64_t pooled_channels = x.dim(1), eesp_channels = eesp_.out_channels();
    out = Tensor::uninitialized({1, pooled_channels + eesp_channels, oh, ow});
    Tensor pooled = Tensor::view(out.data(), {1, pooled_channels, oh, ow});
    Tensor eesp_out =
        Tensor::view(out.data() + pooled_channels * oh * ow, {1, eesp_channels, oh, ow});
    ops::avg_pool_3x3_s2_into(ctx, x, pooled);
    ExecContext::Scope scope(ctx, "eesp");
    eesp_.expand_into(ctx, spatial_out, eesp_out);
  } else {
    Tensor pooled = ops::avg_pool_3x3_s2(ctx, x);
    ctx.record("avg", pooled);
    Tensor eesp_out;
    {
      ExecContext::Scope scope(ctx, "eesp");
      eesp_out = eesp_.forward(ctx, x);
      ctx.record_scope(eesp_out);
    }
    out = ops::concat_channels(ctx, {&pooled, &eesp_out});
  }
  ctx.record("concat", out);
  if (image_shortcut_ && pyramid) {
    const Tensor& image = pyramid->at_height(ctx, out.dim(2));
    ctx.record("reinf_input", image);
    Tensor r = reinforce_3x3_.forward(ctx, image);
    ctx.record("inp_reinf.0", r);
    if (!ctx.tracing()) {
      // The shortcut's 1x1 takes the concatenation as its addend and applies the PReLU: one
      // pass, no separate add, and the sum written over the concatenation (at level 2 the
      // largest tensor of the whole network's peak, which it no longer doubles).
      reinforce_1x1_.forward_add_prelu_inplace(ctx, r, out, slopes_);
      return out;
    }
    r = reinforce_1x1_.forward(ctx, r);
    ctx.record("inp_reinf.1", r);
    ops::add_inplace(ctx, out, r);  // traced: "sum" is recorded before the PReLU
    ctx.record("sum", out);
  }
  ops::scale_shift_activate(ctx, out, {}, {}, ops::Activation::kPRelu, slopes_);
  ctx.record("output", out);
  return out;
}

}  // namespace espnet
