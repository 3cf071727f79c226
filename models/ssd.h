// EdgeNets' SSD300 / SSD512 with an ESPNetv2 backbone (ESPNetv2SSD): the whole classification
// base with the image shortcut into level5_0 too, extra levels 6-8, bottom-up EfficientPyrPool
// fusions from the coarsest map to the finest, and 1x1 location and class heads on six maps.
#pragma once

#include "layers/efficient_pyr_pool.h"
#include "layers/pointwise_rows_layer.h"
#include "models/espnetv2_encoder.h"
#include "models/network.h"

namespace espnet {

class SsdDetector : public Network {
 public:
  SsdDetector(WeightReader& reader, double scale, int classes);
  void check_input_size(int height, int width) const override;
  void forward(ExecContext& ctx, const Tensor& input,
               std::vector<NamedTensor>& outputs) const override;

  static constexpr int kAnchorsPerCell = 6;
  static constexpr int kFeatureMaps = 6;

 private:
  Espnetv2Encoder encoder_;
  int classes_;
  ConvLayer extra6_depthwise_, extra6_pointwise_;  // extra_level6.layer.{0,1}
  ConvLayer extra7_depthwise_, extra7_pointwise_;  // extra_level7.layer.{0,1}
  ConvLayer extra8_;                               // extra_level8.1 after a global pool, then ReLU
  EfficientPyrPool bottom_up_[4];  // bu_3x3_5x5, bu_5x5_10x10, bu_10x10_19x19, bu_19x19_38x38
  // Written straight into the flattened locations / confidences (one row per prior).
  PointwiseRowsLayer loc_heads_[kFeatureMaps], cls_heads_[kFeatureMaps];
};

}  // namespace espnet
