// Loading an ESPNetv2 model (a PyTorch checkpoint of the official code, or our converted model
// file) and describing it. A Model is immutable once loaded and may be shared between threads;
// run it through a Session (espnet/session.h), one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "espnet/export.h"

namespace espnet {

/// What a network computes.
enum class Task { kClassification, kSegmentation, kDetection };
/// kEdgeNets: the EdgeNets code (classification, EfficientPyrPool segmentation, SSD);
/// kOriginal: the original ESPNetv2 repository's segmentation network (EESPNet_Seg, PSP decoder).
enum class Family { kEdgeNets, kOriginal };

/// "classification", "segmentation" or "detection".
ESPNET_API const char* task_name(Task task);
/// "edgenets" or "espnetv2-original".
ESPNET_API const char* family_name(Family family);

/// What a checkpoint holds, inferred from its tensors (and stored in our model file).
struct ModelInfo {
  Family family = Family::kEdgeNets;
  Task task = Task::kClassification;
  double scale = 1.0;   // width multiplier s
  int classes = 0;      // output classes (including background where the task has one)
  std::string dataset;  // "imagenet", "pascal", "city", "coco", "voc"
  int input_size = 0;   // detection: 300 or 512; 0 for any size
  int64_t params = 0;   // parameters counted as upstream model_parameters (BN statistics excluded)
};

/// One convolution of the network at a given input size (for `espnet info`).
struct LayerSummary {
  std::string name;         // upstream module path of the block, e.g. "level3.0"
  std::string description;  // "conv 3x3/s2 d1 g1 3->32"
  std::vector<int64_t> output_shape;
  double macs = 0;  // multiply-adds per image, counted as compute_flops does
};

/// Choices a checkpoint cannot express.
struct LoadOptions {
  /// SSD input size (300 or 512) for a detection checkpoint. 0: take it from the model file, or
  /// from "ssd300" / "ssd512" in a .pth file name.
  int detection_input_size = 0;
};

class Network;
struct ModelData;
struct ModelAccess;
struct Quantization;

/// A loaded network with its weights: immutable, shared between threads and sessions.
class ESPNET_API Model {
 public:
  /// Loads a `.pth` checkpoint (legacy or zip) or a model file written by `espnet convert`.
  /// Throws espnet::Error naming the file and the problem.
  static std::shared_ptr<const Model> load(const std::string& path,
                                           const LoadOptions& options = {});

  /// A model of the described family, task, scale and classes (and SSD input size) with
  /// made-up weights: for benchmarking and sizing configurations without published weights.
  /// Its outputs mean nothing.
  static std::shared_ptr<const Model> random(const ModelInfo& description, uint32_t seed = 1);

  ~Model();
  /// What the checkpoint holds: family, task, scale, classes, dataset, input size.
  const ModelInfo& info() const;
  /// Convolution multiply-adds (millions) for one image of `height` x `width`, counted as the
  /// published tables count them (upstream compute_flops).
  double conv_mmacs(int height, int width) const;
  /// The convolutions run for one `height` x `width` image, in order.
  std::vector<LayerSummary> layer_summary(int height, int width) const;
  /// Throws espnet::Error when the network cannot run on `height` x `width`.
  void check_input_size(int height, int width) const;
  /// Writes our model file (atomic; the directory must exist). A quantized model's file holds
  /// its int8 plan and int8 weights too.
  void save(const std::string& path) const;
  /// The model's int8 plan (espnet/quantize.h: quantize(), or a quantized model file); null when
  /// it has none.
  const Quantization* quantization() const;

  const Network& network() const;  // internal

 private:
  friend struct ModelAccess;
  // Throws espnet::Error (naming `file`) unless the int8 plan fits the network.
  void check_quantization(const std::string& file) const;
  Model();
  std::unique_ptr<ModelData> data_;
};

}  // namespace espnet
