#include "layers/pointwise_rows_layer.h"

#include "kernels/bf16_kernels.h"
#include "kernels/conv_kernels.h"

namespace espnet {

std::vector<uint32_t> bf16_pairs_from_rows(const Tensor& packed_rows, int out_channels) {
  const int in_channels = int(packed_rows.dim(0));
  std::vector<uint32_t> pairs(size_t(bf16_pairs(in_channels)) *
                              size_t(pointwise_rows_stride(out_channels)));
  pack_bf16_pointwise_rows_from_rows(packed_rows.data(), in_channels, out_channels, pairs.data());
  return pairs;
}

PointwiseRowsLayer::PointwiseRowsLayer(WeightReader& reader, const std::string& weight_key,
                                       const std::string& bias_key, int in_channels,
                                       int out_channels)
    : out_channels_(out_channels) {
  packed_ = reader.packed_tensor(
      weight_key + "@rows", {in_channels, pointwise_rows_stride(out_channels)}, [&] {
        const FloatSpan weight = reader.take(weight_key, {out_channels, in_channels, 1, 1});
        Tensor packed = Tensor::uninitialized({in_channels, pointwise_rows_stride(out_channels)});
        pack_pointwise_rows(weight.data(), in_channels, out_channels, packed.data());
        return packed;
      });
  bias_ = reader.packed_values(bias_key + "@values", out_channels,
                               [&] { return reader.take(bias_key, {out_channels}).to_vector(); });
}

void PointwiseRowsLayer::forward(ExecContext& ctx, const Tensor& x, Tensor& out,
                                 int64_t first_row) const {
  const uint32_t* bf16 = nullptr;
  if (ctx.bf16)
    bf16 = bf16_packed_.get([&] { return bf16_pairs_from_rows(packed_, out_channels_); }).data();
  ops::conv1x1_rows(ctx, x, out_channels_, packed_, bias_, true, out, first_row, bf16);
}

}  // namespace espnet
