#include "quant/quant_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <vector>

#include "espnet/error.h"

namespace espnet {
namespace {

constexpr const char* kPlanKey = "quantization=";
constexpr const char* kLayerPrefix = "int8.";
// More layers than any ESPNetv2 has (about 200 point-wise layers in the largest).
constexpr size_t kMaxLayers = 4096;

// %.9g reads back to the same float; %.17g to the same double.
std::string float_text(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", double(v));
  return text;
}
std::string double_text(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream is(text);
  while (std::getline(is, field, ',')) fields.push_back(field);
  if (!text.empty() && text.back() == ',') fields.emplace_back();
  return fields;
}

double parse_number(const std::string& text, const std::string& what) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (text.empty() || end != begin + text.size() || !std::isfinite(v))
    throw Error(what + ": '" + text + "' is not a finite number");
  return v;
}

}  // namespace

std::string quantization_to_text(const Quantization& q) {
  std::string text = std::string(kPlanKey) + q.range_method + "," +
                     std::to_string(q.calibration_inputs) + "," + double_text(q.output_error) +
                     "," + double_text(q.pixel_agreement) + "," + double_text(q.guard_margin) +
                     (q.bias_correction ? ",bias-corrected" : "") + "\n";
  for (const LayerQuantization& l : q.layers)
    text += kLayerPrefix + l.layer + "=" + (l.int8 ? "int8" : "fp32") + "," +
            float_text(l.observed_min) + "," + float_text(l.observed_max) + "," +
            double_text(l.error_alone) + "\n";
  return text;
}

std::unique_ptr<Quantization> quantization_from_text(const std::string& config,
                                                     const std::string& file) {
  std::unique_ptr<Quantization> q;
  std::set<std::string> seen;
  std::vector<LayerQuantization> layers;
  std::istringstream is(config);
  std::string line;
  while (std::getline(is, line)) {
    if (line.rfind(kPlanKey, 0) == 0) {
      const std::string what = file + ": config line '" + line + "'";
      if (q) throw Error(what + ": a second quantization line");
      const std::vector<std::string> f = split_commas(line.substr(std::string(kPlanKey).size()));
      // A sixth field, "bias-corrected", since bias correction; files before it have five.
      if (f.size() != 5 && !(f.size() == 6 && f[5] == "bias-corrected"))
        throw Error(what + ": expected 5 comma-separated fields and an optional 'bias-corrected'");
      q = std::make_unique<Quantization>();
      if (f[0] != "mse" && f[0] != "max" && f[0] != "channel")
        throw Error(what + ": unknown range method");
      q->range_method = f[0];
      const double inputs = parse_number(f[1], what);
      if (inputs < 1 || inputs > 1e9 || inputs != std::floor(inputs))
        throw Error(what + ": the calibration input count must be a positive integer");
      q->calibration_inputs = int(inputs);
      q->output_error = parse_number(f[2], what);
      q->pixel_agreement = parse_number(f[3], what);
      q->guard_margin = parse_number(f[4], what);
      q->bias_correction = f.size() == 6;
      if (q->guard_margin < 0 || q->guard_margin > 1e6)
        throw Error(what + ": the guard margin must be in [0, 1e6]");
    } else if (line.rfind(kLayerPrefix, 0) == 0) {
      const std::string what = file + ": config line '" + line.substr(0, 200) + "'";
      const size_t eq = line.find('=');
      if (eq == std::string::npos) throw Error(what + ": no '='");
      LayerQuantization l;
      l.layer =
          line.substr(std::string(kLayerPrefix).size(), eq - std::string(kLayerPrefix).size());
      if (l.layer.empty() || !seen.insert(l.layer).second)
        throw Error(what + ": an empty or repeated layer name");
      if (layers.size() >= kMaxLayers)
        throw Error(file + ": more than " + std::to_string(kMaxLayers) + " int8 layer lines");
      const std::vector<std::string> f = split_commas(line.substr(eq + 1));
      if (f.size() != 4) throw Error(what + ": expected 4 comma-separated fields");
      if (f[0] != "int8" && f[0] != "fp32") throw Error(what + ": expected int8 or fp32");
      l.int8 = f[0] == "int8";
      l.observed_min = float(parse_number(f[1], what));
      l.observed_max = float(parse_number(f[2], what));
      l.error_alone = parse_number(f[3], what);
      layers.push_back(std::move(l));
    }
  }
  if (!q && !layers.empty()) throw Error(file + ": int8 layer lines without a quantization line");
  if (q && layers.empty()) throw Error(file + ": a quantization line without layers");
  if (q) q->layers = std::move(layers);
  return q;
}

}  // namespace espnet
