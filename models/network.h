// A built network: the layers of one ESPNetv2 head with their weights, run on an NCHW batch.
#pragma once

#include <memory>
#include <vector>

#include "espnet/model.h"
#include "espnet/session.h"
#include "exec_context.h"
#include "layers/state_dict.h"

namespace espnet {

class Network {
 public:
  virtual ~Network() = default;
  /// Throws espnet::Error when the network cannot run on an H x W input.
  virtual void check_input_size(int height, int width) const = 0;
  /// Appends the network's outputs to `outputs` (reused across runs, so no allocation once
  /// it has grown).
  virtual void forward(ExecContext& ctx, const Tensor& input,
                       std::vector<NamedTensor>& outputs) const = 0;
};

/// A segmentation network's output from its logits before the final upsampling to the input's
/// height x width: "output" (the upsampled logits) or, when ctx.segmentation_labels, "labels"
/// (the upsampling and the argmax fused, see RunOutputs::kLabels).
NamedTensor segmentation_output(ExecContext& ctx, const Tensor& logits, int height, int width);

/// Builds the network `info` describes from `weights`; every tensor must be used and match.
std::unique_ptr<Network> build_network(const ModelInfo& info, const StateDict& weights);

/// The same from a reader (in synthesis mode it makes the weights up).
std::unique_ptr<Network> build_network(const ModelInfo& info, WeightReader& reader);

/// Infers family, task, scale, classes and dataset from the tensor names and shapes.
ModelInfo infer_model_info(const StateDict& weights);

/// Upstream model_parameters: every tensor but BatchNorm running statistics.
int64_t count_parameters(const StateDict& weights);

}  // namespace espnet
