// The original ESPNetv2 repository's segmentation network (EESPNet_Seg): the encoder's levels
// 1-4 under "net.", a PSP-style decoder on level 3 and 1x1 projections merging levels 2 and 1,
// each step up by an exact x2 bilinear resize. Cityscapes (20 classes).
#pragma once

#include "layers/eesp.h"
#include "models/espnetv2_encoder.h"
#include "models/network.h"

namespace espnet {

class SegmentationOriginal : public Network {
 public:
  SegmentationOriginal(WeightReader& reader, double scale, int classes);
  void check_input_size(int height, int width) const override;
  void forward(ExecContext& ctx, const Tensor& input,
               std::vector<NamedTensor>& outputs) const override;

 private:
  Tensor psp_module(ExecContext& ctx, const Tensor& x) const;

  Espnetv2Encoder encoder_;
  ConvLayer project_level4_;           // proj_L4_C: 1x1 CBR C4 -> C3
  EespUnit psp_eesp_;                  // pspMod.0: 2*C3 -> C3
  std::vector<ConvLayer> psp_stages_;  // pspMod.1.stages.K: depth-wise 3x3, no BN
  ConvLayer psp_project_;              // pspMod.1.project: 1x1 CBR 5*C3 -> C3
  ConvLayer project_l3_;               // project_l3.1: 1x1 conv C3 -> classes
  BnActivation act_l3_;                // act_l3: BN + PReLU
  ConvLayer project_l2_;               // 1x1 CBR C2 + classes -> classes
  ConvLayer project_l1_;               // project_l1.1: 1x1 conv C1 + classes -> classes
  // Untraced runs: the 1x1 projections over concatenations split by input (ConvLayer::
  // input_slice), so each part runs at its own resolution and no concatenation is built.
  ConvLayer psp_project_x_;                    // on pspMod.1's input, with the BN and PReLU
  std::vector<ConvLayer> psp_project_levels_;  // on each pyramid level, before its resize
  ConvLayer project_l2_skip_, project_l2_up_;  // on level 2 / on the half-size l3
  ConvLayer project_l1_skip_, project_l1_up_;  // on level 1 / on the half-size l2
};

}  // namespace espnet
