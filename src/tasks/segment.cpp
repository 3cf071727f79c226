// Segmentation: the demo preprocessing of the model's family, the network, argmax, the label map
// back at the photo's size; and its pictures (palette colours, blended overlay).
#include <algorithm>
#include <cmath>

#include "espnet/error.h"
#include "espnet/tasks.h"
#include "image/blend.h"
#include "image/labels.h"
#include "image/palette.h"
#include "image/preprocess.h"
#include "postprocess/segmentation_labels.h"
#include "tasks/stage_clock.h"
#include "tasks/task_stages.h"

namespace espnet {
namespace {

// The network size the official demo of the model's family uses for this photo, its longer
// side capped at `max_side` (0: no cap) by scaling the photo's size first.
NetworkSize demo_network_size(const ModelInfo& info, const Image& rgb, int max_side) {
  // gen_cityscapes.py's default input size, whatever the photo's aspect.
  if (info.family == Family::kOriginal) return {1024, 512};
  int width = rgb.width, height = rgb.height;
  const int longer = std::max(width, height);
  if (max_side > 0 && longer > max_side) {
    width = std::max(32, int(std::lround(double(width) * max_side / longer)));
    height = std::max(32, int(std::lround(double(height) * max_side / longer)));
  }
  return segmentation_demo_network_size(width, height);
}

}  // namespace

NetworkSize segmentation_network_size(const Model& model, const Image& rgb,
                                      const SegmentOptions& options) {
  const ModelInfo& info = model.info();
  if (info.task != Task::kSegmentation)
    throw Error(std::string("segment needs a segmentation model; the session's model is a ") +
                task_name(info.task) + " model");
  if ((options.width == 0) != (options.height == 0))
    throw Error("SegmentOptions: set both width and height, or neither (got " +
                std::to_string(options.width) + "x" + std::to_string(options.height) + ")");
  if (options.max_side < 0 || (options.max_side > 0 && options.max_side < 32))
    throw Error("SegmentOptions: max_side must be 0 (no cap) or at least 32, got " +
                std::to_string(options.max_side));
  NetworkSize size{options.width, options.height};
  if (size.width == 0) size = demo_network_size(info, rgb, options.max_side);
  if (size.width < 32 || size.height < 32)
    throw Error("network input " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                " is too small (the demo needs at least 32x32)");
  model.check_input_size(size.height, size.width);
  return size;
}

PreparedPhoto prepare_segmentation(const Model& model, const Image& rgb,
                                   const SegmentOptions& options, int threads) {
  StageClock clock;
  const NetworkSize size = segmentation_network_size(model, rgb, options);
  PreparedPhoto prepared;
  prepared.input = model.info().family == Family::kOriginal
                       ? preprocess_segmentation_original(rgb, size.width, size.height)
                       : preprocess_segmentation_edgenets(rgb, size.width, size.height, threads);
  prepared.photo_width = rgb.width;
  prepared.photo_height = rgb.height;
  prepared.network_width = size.width;
  prepared.network_height = size.height;
  prepared.preprocess_ms = clock.lap_ms();
  return prepared;
}

std::vector<uint8_t> segmentation_network_labels(const std::vector<NamedTensor>& outputs) {
  if (outputs.empty()) throw Error("segment: the network gave no output");
  if (outputs[0].name == "labels") return labels_from_tensor(outputs[0].value);
  return argmax_labels(outputs[0].value);
}

SegmentationResult finish_segmentation(const Model& model, const PreparedPhoto& prepared,
                                       std::vector<uint8_t> network_labels, Tensor logits) {
  const int net_w = prepared.network_width, net_h = prepared.network_height;
  if (network_labels.size() != static_cast<size_t>(net_w) * net_h)
    throw Error("segment: " + std::to_string(network_labels.size()) + " labels for a " +
                std::to_string(net_w) + "x" + std::to_string(net_h) + " network output");
  SegmentationResult result;
  result.width = prepared.photo_width;
  result.height = prepared.photo_height;
  result.network_width = net_w;
  result.network_height = net_h;
  result.logits = std::move(logits);
  result.network_labels = std::move(network_labels);
  result.labels = resize_labels_nearest(result.network_labels.data(), net_w, net_h, result.width,
                                        result.height);
  const std::vector<int64_t> counts = label_histogram(result.labels, model.info().classes);
  const std::vector<std::string> names = class_names(model);
  const double total = static_cast<double>(result.labels.size());
  for (size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] == 0) continue;
    result.classes.push_back({static_cast<int>(c), c < names.size() ? names[c] : "", counts[c],
                              static_cast<double>(counts[c]) / total});
  }
  return result;
}

SegmentationResult segment(Session& session, const Image& rgb, const SegmentOptions& options,
                           StageTimes* times) {
  // Held from the run until the outputs are read: another thread's run would overwrite them.
  const Session::Claim claim(session);
  const Model& model = session.model();
  // A size whose run would not fit is refused before its (large) input is prepared; besides
  // the activations the task holds the input, the copy of the logits (when kept) and the label
  // maps.
  const NetworkSize size = segmentation_network_size(model, rgb, options);
  const size_t pixels = size_t(size.width) * size.height;
  const size_t logits_floats = options.keep_logits ? size_t(model.info().classes) : 0;
  const size_t held =
      pixels * sizeof(float) * (3 + logits_floats) + pixels + size_t(rgb.width) * rgb.height;
  // Without the logits the run ends with the labels: the full-size logits are never made.
  const RunOutputs run_outputs = options.keep_logits ? RunOutputs::kNetwork : RunOutputs::kLabels;
  session.check_memory({1, 3, size.height, size.width}, held, run_outputs);
  const PreparedPhoto prepared = prepare_segmentation(model, rgb, options, session.threads());
  StageClock clock;
  const std::vector<NamedTensor>& outputs = session.run(prepared.input, run_outputs);
  const double network_ms = clock.lap_ms();
  std::vector<uint8_t> labels = segmentation_network_labels(outputs);
  // A copy: the session's outputs change on its next run.
  Tensor logits = options.keep_logits ? outputs.at(0).value : Tensor{};
  SegmentationResult result =
      finish_segmentation(model, prepared, std::move(labels), std::move(logits));
  if (times) *times = {prepared.preprocess_ms, network_ms, clock.lap_ms()};
  return result;
}

Image colorize(const SegmentationResult& result, const Model& model) {
  if (result.width <= 0 || result.height <= 0 ||
      result.labels.size() != static_cast<size_t>(result.width) * result.height)
    throw Error("colorize: the result holds " + std::to_string(result.labels.size()) +
                " labels for a " + std::to_string(result.width) + "x" +
                std::to_string(result.height) + " photo");
  const Palette palette = model.info().dataset == "city" ? cityscapes_palette() : voc_palette();
  return colorize_labels(result.labels.data(), result.width, result.height, palette);
}

Image overlay(const Image& photo, const Image& colours, float alpha) {
  return blend_overlay(photo, colours, alpha);
}

}  // namespace espnet
