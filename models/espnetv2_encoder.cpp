#include "models/espnetv2_encoder.h"

#include "models/scale_table.h"

namespace espnet {
namespace {

// Runs one named stage: "level3.1" etc. Its intermediates are traced under that scope, its
// output under the scope's own name.
template <typename Fn>
Tensor run_stage(ExecContext& ctx, const std::string& name, Fn&& fn) {
  ExecContext::Scope scope(ctx, name);
  Tensor out = fn();
  ctx.record_scope(out);
  return out;
}

}  // namespace

Espnetv2Encoder::Espnetv2Encoder(WeightReader& reader, const std::string& prefix, double scale,
                                 const EncoderOptions& options)
    : channels_(level_channels(scale)), options_(options) {
  const LevelChannels& c = channels_;
  const std::string& p = prefix;
  const auto& r = kReceptiveLimits;
  level1_ =
      ConvLayer(reader, {p + "level1.conv.weight", "", p + "level1.bn", p + "level1.act.weight"},
                conv_params(3, c[0], 3, 2), ops::Activation::kPRelu);
  level2_0_ = DownSampler(reader, p + "level2_0", c[0], c[1], kBranches, r[0], true);
  level3_0_ = DownSampler(reader, p + "level3_0", c[1], c[2], kBranches, r[1], true);
  for (int i = 0; i < kLevelRepetitions[1]; ++i) {
    level3_names_.push_back("level3." + std::to_string(i));
    level3_.emplace_back(reader, p + level3_names_.back(), c[2], c[2], 1, kBranches, r[2]);
  }
  level4_0_ = DownSampler(reader, p + "level4_0", c[2], c[3], kBranches, r[2], true);
  for (int i = 0; i < kLevelRepetitions[2]; ++i) {
    level4_names_.push_back("level4." + std::to_string(i));
    level4_.emplace_back(reader, p + level4_names_.back(), c[3], c[3], 1, kBranches, r[3]);
  }
  if (!options.with_level5) return;
  level5_0_ = DownSampler(reader, p + "level5_0", c[3], c[4], kBranches, r[3],
                          options.level5_image_shortcut);
  for (int i = 0; i < kLevelRepetitions[3]; ++i) {
    level5_names_.push_back("level5." + std::to_string(i));
    level5_.emplace_back(reader, p + level5_names_.back(), c[4], c[4], 1, kBranches, r[4]);
  }
  const int n = kLevelRepetitions[3];
  level5_names_.push_back("level5." + std::to_string(n));
  level5_names_.push_back("level5." + std::to_string(n + 1));
  const std::string d = p + "level5." + std::to_string(n),
                    e = p + "level5." + std::to_string(n + 1);
  level5_depthwise_ = ConvLayer(reader, {d + ".conv.weight", "", d + ".bn", d + ".act.weight"},
                                conv_params(c[4], c[4], 3, 1, c[4]), ops::Activation::kPRelu);
  level5_expand_ = ConvLayer(reader, {e + ".conv.weight", "", e + ".bn", e + ".act.weight"},
                             conv_params(c[4], c[5], 1, 1, kBranches), ops::Activation::kPRelu);
}

EncoderOutputs Espnetv2Encoder::forward(ExecContext& ctx, const Tensor& image) const {
  ImagePyramid pyramid(image);
  EncoderOutputs out;
  out.level1 = run_stage(ctx, "level1", [&] { return level1_.forward(ctx, image); });
  out.level2 =
      run_stage(ctx, "level2_0", [&] { return level2_0_.forward(ctx, out.level1, &pyramid); });
  Tensor x =
      run_stage(ctx, "level3_0", [&] { return level3_0_.forward(ctx, out.level2, &pyramid); });
  for (size_t i = 0; i < level3_.size(); ++i)
    x = run_stage(ctx, level3_names_[i], [&] { return level3_[i].forward(ctx, std::move(x)); });
  out.level3 = std::move(x);
  x = run_stage(ctx, "level4_0", [&] { return level4_0_.forward(ctx, out.level3, &pyramid); });
  for (size_t i = 0; i < level4_.size(); ++i)
    x = run_stage(ctx, level4_names_[i], [&] { return level4_[i].forward(ctx, std::move(x)); });
  out.level4 = std::move(x);
  if (!options_.with_level5) return out;
  x = run_stage(ctx, "level5_0", [&] {
    return level5_0_.forward(ctx, out.level4, options_.level5_image_shortcut ? &pyramid : nullptr);
  });
  for (size_t i = 0; i < level5_.size(); ++i)
    x = run_stage(ctx, level5_names_[i], [&] { return level5_[i].forward(ctx, std::move(x)); });
  const size_t n = level5_.size();
  x = run_stage(ctx, level5_names_[n], [&] { return level5_depthwise_.forward(ctx, x); });
  x = run_stage(ctx, level5_names_[n + 1], [&] { return level5_expand_.forward(ctx, x); });
  out.level5 = std::move(x);
  return out;
}

}  // namespace espnet
