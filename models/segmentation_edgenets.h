// EdgeNets' ESPNetv2Segmentation: the encoder's levels 1-4, a bottom-up decoder of
// EfficientPyrPool blocks merged with the encoder maps through EfficientPWConv gates, and a final
// bilinear resize to the input size. PASCAL VOC (21 classes) and Cityscapes (20).
#pragma once

#include "layers/efficient_pyr_pool.h"
#include "models/espnetv2_encoder.h"
#include "models/network.h"

namespace espnet {

class SegmentationEdgeNets : public Network {
 public:
  SegmentationEdgeNets(WeightReader& reader, double scale, int classes);
  void check_input_size(int height, int width) const override;
  void forward(ExecContext& ctx, const Tensor& input,
               std::vector<NamedTensor>& outputs) const override;

 private:
  Espnetv2Encoder encoder_;
  EfficientPyrPool decoder_[4];                                        // bu_dec_l1 .. bu_dec_l4
  EfficientPwConv merge_[3];                                           // merge_enc_dec_l2 .. l4
  BnActivation merge_bn_[3];                                           // bu_br_l2 .. l4
  std::string decoder_names_[4], merge_names_[3], merge_bn_names_[3];  // upstream module paths
};

}  // namespace espnet
