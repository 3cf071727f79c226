// Post-training int8 quantization: calibrating a model's point-wise layers on sample inputs and
// choosing, by measurement, which of them stay fp32. A quantized model runs in int8 sessions
// (SessionOptions::precision = Precision::kInt8) and is saved with its int8 weights and scales
// (Model::save). `espnet quantize` is the command-line face of quantize().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "espnet/export.h"
#include "espnet/image.h"
#include "espnet/model.h"
#include "espnet/tensor.h"

namespace espnet {

/// How one point-wise layer runs in an int8 session.
struct LayerQuantization {
  /// The layer's weight key (the upstream state-dict name of its convolution weight).
  std::string layer;
  /// false: the layer stays fp32 (quantize() found it too sensitive).
  bool int8 = true;
  /// The input's affine quantization per channel, x[c] ~ input_scale[c] * (u - zero_point[c]),
  /// u in [0, 255], covering the range the calibration inputs' values took in that channel.
  std::vector<float> input_scale;
  std::vector<int32_t> zero_point;
  /// The smallest and largest input value seen while calibrating (over all channels).
  float observed_min = 0.0f, observed_max = 0.0f;
  /// The network's output error (relative RMS against fp32 over the calibration inputs) with
  /// only this layer in int8: its sensitivity, by which the fp32 layers were chosen.
  double error_alone = 0.0;
};

/// A model's int8 calibration.
struct Quantization {
  std::vector<LayerQuantization> layers;  ///< in the network's order
  int calibration_inputs = 0;
  /// How the input ranges were chosen: "mse" (one range per tensor, the clip range that
  /// minimises the expected squared quantization error over the calibration values), "max"
  /// (one per tensor, the full range they took) or "channel" (one per input channel, the full
  /// range each channel took: finer, but it generalises worse from few photos).
  std::string range_method = "mse";
  /// What the final choice achieved on the calibration inputs against fp32: the output's
  /// relative RMS error and, for segmentation, the share of pixels labelled as fp32 labels them.
  double output_error = 0.0;
  double pixel_agreement = 1.0;
  /// An int8 layer whose input holds a value beyond its observed calibration range widened by
  /// this many times the range's width on either side runs in fp32 for that input
  /// (PrecisionReport::int8_fallbacks counts them).
  double guard_margin = 0.1;
  /// Whether each int8 layer's output channels were bias-corrected: the mean shift int8 brings
  /// (weights rounded, inputs rounded and clipped), measured on the calibration inputs, taken
  /// back through the channel's compensation. false for files written before it existed.
  bool bias_correction = false;
};

struct QuantizeOptions {
  /// "mse", "max" or "channel" (see Quantization::range_method).
  std::string range_method = "mse";
  /// Layers move to fp32, most sensitive first, until both goals hold on the calibration
  /// inputs: segmentation labels agreeing with fp32 on at least this share of pixels...
  /// (0.995: on the shared photos 0.99 left Cityscapes models at 94-95 % on unseen photos,
  /// 0.995 gains 1-1.5 points there and costs PASCAL nothing.)
  double min_pixel_agreement = 0.995;
  /// ... and the outputs' relative RMS error against fp32 at most this.
  double max_output_error = 0.05;
  /// See Quantization::guard_margin. 0.1 measured best on the shared photos: 0 sends layers to
  /// fp32 on the noise of the int8 layers before them, 0.25 lets Cityscapes photos unlike the
  /// calibration ones lose 0.5-2 points of pixels.
  double guard_margin = 0.1;
  /// See Quantization::bias_correction. Measured on the real segmentation weights (held-out
  /// photos): pixels as fp32 +0.2 to +0.3 points on PASCAL s=0.5/1.0, within 0.05 elsewhere, and
  /// 2-3 more int8 layers on the EdgeNets Cityscapes models at the same goals.
  bool bias_correction = true;
  /// OpenMP threads for the calibration runs (0: the OpenMP default).
  int threads = 0;
  /// Called with a line of progress now and then (may be empty).
  std::function<void(const std::string&)> progress;
};

/// The network input [1, 3, H, W] that the model's task makes of a photo (classify(), segment()
/// or detect()'s preprocessing, default options): what quantize() should be given, one per
/// calibration photo. Throws espnet::Error as those calls do.
ESPNET_API Tensor calibration_input(const Model& model, const Image& photo);

/// Calibrates `model` on `calibration_inputs` (network inputs [1, 3, H, W], already
/// preprocessed as the model's task does it; at least one) and returns the same network with an
/// int8 plan: every point-wise layer's input ranges per channel, its int8 weights (the channel
/// scales folded in, then symmetric per output channel), and the layers kept in fp32.
/// Deterministic: the same inputs give the same plan. Throws espnet::Error on bad inputs or an
/// already quantized model.
ESPNET_API std::shared_ptr<const Model> quantize(std::shared_ptr<const Model> model,
                                                 const std::vector<Tensor>& calibration_inputs,
                                                 const QuantizeOptions& options = {});

}  // namespace espnet
