// Portable int8 helpers: weight quantization (done once per layer), and the naive references of
// the int8 kernels, which the kernels must match exactly (integers; the float epilogue uses the
// same operations in the same order).
#include <cmath>

#include "kernels/int8_kernels.h"

namespace espnet {

int int8_quads(int channels) {
  return (channels + 3) / 4;
}

namespace {

// Round to nearest even and clamp to [-127, 127]; NaN gives -127 (as the vector code does:
// vcvtps2dq gives INT_MIN, which the clamp raises to -127).
int32_t quantize(float x) {
  if (std::isnan(x)) return -127;
  const float clamped = std::fmin(127.0f, std::fmax(-127.0f, x));
  return static_cast<int32_t>(std::nearbyint(clamped));
}

}  // namespace

void quantize_int8_weight(const float* weight, int out_channels, int cin, uint32_t* packed,
                          float* scale, int32_t* compensation) {
  const int quads = int8_quads(cin);
  for (int64_t co = 0; co < out_channels; ++co) {
    const float* w = weight + co * cin;
    float max_abs = 0;
    for (int i = 0; i < cin; ++i) max_abs = std::fmax(max_abs, std::fabs(w[i]));
    scale[co] = max_abs > 0 ? max_abs / 127.0f : 1.0f;
    const float inverse = 1.0f / scale[co];
    int32_t sum = 0;
    for (int k = 0; k < quads; ++k) {
      uint32_t word = 0;
      for (int j = 0; j < 4; ++j) {
        const int i = 4 * k + j;
        const int32_t q = i < cin ? quantize(w[i] * inverse) : 0;
        sum += q;
        word |= uint32_t(uint8_t(int8_t(q))) << (8 * j);
      }
      packed[co * quads + k] = word;
    }
    compensation[co] = -128 * sum;
  }
}

void pack_u8_quads_ref(const float* input, int batch, int channels, int groups, int64_t plane,
                       float inverse_scale, uint32_t* packed) {
  const int cin = channels / groups, quads = int8_quads(cin);
  for (int64_t n = 0; n < batch; ++n)
    for (int g = 0; g < groups; ++g)
      for (int k = 0; k < quads; ++k) {
        uint32_t* dst = packed + ((n * groups + g) * quads + k) * plane;
        for (int64_t p = 0; p < plane; ++p) {
          uint32_t word = 0;
          for (int j = 0; j < 4; ++j) {
            const int c = 4 * k + j;
            const int32_t q =
                c < cin ? quantize(input[(n * channels + int64_t(g) * cin + c) * plane + p] *
                                   inverse_scale)
                        : 0;
            word |= uint32_t(q + 128) << (8 * j);
          }
          dst[p] = word;
        }
      }
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
