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

std::vector<int64_t> label_histogram(const std::vector<uint8_t>& labels, int classes) {
  std::vector<int64_t> counts(static_cast<size_t>(classes > 0 ? classes : 0), 0);
  for (uint8_t l : labels)
    if (l < counts.size()) ++counts[l];
  return counts;
}

}  // namespace espnet
