#include "quantization_report.h"

#include <algorithm>
#include <cstdio>

#include "cli_common.h"

namespace espnet::cli {
namespace {

std::string format(const char* pattern, double a, double b = 0, double c = 0, double d = 0) {
  char text[160];
  std::snprintf(text, sizeof text, pattern, a, b, c, d);
  return text;
}

int int8_count(const Quantization& plan) {
  return int(std::count_if(plan.layers.begin(), plan.layers.end(),
                           [](const LayerQuantization& l) { return l.int8; }));
}

// "0.0123" for one scale shared by all channels, "0.001..0.05" for per-channel ones.
std::string scale_text(const LayerQuantization& l) {
  if (l.input_scale.empty()) return "-";
  const auto [lo, hi] = std::minmax_element(l.input_scale.begin(), l.input_scale.end());
  const auto [zlo, zhi] = std::minmax_element(l.zero_point.begin(), l.zero_point.end());
  std::string text = *lo == *hi ? format("%.4g", *lo) : format("%.3g..%.3g", *lo, *hi);
  text += *zlo == *zhi ? format(" zp %.0f", *zlo) : format(" zp %.0f..%.0f", *zlo, *zhi);
  return text;
}

}  // namespace

std::string quantization_summary(const Quantization& plan) {
  return std::to_string(int8_count(plan)) + " of " + std::to_string(plan.layers.size()) +
         " point-wise layers int8 (" + plan.range_method + " ranges from " +
         std::to_string(plan.calibration_inputs) + " calibration inputs; on them: output error " +
         format("%.2f %%", 100 * plan.output_error) +
         format(", pixels as fp32 %.2f %%; ", 100 * plan.pixel_agreement) +
         format("inputs beyond the calibration range by %g of its width run fp32",
                plan.guard_margin) +
         (plan.bias_correction ? "; bias-corrected)" : ")");
}

std::string quantization_table(const Quantization& plan) {
  char line[400];
  std::snprintf(line, sizeof line, "%-52s %-5s %-22s %-24s %s\n", "point-wise layer", "runs",
                "calibration range", "input scale", "error alone");
  std::string text = line;
  for (const LayerQuantization& l : plan.layers) {
    std::snprintf(line, sizeof line, "%-52s %-5s %-22s %-24s %.3f %%\n", l.layer.c_str(),
                  l.int8 ? "int8" : "fp32",
                  format("[%.4g, %.4g]", l.observed_min, l.observed_max).c_str(),
                  scale_text(l).c_str(), 100 * l.error_alone);
    text += line;
  }
  return text;
}

std::string quantization_json(const Quantization& plan) {
  std::string json = "{\"range_method\": " + json_string(plan.range_method) +
                     ", \"calibration_inputs\": " + std::to_string(plan.calibration_inputs) +
                     ", \"int8_layers\": " + std::to_string(int8_count(plan)) +
                     ", \"output_error\": " + format("%.6g", plan.output_error) +
                     ", \"pixel_agreement\": " + format("%.6g", plan.pixel_agreement) +
                     ", \"guard_margin\": " + format("%.6g", plan.guard_margin) +
                     ", \"bias_correction\": " + (plan.bias_correction ? "true" : "false") +
                     ",\n    \"layers\": [";
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const LayerQuantization& l = plan.layers[i];
    json += std::string(i ? "," : "") + "\n      {\"layer\": " + json_string(l.layer) +
            ", \"precision\": " + (l.int8 ? "\"int8\"" : "\"fp32\"") +
            ", \"observed_min\": " + format("%.9g", l.observed_min) +
            ", \"observed_max\": " + format("%.9g", l.observed_max) + ", \"input_scale\": [";
    for (size_t c = 0; c < l.input_scale.size(); ++c)
      json += (c ? ", " : "") + format("%.9g", l.input_scale[c]);
    json += "], \"zero_point\": [";
    for (size_t c = 0; c < l.zero_point.size(); ++c)
      json += (c ? ", " : "") + std::to_string(l.zero_point[c]);
    json += "], \"error_alone\": " + format("%.6g", l.error_alone) + "}";
  }
  return json + "\n    ]}";
}

}  // namespace espnet::cli
