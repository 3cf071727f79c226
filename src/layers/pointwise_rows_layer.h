// A point-wise convolution with a bias whose output goes straight into rows of a flattened
// [N, rows, width] tensor (ops::conv1x1_rows): SSD's location and confidence heads. The weight is
// transposed and padded for the kernel once, at load.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec_context.h"
#include "layers/lazy_derived.h"
#include "layers/state_dict.h"
#include "ops.h"

namespace espnet {

/// A weight packed by pack_pointwise_rows ([in][pointwise_rows_stride(out)]) in bf16 pairs
/// (pack_bf16_pointwise_rows): what a converted file does not store, derived when needed.
std::vector<uint32_t> bf16_pairs_from_rows(const Tensor& packed_rows, int out_channels);

class PointwiseRowsLayer {
 public:
  PointwiseRowsLayer() = default;
  /// Loads `weight_key` [out, in, 1, 1] and `bias_key` [out] (the bias is required).
  PointwiseRowsLayer(WeightReader& reader, const std::string& weight_key,
                     const std::string& bias_key, int in_channels, int out_channels);

  /// Writes the convolution of `x` [N, in, H, W] into `out` from row `first_row` on.
  void forward(ExecContext& ctx, const Tensor& x, Tensor& out, int64_t first_row) const;
  int out_channels() const { return out_channels_; }

 private:
  int out_channels_ = 0;
  Tensor packed_;  // [in][pointwise_rows_stride(out)]
  // The same in bf16 pairs (pack_bf16_pointwise_rows), made when a bf16 session first runs.
  LazyDerived<std::vector<uint32_t>> bf16_packed_;
  std::vector<float> bias_;
};

}  // namespace espnet
