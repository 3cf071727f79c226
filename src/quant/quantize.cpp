// quantize(): calibration of the point-wise layers' input ranges on sample inputs, then the
// choice, by measurement on the same inputs, of the layers that stay fp32.
#include "espnet/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "espnet/error.h"
#include "espnet/session.h"
#include "model_access.h"
#include "quant/bias_correction.h"
#include "quant/calibration_ranges.h"
#include "session_access.h"
#include "tasks/task_stages.h"

namespace espnet {
namespace {

// What the fp32 runs showed of one point-wise layer: each input channel's range, and the layer's
// fp32 weights (to quantize them with the channels' scales folded in).
struct ObservedLayer {
  std::vector<float> lo, hi;  // per input channel; 0 until seen (0 is always in the range)
  ValueHistogram values;      // the whole tensor's ("mse": range pass, then histogram pass)
  std::vector<float> weight;  // [out, in / groups]
  int out_channels = 0, in_channels = 0, groups = 1;
};

// Collects every observed layer, in the order the network first runs them.
class RangeCollector : public ActivationObserver {
 public:
  std::map<std::string, ObservedLayer> layers;
  std::vector<std::string> order;
  bool histogram_pass = false;

  void observe(const std::string& layer, const Tensor& input, const Tensor& weight,
               int groups) override {
    auto [entry, inserted] = layers.try_emplace(layer);
    ObservedLayer& l = entry->second;
    if (histogram_pass) {
      if (inserted) throw Error("quantize: layer '" + layer + "' ran only in the second pass");
      l.values.add_histogram(input.data(), input.numel());
      return;
    }
    l.values.add_range(input.data(), input.numel());
    const int channels = static_cast<int>(input.dim(1));
    if (inserted) {
      order.push_back(layer);
      l.weight.assign(weight.data(), weight.data() + weight.numel());
      l.out_channels = static_cast<int>(weight.dim(0));
      l.in_channels = channels;
      l.groups = groups;
      l.lo.assign(size_t(channels), 0.0f);
      l.hi.assign(size_t(channels), 0.0f);
    }
    const int64_t plane = input.numel() / (input.dim(0) * channels);
    for (int64_t n = 0; n < input.dim(0); ++n)
      for (int c = 0; c < channels; ++c) {
        const float* x = input.data() + (n * channels + c) * plane;
        float lo = l.lo[size_t(c)], hi = l.hi[size_t(c)];
        for (int64_t i = 0; i < plane; ++i) {
          if (!std::isfinite(x[i])) continue;
          lo = std::min(lo, x[i]);
          hi = std::max(hi, x[i]);
        }
        l.lo[size_t(c)] = lo;
        l.hi[size_t(c)] = hi;
      }
  }
};

// Each int8 layer's input channel sums (bias correction), under the maps of `plan`.
class ChannelSumCollector : public ActivationObserver {
 public:
  explicit ChannelSumCollector(const Quantization& plan) {
    for (const LayerQuantization& l : plan.layers) layers_[l.layer].map = &l;
  }
  void observe(const std::string& layer, const Tensor& input, const Tensor&, int) override {
    Entry& e = layers_.at(layer);
    e.sums.add(input, e.map->input_scale, e.map->zero_point);
  }
  const InputChannelSums& sums(const std::string& layer) const { return layers_.at(layer).sums; }

 private:
  struct Entry {
    const LayerQuantization* map = nullptr;
    InputChannelSums sums;
  };
  std::map<std::string, Entry> layers_;
};

// fp32's outputs for each calibration input (and, for segmentation, its labels).
struct Reference {
  std::vector<std::vector<std::vector<float>>> outputs;  // [input][output] values
  std::vector<std::vector<uint8_t>> labels;              // [input] argmax of output 0
};

struct Score {
  double output_error = 0;     // the worst output's relative RMS error over all inputs
  double pixel_agreement = 1;  // segmentation: share of pixels labelled as fp32 labels them
};

class Evaluator {
 public:
  Evaluator(const std::vector<Tensor>& inputs, const Reference& reference, bool segmentation)
      : inputs_(inputs), reference_(reference), segmentation_(segmentation) {}

