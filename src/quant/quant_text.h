// A model's int8 plan (espnet/quantize.h) as lines of our model file's config block:
//   quantization=<range method>,<calibration inputs>,<output error>,<pixel agreement>
//   int8.<layer key>=<int8|fp32>,<observed min>,<observed max>,<error alone>
// one line per layer, in the network's order. Floats are written so that they read back exactly.
// The per-channel scales and the int8 weights are arrays of the file (Model::save).
#pragma once

#include <memory>
#include <string>

#include "espnet/quantize.h"

namespace espnet {

std::string quantization_to_text(const Quantization& quantization);

/// The plan in `config` (without the per-channel arrays), or null when it has none. Throws
/// espnet::Error (prefixed with `file`) on a malformed line, a repeated layer, too many lines.
std::unique_ptr<Quantization> quantization_from_text(const std::string& config,
                                                     const std::string& file);

}  // namespace espnet
