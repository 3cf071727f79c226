// Shared by the checkpoint and model-file fuzz targets: whatever weights a file yields go through
// the model-building path (build_network) and a shape-only forward pass, as Model::load would.
#pragma once

#include "espnet/error.h"
#include "espnet/model.h"
#include "espnet/session.h"
#include "exec_context.h"
#include "layers/state_dict.h"
#include "models/network.h"

namespace espnet::fuzz {

// `reader` serves a state dict or the packed arrays of a converted file.
inline void build_and_plan(ModelInfo info, WeightReader& reader) {
  if (info.task == Task::kDetection && info.input_size == 0) info.input_size = 300;
  std::unique_ptr<Network> network = build_network(info, reader);
  const int size = info.task == Task::kDetection ? info.input_size : 64;
  network->check_input_size(size, size);
  ExecContext ctx;
  ctx.shape_only = true;  // plans every layer without computing it: cheap
  Tensor input({1, 3, size, size});
  std::vector<NamedTensor> outputs;
  network->forward(ctx, input, outputs);
}

inline void build_and_plan(const ModelInfo& info, const StateDict& weights) {
  WeightReader reader(weights);
  build_and_plan(info, reader);
}

}  // namespace espnet::fuzz
