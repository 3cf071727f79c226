#include "espnet/model.h"

#include <cctype>
#include <cstring>
#include <set>
#include <sstream>
#include <unordered_map>

#include "checkpoint/pth_reader.h"
#include "espnet/error.h"
#include "file_util.h"
#include "mapped_file.h"
#include "model_access.h"
#include "model_config_text.h"
#include "model_file/model_file.h"
#include "models/network.h"
#include "quant/int8_arrays.h"
#include "quant/quant_text.h"

namespace espnet {

struct ModelData {
  ModelInfo info;
  // Where the weights came from, kept for save(): a state dict (from a .pth, a state-dict model
  // file or synthesised), or the packed arrays of a converted file, which the layers use in place
  // inside the mapped file (declared before the network, so destroyed after it).
  std::shared_ptr<const MappedFile> checkpoint_file;  // a .pth whose storages `weights` borrows
  StateDict weights;
  std::shared_ptr<const MappedFile> file;
  PackedSource packed;
  std::vector<std::string> packed_order;  // the file's order, so that save() rewrites it as is
  std::unique_ptr<Network> network;
  // A quantized model made by quantize() shares the network and weights of `base`.
  std::shared_ptr<const Model> base;
  std::unique_ptr<Quantization> quantization;
  std::vector<Int8Layer> int8_layers;  // one per plan entry
  QuantIndex quant_index;              // into `quantization` and `int8_layers`

