#include "models/segmentation_original.h"

#include "espnet/error.h"
#include "models/scale_table.h"

namespace espnet {
namespace {

constexpr int kPspLevels = 4;  // upstream sizes=(1, 2, 4, 8): only their count is used

ConvKeys cbr(const std::string& p) {
  return {p + ".conv.weight", "", p + ".bn", p + ".act.weight"};
}

Tensor upsample2x(ExecContext& ctx, const Tensor& x) {
  return ops::resize_bilinear(ctx, x, static_cast<int>(x.dim(2)) * 2,
                              static_cast<int>(x.dim(3)) * 2);
}

// layer(concat(skip, upsample2x(coarse))) as skip_part(skip) + upsample2x(up_part(coarse)), then
// the layer's activation: the coarse part's 1x1 runs at half the resolution (a 1x1
// convolution and a bilinear resize commute; the resize's weights sum to one).
Tensor project_with_upsampled(ExecContext& ctx, const ConvLayer& skip_part,
                              const ConvLayer& up_part, const Tensor& skip, const Tensor& coarse) {
  Tensor up = ops::resize_bilinear(ctx, up_part.forward(ctx, coarse), static_cast<int>(skip.dim(2)),
                                   static_cast<int>(skip.dim(3)));
  skip_part.forward_add_inplace(ctx, skip, up);  // the sum over the upsampled part
  return up;
}

}  // namespace

SegmentationOriginal::SegmentationOriginal(WeightReader& reader, double scale, int classes)
    : encoder_(reader, "net.", scale, EncoderOptions{false, false}) {
  const LevelChannels& c = encoder_.channels();
  project_level4_ =
      ConvLayer(reader, cbr("proj_L4_C"), conv_params(c[3], c[2], 1), ops::Activation::kPRelu);
  psp_eesp_ = EespUnit(reader, "pspMod.0", 2 * c[2], c[2], 1, kBranches, 7);
  for (int k = 0; k < kPspLevels; ++k)
    psp_stages_.emplace_back(
        reader, ConvKeys{"pspMod.1.stages." + std::to_string(k) + ".conv.weight", "", "", ""},
        conv_params(c[2], c[2], 3, 1, c[2]));
  psp_project_ = ConvLayer(reader, cbr("pspMod.1.project"),
                           conv_params(c[2] * (kPspLevels + 1), c[2], 1), ops::Activation::kPRelu);
  project_l3_ =
      ConvLayer(reader, {"project_l3.1.conv.weight", "", "", ""}, conv_params(c[2], classes, 1));
  act_l3_ =
      BnActivation(reader, "act_l3.bn", classes, ops::Activation::kPRelu, "act_l3.act.weight");
  project_l2_ = ConvLayer(reader, cbr("project_l2"), conv_params(c[1] + classes, classes, 1),
                          ops::Activation::kPRelu);
  project_l1_ = ConvLayer(reader, {"project_l1.1.conv.weight", "", "", ""},
                          conv_params(c[0] + classes, classes, 1));
  psp_project_x_ = psp_project_.input_slice(0, c[2], true, reader);
  for (int k = 0; k < kPspLevels; ++k)
    psp_project_levels_.push_back(
        psp_project_.input_slice((k + 1) * c[2], (k + 2) * c[2], false, reader));
  project_l2_skip_ = project_l2_.input_slice(0, c[1], true, reader);
  project_l2_up_ = project_l2_.input_slice(c[1], c[1] + classes, false, reader);
  project_l1_skip_ = project_l1_.input_slice(0, c[0], true, reader);
  project_l1_up_ = project_l1_.input_slice(c[0], c[0] + classes, false, reader);
}

void SegmentationOriginal::check_input_size(int height, int width) const {
  if (height < 16 || width < 16 || height % 16 || width % 16)
    throw Error("segmentation input " + std::to_string(width) + "x" + std::to_string(height) +
                " (WxH): width and height must be positive multiples of 16");
}

Tensor SegmentationOriginal::psp_module(ExecContext& ctx, const Tensor& x) const {
  ExecContext::Scope scope(ctx, "pspMod.1");
  const int h = static_cast<int>(x.dim(2)), w = static_cast<int>(x.dim(3));
  if (!ctx.upstream_structure()) {
    // project(concat(x, resize(stage_k(pool_k)) ...)) = act(W_x x + sum_k resize(W_k stage_k)):
    // each level's share of the 640 -> 128 projection runs at the level's own (pooled) size.
    Tensor pooled, levels_sum;
    for (int k = 0; k < kPspLevels; ++k) {
      pooled = ops::avg_pool_3x3_s2(ctx, k == 0 ? x : pooled);
      Tensor part = psp_project_levels_[k].forward(ctx, psp_stages_[k].forward(ctx, pooled));
      part = ops::resize_bilinear(ctx, part, h, w);
      if (k == 0)
        levels_sum = std::move(part);
      else
        ops::add_inplace(ctx, levels_sum, part);
    }
    psp_project_x_.forward_add_inplace(ctx, x, levels_sum);  // the sum over the levels' share
    return levels_sum;
  }
  static const char* const kPoolNames[kPspLevels] = {"pool0", "pool1", "pool2", "pool3"};
  static const char* const kStageNames[kPspLevels] = {"stage0", "stage1", "stage2", "stage3"};
  Tensor levels[kPspLevels];
  const Tensor* parts[kPspLevels + 1] = {&x};
  Tensor pooled;
  for (int k = 0; k < kPspLevels; ++k) {
    // A cascade: each level pools the previous one.
    pooled = ops::avg_pool_3x3_s2(ctx, k == 0 ? x : pooled);
    ctx.record(kPoolNames[k], pooled);
    levels[k] = ops::resize_bilinear(ctx, psp_stages_[k].forward(ctx, pooled), h, w);
    ctx.record(kStageNames[k], levels[k]);
    parts[k + 1] = &levels[k];
  }
  Tensor out = psp_project_.forward(ctx, ops::concat_channels(ctx, parts, kPspLevels + 1));
  ctx.record_scope(out);
  return out;
}

void SegmentationOriginal::forward(ExecContext& ctx, const Tensor& input,
                                   std::vector<NamedTensor>& outputs) const {
  EncoderOutputs enc = encoder_.forward(ctx, input);
  Tensor l4 = project_level4_.forward(ctx, enc.level4);
  ctx.record("proj_L4_C", l4);
  Tensor up = upsample2x(ctx, l4);
  Tensor merged;
  {
    ExecContext::Scope scope(ctx, "pspMod.0");
    merged = psp_eesp_.forward(ctx, ops::concat_channels(ctx, {&enc.level3, &up}));
    ctx.record_scope(merged);
  }
  merged = psp_module(ctx, merged);
  Tensor l3 = project_l3_.forward(ctx, merged);
  ctx.record("project_l3", l3);
  act_l3_.apply(ctx, l3);
  ctx.record("act_l3", l3);
  Tensor l2, l1;
  if (!ctx.upstream_structure()) {
    l2 = project_with_upsampled(ctx, project_l2_skip_, project_l2_up_, enc.level2, l3);
    l1 = project_with_upsampled(ctx, project_l1_skip_, project_l1_up_, enc.level1, l2);
  } else {
    up = upsample2x(ctx, l3);
    l2 = project_l2_.forward(ctx, ops::concat_channels(ctx, {&enc.level2, &up}));
    ctx.record("project_l2", l2);
    up = upsample2x(ctx, l2);
    l1 = project_l1_.forward(ctx, ops::concat_channels(ctx, {&enc.level1, &up}));
    ctx.record("project_l1", l1);
  }
  outputs.push_back(segmentation_output(ctx, l1, static_cast<int>(l1.dim(2)) * 2,
                                        static_cast<int>(l1.dim(3)) * 2));
}

}  // namespace espnet
