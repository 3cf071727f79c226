// classify() and segment() of espnet/tasks.h in their parts, so that a folder run can prepare the
// next photo and finish the previous one on other threads while the network runs on the current
// one (tools/cmd_classify.cpp, cmd_segment.cpp, cmd_eval.cpp). The task calls are exactly
// finish(prepare(photo), session.run(prepared.input)).
#pragma once

#include <cstdint>
#include <vector>

#include "espnet/tasks.h"
#include "image/preprocess.h"

namespace espnet {

/// A photo made ready for the network.
struct PreparedPhoto {
  Tensor input;  ///< [1, 3, network_height, network_width]
  int photo_width = 0, photo_height = 0;
  int network_width = 0, network_height = 0;
  double preprocess_ms = 0;
};

/// The ImageNet evaluation preprocessing of classify(), on up to `threads` threads. Throws
/// espnet::Error as classify().
PreparedPhoto prepare_classification(const Model& model, const Image& rgb, int threads = 1);
/// Softmax top-k of the network's logits, named. Throws espnet::Error on a logits size mismatch.
std::vector<ClassScore> finish_classification(const Model& model, const Tensor& logits, int top_k);

/// The network size segment() runs this photo at (the demo's policy, the max_side cap, or the
/// options' fixed size), checked. Throws espnet::Error on a bad option or size.
NetworkSize segmentation_network_size(const Model& model, const Image& rgb,
                                      const SegmentOptions& options);
/// The preprocessing of segment() (size choice and checks included), on up to `threads` threads.
PreparedPhoto prepare_segmentation(const Model& model, const Image& rgb,
                                   const SegmentOptions& options, int threads = 1);
/// The label map at the network's size from a run's outputs: its "labels" (RunOutputs::kLabels,
/// the argmax made by the run) or the argmax of its "output" logits (first maximum wins). Cheap
/// to keep, unlike the outputs, which the session overwrites on its next run.
std::vector<uint8_t> segmentation_network_labels(const std::vector<NamedTensor>& outputs);
/// The result from the network-size labels: labels back at the photo's size (PIL nearest), class
/// shares. `logits` (may be empty) is stored in the result as it is.
SegmentationResult finish_segmentation(const Model& model, const PreparedPhoto& prepared,
                                       std::vector<uint8_t> network_labels, Tensor logits = {});

}  // namespace espnet