  void index_quantization() {
    quant_index.clear();
    for (size_t i = 0; i < quantization->layers.size(); ++i)
      quant_index.emplace(quantization->layers[i].layer,
                          QuantEntry{&quantization->layers[i], &int8_layers[i]});
  }
};

Model::Model() : data_(std::make_unique<ModelData>()) {}
Model::~Model() = default;

const ModelInfo& Model::info() const {
  return data_->info;
}
const Network& Model::network() const {
  return data_->base ? data_->base->network() : *data_->network;
}

const Quantization* Model::quantization() const {
  return data_->quantization.get();
}

std::shared_ptr<Model> ModelAccess::with_quantization(std::shared_ptr<const Model> base,
                                                      Quantization quantization,
                                                      std::vector<Int8Layer> layers) {
  if (!base) throw Error("with_quantization: no model");
  if (layers.size() != quantization.layers.size())
    throw Error("with_quantization: " + std::to_string(layers.size()) + " int8 layers for " +
                std::to_string(quantization.layers.size()) + " plan entries");
  std::shared_ptr<Model> model(new Model());
  ModelData& d = *model->data_;
  d.info = base->info();
  d.base = base->data_->base ? base->data_->base : std::move(base);
  d.quantization = std::make_unique<Quantization>(std::move(quantization));
  d.int8_layers = std::move(layers);
  d.index_quantization();
  return model;
}

Quantization* ModelAccess::mutable_quantization(Model& model) {
  return model.data_->quantization.get();
}

const QuantIndex* ModelAccess::quant_index(const Model& model) {
  return model.data_->quantization ? &model.data_->quant_index : nullptr;
}

namespace {

// SSD300 and SSD512 checkpoints hold the same tensors; the input size (which fixes the priors)
// comes from the caller, our model file, or the upstream file naming.
int detection_size_from_name(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool has300 = name.find("ssd300") != std::string::npos;
  const bool has512 = name.find("ssd512") != std::string::npos;
  return has300 == has512 ? 0 : has300 ? 300 : 512;
}

}  // namespace

std::shared_ptr<const Model> Model::load(const std::string& path, const LoadOptions& options) {
  if (options.detection_input_size != 0 && options.detection_input_size != 300 &&
      options.detection_input_size != 512)
    throw Error("SSD input size must be 300 or 512, got " +
                std::to_string(options.detection_input_size));
  // Mapped, not read: a converted file's packed arrays are used where they lie.
  std::shared_ptr<const MappedFile> file = MappedFile::open(path);
  const uint8_t* bytes = file->data();
  const size_t size = file->size();
  std::shared_ptr<Model> model(new Model());
  ModelData& d = *model->data_;
  bool packed = false;
  // A quantized file's plan and int8 arrays, attached once the fp32 network is built.
  std::unique_ptr<Quantization> plan;
  std::unordered_map<std::string, ModelFileTensorView> int8_arrays;
  if (looks_like_model_file(bytes, size)) {
    ModelFileView view = parse_model_file_view(bytes, size, path);
    d.info = model_info_from_text(view.config, path);
    packed = packed_weights_from_text(view.config, path, &d.info.params);
    plan = quantization_from_text(view.config, path);
    if (plan && !packed)
      throw Error(path + ": an int8 plan needs a file of packed weights (espnet quantize)");
    std::vector<ModelFileTensorView> fp32_arrays;
    for (ModelFileTensorView& t : view.tensors) {
      if (plan && is_int8_array_name(t.name)) {
        std::string name = t.name;
        int8_arrays.emplace(std::move(name), std::move(t));
      } else if (t.dtype != ModelFileDType::kFloat32) {
        throw Error(path + ": tensor '" + t.name + "' is not float32 and belongs to no int8 layer");
      } else {
        fp32_arrays.push_back(std::move(t));
      }
    }
    view.tensors = std::move(fp32_arrays);
    if (packed) {
      for (ModelFileTensorView& t : view.tensors) {
        d.packed_order.push_back(t.name);
        d.packed.emplace(std::move(t.name), PackedTensorView{std::move(t.shape), t.data});
      }
      d.file = std::move(file);
    } else {
      // A state dict under PyTorch's names (hand-made files, tests): copied, folded below.
      for (ModelFileTensorView& t : view.tensors)
        d.weights.add(t.name, std::move(t.shape), std::vector<float>(t.data, t.data + t.numel));
      d.info.params = count_parameters(d.weights);
    }
  } else if (looks_like_pth(bytes, size)) {
    // float32 storages are read where they lie in the mapped file, which the model keeps.
    d.weights = state_dict_from_checkpoint(parse_pth(bytes, size, path, true));
    d.checkpoint_file = std::move(file);
    try {
      d.info = infer_model_info(d.weights);
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
  } else {
    throw Error(path + ": not a PyTorch checkpoint (.pth) or an espnet model file");
  }
  if (d.info.task == Task::kDetection) {
    if (options.detection_input_size) d.info.input_size = options.detection_input_size;
    if (!d.info.input_size) d.info.input_size = detection_size_from_name(path);
    if (!d.info.input_size)
      throw Error(path +
                  ": cannot tell whether this SSD checkpoint is SSD300 or SSD512; pass the "
                  "input size (--input-size 300|512)");
  } else if (options.detection_input_size) {
    throw Error(path + ": an SSD input size was given for a " + task_name(d.info.task) + " model");
  }
  try {
    if (packed) {
      WeightReader reader(d.packed);
      d.network = build_network(d.info, reader);
    } else {
      d.network = build_network(d.info, d.weights);
    }
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  if (!plan) return model;
  std::vector<Int8Layer> layers = int8_layers_from_arrays(*plan, int8_arrays, path);
  std::shared_ptr<Model> quantized =
      ModelAccess::with_quantization(std::move(model), std::move(*plan), std::move(layers));
  quantized->check_quantization(path);
  return quantized;
}

void Model::check_quantization(const std::string& file) const {
  // A shape-only run lists the network's quantizable layers and checks that every int8 form
  // fits its layer; a plan entry naming no such layer is a file for another network.
  const ModelInfo& i = data_->info;
  const int size = i.task == Task::kDetection ? i.input_size : 256;
  ExecContext ctx;
  ctx.shape_only = true;
  ctx.planning = true;  // the structure a real run has (fused layers, see upstream_structure())
  ctx.int8 = true;
  ctx.quant = &data_->quant_index;
  std::vector<std::string> keys;
  ctx.quantizable_layers = &keys;
  Tensor input({1, 3, size, size});
  std::vector<NamedTensor> outputs;
  try {
    network().forward(ctx, input, outputs);
  } catch (const Error& e) {
    throw Error(file + ": the int8 plan does not fit the network: " + e.what());
  }
  const std::set<std::string> known(keys.begin(), keys.end());
  for (const LayerQuantization& l : data_->quantization->layers)
    if (!known.count(l.layer))
      throw Error(file + ": the int8 plan names layer '" + l.layer +
                  "', which is not a point-wise layer of this network");
}

std::shared_ptr<const Model> Model::random(const ModelInfo& description, uint32_t seed) {
  std::shared_ptr<Model> model(new Model());
  ModelData& d = *model->data_;
  d.info = description;
  if (d.info.classes < 1) throw Error("a random model needs a class count");
  if (d.info.task == Task::kDetection && d.info.input_size != 300 && d.info.input_size != 512)
    throw Error("a random SSD model needs an input size of 300 or 512");
  StateDict empty;
  WeightReader reader(empty, &d.weights, seed);
  d.network = build_network(d.info, reader);
  d.info.params = count_parameters(d.weights);
  return model;
}

void Model::check_input_size(int height, int width) const {
  network().check_input_size(height, width);
}

double Model::conv_mmacs(int height, int width) const {
  check_input_size(height, width);
  ExecContext ctx;
  ctx.shape_only = true;
  Tensor input({1, 3, height, width});
  std::vector<NamedTensor> outputs;
  network().forward(ctx, input, outputs);
  return ctx.conv_macs / 1e6;
}

std::vector<LayerSummary> Model::layer_summary(int height, int width) const {
  check_input_size(height, width);
  std::vector<LayerSummary> layers;
  ExecContext ctx;
  ctx.shape_only = true;
  ctx.layer_log = &layers;
  Tensor input({1, 3, height, width});
  std::vector<NamedTensor> outputs;
  network().forward(ctx, input, outputs);
  return layers;
}

void Model::save(const std::string& path) const {
  // A quantized model's weights are its base's.
  const ModelData& d = data_->base ? *data_->base->data_ : *data_;
  ModelFileContents contents;
  contents.config = model_info_to_text(d.info) + packed_weights_to_text(d.info.params);
  if (data_->quantization) contents.config += quantization_to_text(*data_->quantization);
  if (d.file) {
    for (const std::string& name : d.packed_order) {
      const PackedTensorView& view = d.packed.at(name);
      contents.tensors.push_back(float32_tensor(
          name, view.shape, std::vector<float>(view.data, view.data + shape_numel(view.shape))));
    }
  } else {
    // The arrays the layers keep, computed once more from the state dict in the order the
    // network takes them (the network itself keeps no names).
    std::vector<PackedTensor> arrays;
    WeightReader reader(d.weights);
    reader.record_packed(&arrays);
    build_network(d.info, reader);
    for (PackedTensor& a : arrays)
      contents.tensors.push_back(
          float32_tensor(std::move(a.name), std::move(a.shape), std::move(a.values)));
  }
  if (data_->quantization)
    append_int8_arrays(*data_->quantization, data_->int8_layers, contents.tensors);
  write_model_file(path, contents);
}

}  // namespace espnet