  Score score(Session& session) const {
    std::vector<double> error_sum, reference_sum;
    double agreeing = 0, pixels = 0;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const std::vector<NamedTensor>& outputs = session.run(inputs_[i]);
      const auto& want = reference_.outputs[i];
      error_sum.resize(want.size(), 0.0);
      reference_sum.resize(want.size(), 0.0);
      for (size_t o = 0; o < want.size(); ++o) {
        const float* got = outputs[o].value.data();
        for (size_t k = 0; k < want[o].size(); ++k) {
          const double d = double(got[k]) - double(want[o][k]);
          error_sum[o] += d * d;
          reference_sum[o] += double(want[o][k]) * double(want[o][k]);
        }
      }
      if (segmentation_) {
        const std::vector<uint8_t> labels = segmentation_network_labels(outputs);
        const std::vector<uint8_t>& fp32 = reference_.labels[i];
        for (size_t k = 0; k < fp32.size(); ++k) agreeing += labels[k] == fp32[k];
        pixels += double(fp32.size());
      }
    }
    Score s;
    for (size_t o = 0; o < error_sum.size(); ++o)
      s.output_error =
          std::max(s.output_error, std::sqrt(error_sum[o] / std::max(reference_sum[o], 1e-30)));
    if (segmentation_) s.pixel_agreement = agreeing / pixels;
    return s;
  }

 private:
  const std::vector<Tensor>& inputs_;
  const Reference& reference_;
  bool segmentation_;
};

void check_inputs(const Model& model, const std::vector<Tensor>& inputs) {
  if (inputs.empty()) throw Error("quantize: no calibration inputs");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (t.rank() != 4 || t.dim(0) != 1 || t.dim(1) != 3)
      throw Error("quantize: calibration input " + std::to_string(i) + " is " +
                  shape_to_string(t.shape()) + ", expected [1, 3, H, W]");
    model.check_input_size(int(t.dim(2)), int(t.dim(3)));
  }
}

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %%", 100.0 * share);
  return text;
}

}  // namespace

