// The model description stored in our model file's config block: "key=value" lines.
#pragma once

#include <string>

#include "espnet/model.h"

namespace espnet {

std::string model_info_to_text(const ModelInfo& info);
/// Parses and validates; `file` names the source in errors.
ModelInfo model_info_from_text(const std::string& text, const std::string& file);

}  // namespace espnet
