// The library's own access to a Model's internals: the int8 plan's per-layer index, and making a
// quantized model that shares a loaded model's network and weights.
#pragma once

#include <memory>
#include <vector>

#include "espnet/model.h"
#include "espnet/quantize.h"
#include "quant/quant_index.h"

namespace espnet {

struct ModelAccess {
  /// `base`'s network and weights (kept alive) with `quantization` as its int8 plan and
  /// `layers` (one per plan entry, in its order) as the layers' int8 forms.
  static std::shared_ptr<Model> with_quantization(std::shared_ptr<const Model> base,
                                                  Quantization quantization,
                                                  std::vector<Int8Layer> layers);
  /// The plan of a model made by with_quantization, to edit (quantize() tries several plans on
  /// one model before anyone else holds it): the index keeps pointing at its entries, whose
  /// fields may change but not their number or names.
  static Quantization* mutable_quantization(Model& model);
  /// The plan's entries by layer key; null when the model has no plan.
  static const QuantIndex* quant_index(const Model& model);
};

}  // namespace espnet
