// ESPNetv2 ImageNet classifier (upstream EESPNet): encoder, global average pool, linear.
#pragma once

#include "layers/lazy_derived.h"
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
  // The same in bf16 pairs (pack_bf16_pointwise_rows), made when a bf16 session first runs.
  LazyDerived<std::vector<uint32_t>> bf16_weight_;
  std::vector<float> bias_;
};

}  // namespace espnet
