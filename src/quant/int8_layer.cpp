#include "quant/int8_layer.h"

#include "espnet/error.h"
#include "kernels/int8_kernels.h"

namespace espnet {

Int8Layer Int8Layer::from_weight(const float* weight, int out_channels, int in_channels, int groups,
                                 const std::vector<float>& input_scale,
                                 const std::vector<int32_t>& zero_point) {
  Int8Layer l;
  l.out_channels = out_channels;
  l.in_channels = in_channels;
  l.groups = groups;
  const int cin = in_channels / groups;
  l.quads.resize(size_t(out_channels) * size_t(int8_quads(cin)));
  l.scale.resize(size_t(out_channels));
  l.compensation.resize(size_t(out_channels));
  quantize_int8_weight_for_inputs(weight, out_channels, cin, groups, input_scale.data(),
                                  zero_point.data(), l.quads.data(), l.scale.data(),
                                  l.compensation.data());
  l.inverse_scale.resize(size_t(in_channels));
  for (int c = 0; c < in_channels; ++c) l.inverse_scale[size_t(c)] = 1.0f / input_scale[size_t(c)];
  l.zero_point = zero_point;
  l.check("int8 layer");
  return l;
}

void Int8Layer::set_guard(float observed_min, float observed_max, double margin) {
  const double width = double(observed_max) - double(observed_min);
  guard_low = float(double(observed_min) - margin * width);
  guard_high = float(double(observed_max) + margin * width);
}

void Int8Layer::check(const std::string& layer) const {
  const auto fail = [&](const std::string& what) {
    throw Error("int8 layer '" + layer + "': " + what);
  };
  if (out_channels <= 0 || in_channels <= 0 || groups <= 0 || in_channels % groups ||
      out_channels % groups)
    fail("bad shape");
  if (quads.size() != size_t(out_channels) * size_t(int8_quads(in_channels / groups)))
    fail("weight codes do not fit the shape");
  if (scale.size() != size_t(out_channels) || compensation.size() != size_t(out_channels))
    fail("per-output-channel arrays do not fit the shape");
  if (inverse_scale.size() != size_t(in_channels) || zero_point.size() != size_t(in_channels))
    fail("per-input-channel arrays do not fit the shape");
  for (int32_t z : zero_point)
    if (z < 0 || z > 255) fail("a zero point outside [0, 255]");
  for (float s : inverse_scale)
    if (!(s > 0) || !(s < 1e30f)) fail("an input scale that is not finite and positive");
}

int Int8Layer::weight_code(int co, int i) const {
  const uint32_t word =
      quads[size_t(co) * size_t(int8_quads(in_channels / groups)) + size_t(i / 4)];
  return int8_t((word >> (8 * (i % 4))) & 0xFF);
}

const std::vector<float>& Int8Layer::dequantized() const {
  return dequantized_.get([&] {
    const int cin = in_channels / groups, quads_per_row = int8_quads(cin);
    std::vector<float> w(size_t(out_channels) * size_t(cin));
    for (int co = 0; co < out_channels; ++co)
      for (int i = 0; i < cin; ++i) {
        w[size_t(co) * cin + i] = float(weight_code(co, i)) * scale[size_t(co)];
      }
    return w;
  });
}

const std::vector<float>& Int8Layer::fallback_bias(const float* bias) const {
  return fallback_bias_.get([&] {
    const int cin = in_channels / groups, per_group = out_channels / groups;
    std::vector<float> b(static_cast<size_t>(out_channels));
    for (int co = 0; co < out_channels; ++co) {
      const int first = (co / per_group) * cin;
      int64_t zero_points = 0;  // sum_c qw * zero_point, the compensation without correction
      for (int i = 0; i < cin; ++i)
        zero_points += int64_t(weight_code(co, i)) * zero_point[size_t(first + i)];
      const double correction =
          double(scale[size_t(co)]) * double(compensation[size_t(co)] + zero_points);
      b[size_t(co)] = float((bias ? double(bias[co]) : 0.0) + correction);
    }
    return b;
  });
}

}  // namespace espnet
