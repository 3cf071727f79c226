#include "espnet/model.h"

#include <cstring>
#include <sstream>

#include "espnet/error.h"
#include "file_util.h"
#include "checkpoint/pth_reader.h"
#include "model_file/model_file.h"
#include "models/network.h"
#include "model_config_text.h"

namespace espnet {

struct ModelData {
  ModelInfo info;
  StateDict weights;  // as loaded (unfolded), kept for save()
  std::unique_ptr<Network> network;
};

Model::Model() : data_(std::make_unique<ModelData>()) {}
Model::~Model() = default;

const ModelInfo& Model::info() const { return data_->info; }
const Network& Model::network() const { return *data_->network; }

std::shared_ptr<const Model> Model::load(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  std::shared_ptr<Model> model(new Model());
  ModelData& d = *model->data_;
  if (looks_like_model_file(bytes.data(), bytes.size())) {
    ModelFileContents contents = parse_model_file(bytes.data(), bytes.size(), path);
    bytes.clear();
    for (ModelFileTensor& t : contents.tensors)
      d.weights.add(t.name, std::move(t.shape), std::move(t.values));
    d.info = model_info_from_text(contents.config, path);
    d.info.params = count_parameters(d.weights);
  } else if (looks_like_pth(bytes.data(), bytes.size())) {
    Checkpoint checkpoint = parse_pth(bytes.data(), bytes.size(), path);
    bytes.clear();
    for (CheckpointTensor& t : checkpoint.tensors)
      d.weights.add(t.name, std::move(t.shape), std::move(t.values));
    try {
      d.info = infer_model_info(d.weights);
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
  } else {
    throw Error(path + ": not a PyTorch checkpoint (.pth) or an espnet model file");
  }
  try {
    d.network = build_network(d.info, d.weights);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return model;
}

void Model::check_input_size(int height, int width) const {
  data_->network->check_input_size(height, width);
}

double Model::conv_mmacs(int height, int width) const {
  check_input_size(height, width);
  ExecContext ctx;
  ctx.shape_only = true;
  Tensor input({1, 3, height, width});
  data_->network->forward(ctx, input);
  return ctx.conv_macs / 1e6;
}

std::vector<LayerSummary> Model::layer_summary(int height, int width) const {
  check_input_size(height, width);
  std::vector<LayerSummary> layers;
  ExecContext ctx;
  ctx.shape_only = true;
  ctx.layer_log = &layers;
  Tensor input({1, 3, height, width});
  data_->network->forward(ctx, input);
  return layers;
}

void Model::save(const std::string& path) const {
  ModelFileContents contents;
  contents.config = model_info_to_text(data_->info);
  for (const auto& kv : data_->weights.tensors())
    contents.tensors.push_back({kv.first, kv.second.shape, kv.second.values});
  write_model_file(path, contents);
}

}  // namespace espnet
