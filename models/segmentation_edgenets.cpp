#include "models/segmentation_edgenets.h"

#include <algorithm>

#include "espnet/error.h"

namespace espnet {
namespace {

// Upstream decoder widths: base 16 for PASCAL and Cityscapes (32 for COCO, not published).
constexpr int kBaseDecoderPlanes = 16;
const std::vector<double> kPyramidScales = {2.0, 1.5, 1.0, 0.5, 0.1};

}  // namespace

SegmentationEdgeNets::SegmentationEdgeNets(WeightReader& reader, double scale, int classes)
    : encoder_(reader, "base_net.", scale, EncoderOptions{false, false}) {
  const LevelChannels& c = encoder_.channels();
  const int b = kBaseDecoderPlanes;
  const int dec[4] = {4 * b, 3 * b, 2 * b, classes};
  const int proj = std::min(classes / 2, b);
  decoder_[0] = EfficientPyrPool(reader, "bu_dec_l1", c[3], proj, dec[0], kPyramidScales, true);
  decoder_[1] = EfficientPyrPool(reader, "bu_dec_l2", dec[0], proj, dec[1], kPyramidScales, true);
  decoder_[2] = EfficientPyrPool(reader, "bu_dec_l3", dec[1], proj, dec[2], kPyramidScales, true);
  decoder_[3] = EfficientPyrPool(reader, "bu_dec_l4", dec[2], proj, dec[3], kPyramidScales, false);
  for (int i = 0; i < 4; ++i) decoder_names_[i] = "bu_dec_l" + std::to_string(i + 1);
  for (int i = 0; i < 3; ++i) {
    const std::string level = std::to_string(i + 2);
    merge_names_[i] = "merge_enc_dec_l" + level;
    merge_bn_names_[i] = "bu_br_l" + level;
    merge_[i] = EfficientPwConv(reader, "merge_enc_dec_l" + level, c[2 - i], dec[i]);
    merge_bn_[i] = BnActivation(reader, "bu_br_l" + level + ".0", dec[i], ops::Activation::kPRelu,
                                "bu_br_l" + level + ".1.weight");
  }
}

void SegmentationEdgeNets::check_input_size(int height, int width) const {
  // Four stride-2 stages map n to ceil(n / 2) and the decoder doubles back exactly: only
  // multiples of 16 make the skip connections line up (upstream fails on the others too).
  if (height < 16 || width < 16 || height % 16 || width % 16)
    throw Error("segmentation input " + std::to_string(width) + "x" + std::to_string(height) +
                " (WxH): width and height must be positive multiples of 16");
}

void SegmentationEdgeNets::forward(ExecContext& ctx, const Tensor& input,
                                   std::vector<NamedTensor>& outputs) const {
  EncoderOutputs enc = encoder_.forward(ctx, input);
  // Every encoder map and decoder input is let go as soon as it has been read, so that the
  // full-resolution stages do not run with all the coarser ones still held (at 2048x1024 the
  // largest live set drops from 524 to 220 MB).
  Tensor* skips[3] = {&enc.level3, &enc.level2, &enc.level1};
  Tensor x;
  {
    ExecContext::Scope scope(ctx, decoder_names_[0]);
    x = decoder_[0].forward(ctx, std::move(enc.level4));
    ctx.record_scope(x);
  }
  for (int i = 0; i < 3; ++i) {
    // The skip's branch first, while the decoder's map is still at half its size: the skip, its
    // branch and the upsampled map are never alive together (Cityscapes s=1.0's largest set).
    Tensor merged;
    {
      ExecContext::Scope scope(ctx, merge_names_[i]);
      merged = merge_[i].forward(ctx, *skips[i]);
      *skips[i] = Tensor();
      ctx.record_scope(merged);
    }
    x = ops::resize_bilinear(ctx, x, static_cast<int>(x.dim(2)) * 2,
                             static_cast<int>(x.dim(3)) * 2);
    ops::add_inplace(ctx, x, merged);
    merged = Tensor();
    merge_bn_[i].apply(ctx, x);
    ctx.record(merge_bn_names_[i], x);
    ExecContext::Scope scope(ctx, decoder_names_[i + 1]);
    x = decoder_[i + 1].forward(ctx, std::move(x));
    ctx.record_scope(x);
  }
  outputs.push_back(
      segmentation_output(ctx, x, static_cast<int>(input.dim(2)), static_cast<int>(input.dim(3))));
}

}  // namespace espnet
