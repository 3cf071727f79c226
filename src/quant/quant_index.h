// What a run needs of a model's int8 plan (espnet/quantize.h): each point-wise layer's entry by
// its weight key, and the hook through which calibration sees the layers' inputs.
#pragma once

#include <string>
#include <unordered_map>

#include "espnet/quantize.h"
#include "espnet/tensor.h"
#include "quant/int8_layer.h"

namespace espnet {

/// One layer of a model's plan: its entry and its int8 form (both owned by the model).
struct QuantEntry {
  const LayerQuantization* plan = nullptr;
  const Int8Layer* layer = nullptr;
};
/// A model's plan by layer key.
using QuantIndex = std::unordered_map<std::string, QuantEntry>;

/// Sees every keyed point-wise layer of an fp32 run before it runs: its input and its fp32
/// weight [out, in / groups] (calibration). Never called in shape-only runs.
class ActivationObserver {
 public:
  virtual ~ActivationObserver() = default;
  virtual void observe(const std::string& layer, const Tensor& input, const Tensor& weight,
                       int groups) = 0;
};

}  // namespace espnet
