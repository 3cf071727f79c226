// ESPNetv2 ImageNet classifier (upstream EESPNet): encoder, global average pool, linear.
#pragma once

#include "models/espnetv2_encoder.h"
#include "models/network.h"

namespace espnet {

class Classifier : public Network {
 public:
  Classifier(WeightReader& reader, double scale, int classes);
  void check_input_size(int height, int width) const override;
  void forward(ExecContext& ctx, const Tensor& input,
               std::vector<NamedTensor>& outputs) const override;

 private:
  Espnetv2Encoder encoder_;
  Tensor packed_weight_;  // [features][classes rounded up to 16], see pack_pointwise_rows
  std::vector<uint32_t> bf16_weight_;  // the same in bf16 pairs (pack_bf16_pointwise_rows)
  std::vector<float> bias_;
};

}  // namespace espnet
