// Portable int8 helpers: weight quantization (done once per layer), and the naive references of
// the int8 kernels, which the kernels must match exactly (integers; the float epilogue uses the
// same operations in the same order).
#include <cmath>
#include <vector>

#include "kernels/int8_kernels.h"

namespace espnet {

int int8_quads(int channels) {
  return (channels + 3) / 4;
}

namespace {

// Round to nearest even and clamp to [-127, 127]; NaN gives -127.
int32_t quantize(float x) {
  if (std::isnan(x)) return -127;
  const float clamped = std::fmin(127.0f, std::fmax(-127.0f, x));
  return static_cast<int32_t>(std::nearbyint(clamped));
}

// Round to nearest even, add the zero point, clamp to [0, 255]. The float is clamped to +-1e6
// first so that the conversion cannot overflow (the byte is the same); NaN gives 0, as in the
// vector code, whose clamp turns NaN into -1e6.
uint32_t quantize_u8(float x, int zero_point) {
  if (std::isnan(x)) return 0;
  const float clamped = std::fmin(1e6f, std::fmax(-1e6f, x));
  const int32_t u = static_cast<int32_t>(std::nearbyint(clamped)) + zero_point;
  return static_cast<uint32_t>(u < 0 ? 0 : u > 255 ? 255 : u);
}

// One output channel's row of `cin` weights: its scale, codes (packed in quads) and their sum.
int32_t quantize_row(const float* w, int cin, uint32_t* packed, float* scale) {
  float max_abs = 0;
  for (int i = 0; i < cin; ++i) max_abs = std::fmax(max_abs, std::fabs(w[i]));
  *scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
  const float inverse = 1.0f / *scale;
  int32_t sum = 0;
  for (int k = 0; k < int8_quads(cin); ++k) {
    uint32_t word = 0;
    for (int j = 0; j < 4; ++j) {
      const int i = 4 * k + j;
      const int32_t q = i < cin ? quantize(w[i] * inverse) : 0;
      sum += q;
      word |= uint32_t(uint8_t(int8_t(q))) << (8 * j);
    }
    packed[k] = word;
  }
  return sum;
}

}  // namespace

void quantize_int8_weight(const float* weight, int out_channels, int cin, uint32_t* packed,
                          float* scale, int32_t* weight_sum) {
  for (int64_t co = 0; co < out_channels; ++co)
    weight_sum[co] =
        quantize_row(weight + co * cin, cin, packed + co * int8_quads(cin), scale + co);
}

void quantize_int8_weight_for_inputs(const float* weight, int out_channels, int cin, int groups,
                                     const float* channel_scale, const int32_t* zero_point,
                                     uint32_t* packed, float* scale, int32_t* compensation) {
  const int per_group = out_channels / groups, quads = int8_quads(cin);
  std::vector<float> row(static_cast<size_t>(cin));
  for (int64_t co = 0; co < out_channels; ++co) {
    const int64_t first = int64_t(co / per_group) * cin;
    for (int i = 0; i < cin; ++i) row[size_t(i)] = weight[co * cin + i] * channel_scale[first + i];
    uint32_t* codes = packed + co * quads;
    quantize_row(row.data(), cin, codes, scale + co);
    int32_t sum = 0;
    for (int i = 0; i < cin; ++i)
      sum += int32_t(int8_t((codes[i / 4] >> (8 * (i % 4))) & 0xFF)) * zero_point[first + i];
    compensation[co] = -sum;
  }
}

bool pack_u8_quads_ref(const float* input, int batch, int channels, int groups, int64_t plane,
                       const float* inverse_scale, const int32_t* zero_point, float guard_low,
                       float guard_high, uint32_t* packed) {
  const int cin = channels / groups, quads = int8_quads(cin);
  bool inside = true;
  for (int64_t n = 0; n < batch; ++n)
    for (int g = 0; g < groups; ++g)
      for (int k = 0; k < quads; ++k) {
        uint32_t* dst = packed + ((n * groups + g) * quads + k) * plane;
        for (int64_t p = 0; p < plane; ++p) {
          uint32_t word = 0;
          for (int j = 0; j < 4; ++j) {
            const int c = 4 * k + j;
            const int64_t channel = int64_t(g) * cin + c;
            if (c >= cin) continue;  // a padding channel's byte is 0
            const float x = input[(n * channels + channel) * plane + p];
            inside &= !(x < guard_low || x > guard_high);
            word |= quantize_u8(x * inverse_scale[channel], zero_point[channel]) << (8 * j);
          }
          dst[p] = word;
        }
      }
  return inside;
}

bool unpacked_u8_codes_ref(const float* input, int batch, int channels, int64_t plane,
                           const float* inverse_scale, const int32_t* zero_point, float guard_low,
                           float guard_high, float* output) {
  const int64_t rows = int64_t(batch) * channels;
  int outside = 0;
#pragma omp parallel for schedule(static) reduction(| : outside) if (rows * plane >= (1 << 17))
  for (int64_t row = 0; row < rows; ++row) {
    const int c = static_cast<int>(row % channels);
    for (int64_t p = 0; p < plane; ++p) {
      const float x = input[row * plane + p];
      outside |= x < guard_low || x > guard_high;
      output[row * plane + p] =
          float(int32_t(quantize_u8(x * inverse_scale[c], zero_point[c])) - zero_point[c]);
    }
  }
  return !outside;
}

void gconv1x1_u8s8_ref(const uint32_t* input, int batch, int quads_per_group, int out_channels,
                       int groups, int64_t plane, const uint32_t* weight,
                       const int32_t* compensation, const float* scale, const float* bias,
                       const float* slopes, const float* addend, float* output) {
  const int cout = out_channels / groups;
  for (int64_t n = 0; n < batch; ++n)
    for (int co = 0; co < out_channels; ++co) {
      const uint32_t* in = input + (n * groups + co / cout) * quads_per_group * plane;
      const uint32_t* w = weight + int64_t(co) * quads_per_group;
      for (int64_t p = 0; p < plane; ++p) {
        int32_t acc = compensation[co];
        for (int k = 0; k < quads_per_group; ++k)
          for (int j = 0; j < 4; ++j)
            acc += int32_t((in[k * plane + p] >> (8 * j)) & 0xFF) *
                   int32_t(int8_t((w[k] >> (8 * j)) & 0xFF));
        float y = std::fma(float(acc), scale[co], bias ? bias[co] : 0.0f);
        const int64_t o = (n * out_channels + co) * plane + p;
        if (addend) y += addend[o];
        if (slopes && y < 0) y *= slopes[co];
        output[o] = y;
      }
    }
}

}  // namespace espnet
