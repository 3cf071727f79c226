// How `espnet info` shows a quantized model's int8 plan (espnet/quantize.h): a summary line, the
// per-layer table and the same as JSON.
#pragma once

#include <string>

#include "espnet/quantize.h"

namespace espnet::cli {

/// "40 of 40 point-wise layers int8 (mse ranges from 2 calibration inputs; ...)".
std::string quantization_summary(const Quantization& plan);
/// One line per layer: precision, observed input range, input scale and zero point, sensitivity.
std::string quantization_table(const Quantization& plan);
/// A JSON object with the summary's fields and a "layers" array (indented for info's output).
std::string quantization_json(const Quantization& plan);

}  // namespace espnet::cli
