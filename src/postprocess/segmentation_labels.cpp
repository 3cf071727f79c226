#include "postprocess/segmentation_labels.h"

#include "espnet/error.h"
#include "kernels/reduce_kernels.h"

namespace espnet {

std::vector<uint8_t> argmax_labels(const Tensor& logits, int64_t batch_index) {
  if (logits.rank() != 4 || logits.dim(1) < 1 || logits.dim(1) > 256)
    throw Error("argmax_labels: expected logits [N, C <= 256, H, W], got " +
                shape_to_string(logits.shape()));
  if (batch_index < 0 || batch_index >= logits.dim(0))
    throw Error("argmax_labels: bad batch index");
  const int64_t classes = logits.dim(1), plane = logits.dim(2) * logits.dim(3);
  std::vector<uint8_t> labels(static_cast<size_t>(plane), 0);
  argmax_channels_f32(logits.data() + batch_index * classes * plane, static_cast<int>(classes),
                      plane, labels.data());
  return labels;
}

std::vector<uint8_t> labels_from_tensor(const Tensor& labels, int64_t batch_index) {
  if (labels.rank() != 4 || labels.dim(1) != 1)
    throw Error("labels_from_tensor: expected labels [N, 1, H, W], got " +
                shape_to_string(labels.shape()));
  if (batch_index < 0 || batch_index >= labels.dim(0))
    throw Error("labels_from_tensor: bad batch index");
  const int64_t plane = labels.dim(2) * labels.dim(3);
  const float* values = labels.data() + batch_index * plane;
  std::vector<uint8_t> out(static_cast<size_t>(plane));
  bool valid = true;
  for (int64_t i = 0; i < plane; ++i) {
    const float v = values[i];
    valid = valid && v >= 0.0f && v <= 255.0f;  // false for NaN too
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(valid ? v : 0.0f);
  }
  if (!valid) throw Error("labels_from_tensor: a label outside 0..255");
  return out;
}

std::vector<int64_t> label_histogram(const std::vector<uint8_t>& labels, int classes) {
  std::vector<int64_t> counts(static_cast<size_t>(classes > 0 ? classes : 0), 0);
  for (uint8_t l : labels)
    if (l < counts.size()) ++counts[l];
  return counts;
}

}  // namespace espnet
