// From segmentation logits to label maps: argmax over classes (first maximum wins, as
// torch.argmax) and the share of each class.
#pragma once

#include <cstdint>
#include <vector>

#include "espnet/tensor.h"

namespace espnet {

/// Labels [H, W] of image `batch_index` of logits [N, C, H, W]; C must be <= 256.
std::vector<uint8_t> argmax_labels(const Tensor& logits, int64_t batch_index = 0);

/// Labels [H, W] of image `batch_index` of a label tensor [N, 1, H, W] (RunOutputs::kLabels:
/// class indices 0..255 held as floats). Throws espnet::Error on another shape or value.
std::vector<uint8_t> labels_from_tensor(const Tensor& labels, int64_t batch_index = 0);

/// Pixel count of each label value 0..classes-1.
std::vector<int64_t> label_histogram(const std::vector<uint8_t>& labels, int classes);

}  // namespace espnet
