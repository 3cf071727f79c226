#include "models/ssd.h"

#include "espnet/error.h"

namespace espnet {
namespace {

const char* const kBottomUpNames[4] = {"bu_3x3_5x5", "bu_5x5_10x10", "bu_10x10_19x19",
                                       "bu_19x19_38x38"};
const std::vector<double> kBottomUpScales[4] = {
    {2.0, 1.0}, {2.0, 1.0, 0.5}, {2.0, 1.0, 0.5, 0.25}, {2.0, 1.0, 0.5, 0.25}};
constexpr int kExtraChannels[3] = {512, 256, 128};  // extra levels 6, 7, 8

ConvKeys cbr(const std::string& p) {
  return {p + ".cbr.0.weight", "", p + ".cbr.1", p + ".cbr.2.weight"};
}

}  // namespace

SsdDetector::SsdDetector(WeightReader& reader, double scale, int classes)
    : encoder_(reader, "base_net.basenet.", scale, EncoderOptions{true, true}), classes_(classes) {
  const LevelChannels& c = encoder_.channels();
  const std::string p = "base_net.";
  extra6_depthwise_ = ConvLayer(reader, cbr(p + "extra_level6.layer.0"),
                                conv_params(c[5], c[5], 3, 2, c[5]), ops::Activation::kPRelu);
  extra6_pointwise_ = ConvLayer(reader, cbr(p + "extra_level6.layer.1"),
                                conv_params(c[5], kExtraChannels[0], 1), ops::Activation::kPRelu);
  extra7_depthwise_ =
      ConvLayer(reader, cbr(p + "extra_level7.layer.0"),
                conv_params(kExtraChannels[0], kExtraChannels[0], 3, 2, kExtraChannels[0]),
                ops::Activation::kPRelu);
  extra7_pointwise_ =
      ConvLayer(reader, cbr(p + "extra_level7.layer.1"),
                conv_params(kExtraChannels[0], kExtraChannels[1], 1), ops::Activation::kPRelu);
  extra8_ = ConvLayer(reader, {p + "extra_level8.1.weight", "", "", ""},
                      conv_params(kExtraChannels[1], kExtraChannels[2], 1), ops::Activation::kRelu);
  // Map widths from fine to coarse: level3, level4, level5 (after its expansion), extras.
  const int widths[kFeatureMaps] = {
      c[2], c[3], c[5], kExtraChannels[0], kExtraChannels[1], kExtraChannels[2]};
  // Each fusion: concat(coarser map resized to the skip's size, skip) -> the skip's width.
  for (int i = 0; i < 4; ++i) {
    const int skip = 3 - i;  // maps 3 (5x5), 2, 1, 0 (38x38)
    const int out = widths[skip];
    bottom_up_[i] = EfficientPyrPool(reader, p + kBottomUpNames[i], out + widths[skip + 1], out / 5,
                                     out, kBottomUpScales[i], true, widths[skip + 1]);
  }
  for (int k = 0; k < kFeatureMaps; ++k) {
    const std::string idx = std::to_string(k);
    loc_heads_[k] =
        PointwiseRowsLayer(reader, "loc_layers." + idx + ".weight", "loc_layers." + idx + ".bias",
                           widths[k], kAnchorsPerCell * 4);
    cls_heads_[k] =
        PointwiseRowsLayer(reader, "cls_layers." + idx + ".weight", "cls_layers." + idx + ".bias",
                           widths[k], kAnchorsPerCell * classes);
  }
}

void SsdDetector::check_input_size(int height, int width) const {
  // Seven stride-2 stages; the bottom-up fusions resize to each skip's own size, so any size
  // from 65 up runs (the priors, though, are only defined for 300 and 512).
  if (height < 65 || width < 65)
    throw Error("detection input " + std::to_string(width) + "x" + std::to_string(height) +
                " is too small (at least 65x65; the SSD priors assume 300x300 or 512x512)");
}

void SsdDetector::forward(ExecContext& ctx, const Tensor& input,
                          std::vector<NamedTensor>& outputs) const {
  EncoderOutputs enc = encoder_.forward(ctx, input);
  Tensor maps[kFeatureMaps];
  maps[0] = std::move(enc.level3);
  maps[1] = std::move(enc.level4);
  maps[2] = std::move(enc.level5);
  maps[3] = extra6_pointwise_.forward(ctx, extra6_depthwise_.forward(ctx, maps[2]));
  ctx.record("extra_level6", maps[3]);
  maps[4] = extra7_pointwise_.forward(ctx, extra7_depthwise_.forward(ctx, maps[3]));
  ctx.record("extra_level7", maps[4]);
  maps[5] = extra8_.forward(ctx, ops::global_avg_pool(ctx, maps[4]));
  ctx.record("extra_level8", maps[5]);
  for (int i = 0; i < 4; ++i) {
    const int skip = 3 - i;
    ExecContext::Scope scope(ctx, kBottomUpNames[i]);
    maps[skip] = bottom_up_[i].forward_upsampled(ctx, maps[skip + 1], maps[skip]);
    ctx.record_scope(maps[skip]);
  }
  int64_t priors = 0;
  for (const Tensor& m : maps) priors += m.dim(2) * m.dim(3) * kAnchorsPerCell;
  const int64_t n = input.dim(0);
  // Every row is written by exactly one head.
  Tensor confidences = Tensor::uninitialized({n, priors, classes_});
  Tensor locations = Tensor::uninitialized({n, priors, 4});
  int64_t offset = 0;
  static const char* const kHeadInputNames[kFeatureMaps] = {
      "head_input0", "head_input1", "head_input2", "head_input3", "head_input4", "head_input5"};
  for (int k = 0; k < kFeatureMaps; ++k) {
    ctx.record(kHeadInputNames[k], maps[k]);
    loc_heads_[k].forward(ctx, maps[k], locations, offset);
    cls_heads_[k].forward(ctx, maps[k], confidences, offset);
    offset += maps[k].dim(2) * maps[k].dim(3) * kAnchorsPerCell;
  }
  outputs.push_back({"confidences", std::move(confidences)});
  outputs.push_back({"locations", std::move(locations)});
}

}  // namespace espnet
