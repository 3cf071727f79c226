#include "models/classifier.h"

#include "espnet/error.h"
#include "kernels/bf16_kernels.h"
#include "kernels/conv_kernels.h"
#include "layers/pointwise_rows_layer.h"

namespace espnet {

Classifier::Classifier(WeightReader& reader, double scale, int classes)
    : encoder_(reader, "", scale, EncoderOptions{true, false}) {
  const int features = encoder_.channels()[5];
  packed_weight_ = reader.packed_tensor(
      "classifier.weight@rows", {features, pointwise_rows_stride(classes)}, [&] {
        const FloatSpan weight = reader.take("classifier.weight", {classes, features});
        Tensor packed = Tensor::uninitialized({features, pointwise_rows_stride(classes)});
        pack_pointwise_rows(weight.data(), features, classes, packed.data());
        return packed;
      });
  bias_ = reader.packed_values("classifier.bias@values", classes, [&] {
    return reader.take("classifier.bias", {classes}).to_vector();
  });
}

void Classifier::check_input_size(int height, int width) const {
  // Every stride-2 stage maps n to ceil(n / 2), so any size >= 1 runs.
  if (height < 1 || width < 1) throw Error("input size must be at least 1x1");
}

void Classifier::forward(ExecContext& ctx, const Tensor& input,
                         std::vector<NamedTensor>& outputs) const {
  EncoderOutputs features = encoder_.forward(ctx, input);
  Tensor pooled = ops::global_avg_pool(ctx, features.level5);
  ctx.record("pooled", pooled);
  const int classes = static_cast<int>(bias_.size());
  const uint32_t* bf16 = nullptr;
  if (ctx.bf16)
    bf16 = bf16_weight_.get([&] { return bf16_pairs_from_rows(packed_weight_, classes); }).data();
  Tensor logits = ops::linear(ctx, pooled, classes, packed_weight_, bias_, bf16);
  ctx.record("logits", logits);
  outputs.push_back({"logits", std::move(logits)});
}

}  // namespace espnet
