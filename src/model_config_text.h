// The model description stored in our model file's config block: "key=value" lines.
#pragma once

#include <cstdint>
#include <string>

#include "espnet/model.h"

namespace espnet {

std::string model_info_to_text(const ModelInfo& info);
/// Parses and validates; `file` names the source in errors.
ModelInfo model_info_from_text(const std::string& text, const std::string& file);

/// The config lines Model::save adds when the file holds the layers' packed arrays (see
/// PackedTensor) rather than a state dict: "weights=packed" and the parameter count, which the
/// packed arrays no longer show.
std::string packed_weights_to_text(int64_t params);
/// True when the config says "weights=packed"; then `params` gets its validated count. A config
/// without a "weights" line describes a state dict (PyTorch names). Throws on other values.
bool packed_weights_from_text(const std::string& text, const std::string& file, int64_t* params);

}  // namespace espnet