std::shared_ptr<const Model> quantize(std::shared_ptr<const Model> model,
                                      const std::vector<Tensor>& inputs,
                                      const QuantizeOptions& options) {
  if (!model) throw Error("quantize: no model");
  if (model->quantization())
    throw Error("quantize: the model is already quantized; calibrate the fp32 model instead");
  if (options.range_method != "mse" && options.range_method != "max" &&
      options.range_method != "channel")
    throw Error("quantize: range method '" + options.range_method + "' is not mse, max or channel");
  if (!(options.min_pixel_agreement >= 0 && options.min_pixel_agreement <= 1))
    throw Error("quantize: the pixel agreement goal must be in [0, 1]");
  if (!(options.max_output_error >= 0)) throw Error("quantize: the output error goal must be >= 0");
  if (!(options.guard_margin >= 0 && options.guard_margin <= 1e6))
    throw Error("quantize: the guard margin must be in [0, 1e6]");
  check_inputs(*model, inputs);
  const auto say = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  const bool segmentation = model->info().task == Task::kSegmentation;

  // fp32 runs: the reference outputs, and each layer input's range per channel.
  SessionOptions fp32_options;
  fp32_options.threads = options.threads;
  Session fp32(model, fp32_options);
  RangeCollector collector;
  Reference reference;
  SessionAccess::set_observer(fp32, &collector);
  for (const Tensor& input : inputs) {
    const std::vector<NamedTensor>& outputs = fp32.run(input);
    std::vector<std::vector<float>> values;
    for (const NamedTensor& o : outputs)
      values.emplace_back(o.value.data(), o.value.data() + o.value.numel());
    reference.outputs.push_back(std::move(values));
    if (segmentation) reference.labels.push_back(segmentation_network_labels(outputs));
  }
  if (options.range_method == "mse") {
    collector.histogram_pass = true;
    for (const Tensor& input : inputs) fp32.run(input);
  }
  SessionAccess::set_observer(fp32, nullptr);
  if (collector.order.empty()) throw Error("quantize: the network has no point-wise layers");

  Quantization plan;
  plan.range_method = options.range_method;
  plan.calibration_inputs = int(inputs.size());
  plan.guard_margin = options.guard_margin;
  std::vector<Int8Layer> int8_layers;
  for (const std::string& layer : collector.order) {
    const ObservedLayer& observed = collector.layers.at(layer);
    LayerQuantization l;
    l.layer = layer;
    // One map for the whole tensor ("mse", "max"), or one per channel ("channel").
    const AffineQuant tensor_map =
        options.range_method == "mse"
            ? choose_mse_range(observed.values.counts(), observed.values.min(),
                               observed.values.max())
            : affine_from_range(observed.values.min(), observed.values.max());
    for (size_t c = 0; c < observed.lo.size(); ++c) {
      const AffineQuant q = options.range_method == "channel"
                                ? affine_from_range(observed.lo[c], observed.hi[c])
                                : tensor_map;
      l.input_scale.push_back(q.scale);
      l.zero_point.push_back(q.zero_point);
    }
    l.observed_min = *std::min_element(observed.lo.begin(), observed.lo.end());
    l.observed_max = *std::max_element(observed.hi.begin(), observed.hi.end());
    int8_layers.push_back(Int8Layer::from_weight(observed.weight.data(), observed.out_channels,
                                                 observed.in_channels, observed.groups,
                                                 l.input_scale, l.zero_point));
    int8_layers.back().set_guard(l.observed_min, l.observed_max, options.guard_margin);
    plan.layers.push_back(std::move(l));
  }
  plan.bias_correction = options.bias_correction;
  if (options.bias_correction) {
    // A third pass: the sums need each layer's map, chosen from the first two.
    ChannelSumCollector sums(plan);
    SessionAccess::set_observer(fp32, &sums);
    for (const Tensor& input : inputs) fp32.run(input);
    SessionAccess::set_observer(fp32, nullptr);
    for (size_t i = 0; i < plan.layers.size(); ++i)
      correct_bias(collector.layers.at(plan.layers[i].layer).weight.data(),
                   sums.sums(plan.layers[i].layer), int8_layers[i]);
  }
  say("calibrated " + std::to_string(plan.layers.size()) + " point-wise layers on " +
      std::to_string(inputs.size()) + " inputs (" + options.range_method + " ranges" +
      (options.bias_correction ? ", bias-corrected)" : ")"));

  // One quantized model whose plan is edited between measurements; its session replans when
  // the set of int8 layers (and so its temporaries) changes.
  std::shared_ptr<Model> candidate = ModelAccess::with_quantization(model, plan, int8_layers);
  Quantization& edited = *ModelAccess::mutable_quantization(*candidate);
  SessionOptions int8_options;
  int8_options.threads = options.threads;
  int8_options.precision = Precision::kInt8;
  Session int8(candidate, int8_options);
  const Evaluator evaluator(inputs, reference, segmentation);
  const auto meets = [&](const Score& s) {
    return s.output_error <= options.max_output_error &&
           s.pixel_agreement >= options.min_pixel_agreement;
  };

  // Each layer's sensitivity: the output error with only that layer in int8.
  for (size_t i = 0; i < edited.layers.size(); ++i) {
    for (size_t j = 0; j < edited.layers.size(); ++j) edited.layers[j].int8 = i == j;
    edited.layers[i].error_alone = evaluator.score(int8).output_error;
  }
  // Then the most sensitive layers move to fp32 until the goals hold: the fewest of them, found
  // by bisection over how many. That assumes that keeping more layers fp32 never raises the
  // error, which holds closely but not exactly (int8 errors can cancel): the count found is one
  // where the goals hold and one fewer misses them, not always the smallest such count. A linear
  // search took up to one pass per layer, 30 or more on the Cityscapes networks.
  std::vector<size_t> by_sensitivity(edited.layers.size());
  std::iota(by_sensitivity.begin(), by_sensitivity.end(), size_t(0));
  std::stable_sort(by_sensitivity.begin(), by_sensitivity.end(), [&](size_t a, size_t b) {
    return edited.layers[a].error_alone > edited.layers[b].error_alone;
  });
  const auto keep_fp32 = [&](size_t fp32_count) {
    for (size_t r = 0; r < by_sensitivity.size(); ++r)
      edited.layers[by_sensitivity[r]].int8 = r >= fp32_count;
  };
  const auto score_keeping = [&](size_t fp32_count) {
    keep_fp32(fp32_count);
    return evaluator.score(int8);
  };
  Score score = score_keeping(0);
  say("all layers int8: output error " + percent(score.output_error) +
      (segmentation ? ", pixels as fp32 " + percent(score.pixel_agreement) : ""));
  size_t kept = 0;
  if (!meets(score)) {
    // Invariant: keeping `failing` layers fp32 misses the goals; keeping `meeting` meets them
    // (all of them fp32 is fp32 itself, measured only if the search ends there).
    size_t failing = 0, meeting = by_sensitivity.size();
    Score meeting_score;
    while (meeting - failing > 1) {
      const size_t middle = failing + (meeting - failing) / 2;
      const Score s = score_keeping(middle);
      if (meets(s)) {
        meeting = middle;
        meeting_score = s;
      } else {
        failing = middle;
      }
    }
    kept = meeting;
    score = kept == by_sensitivity.size() ? score_keeping(kept) : meeting_score;
    keep_fp32(kept);
  }
  if (kept)
    say(std::to_string(kept) + " most sensitive layers kept in fp32: output error " +
        percent(score.output_error) +
        (segmentation ? ", pixels as fp32 " + percent(score.pixel_agreement) : ""));
  edited.output_error = score.output_error;
  edited.pixel_agreement = score.pixel_agreement;
  // An fp32 layer keeps no int8 form (a saved file has none for it either).
  for (size_t i = 0; i < edited.layers.size(); ++i)
    if (!edited.layers[i].int8) {
      edited.layers[i].input_scale.clear();
      edited.layers[i].zero_point.clear();
      int8_layers[i] = Int8Layer();
    }
  return ModelAccess::with_quantization(model, edited, std::move(int8_layers));
}

}  // namespace espnet
