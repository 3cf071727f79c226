// Portable bf16 helpers (rounding, weight packing) and the naive references of the bf16 kernels:
// the kernel tests' ground truth, and the packing the layers do once at load.
#include <cmath>
#include <cstring>

#include "kernels/bf16_kernels.h"

namespace espnet {

int bf16_pairs(int channels) {
  return (channels + 1) / 2;
}

uint16_t float_to_bf16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7F800000u) == 0) return static_cast<uint16_t>((bits >> 16) & 0x8000u);  // DAZ
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  // Round to nearest, ties to even (an overflow past the largest finite value gives infinity).
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float bf16_to_float(uint16_t x) {
  const uint32_t bits = uint32_t(x) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

namespace {

uint32_t pair_word(float even, float odd) {
  return uint32_t(float_to_bf16(even)) | (uint32_t(float_to_bf16(odd)) << 16);
}

float low_half(uint32_t word) {
  return bf16_to_float(static_cast<uint16_t>(word & 0xFFFFu));
}
float high_half(uint32_t word) {
  return bf16_to_float(static_cast<uint16_t>(word >> 16));
}

}  // namespace

void pack_bf16_pairs_ref(const float* input, int batch, int channels, int groups, int64_t plane,
                         uint32_t* packed) {
  const int cin = channels / groups, pairs = bf16_pairs(cin);
  for (int64_t n = 0; n < batch; ++n)
    for (int g = 0; g < groups; ++g)
      for (int k = 0; k < pairs; ++k) {
        const float* even = input + (n * channels + int64_t(g) * cin + 2 * k) * plane;
        const bool has_odd = 2 * k + 1 < cin;
        uint32_t* dst = packed + ((n * groups + g) * pairs + k) * plane;
        for (int64_t p = 0; p < plane; ++p)
          dst[p] = pair_word(even[p], has_odd ? even[plane + p] : 0.0f);
      }
}

void pack_bf16_gconv1x1_weight(const float* weight, int out_channels, int cin, uint32_t* packed) {
  const int pairs = bf16_pairs(cin);
  for (int64_t co = 0; co < out_channels; ++co)
    for (int k = 0; k < pairs; ++k) {
      const float* w = weight + co * cin + 2 * k;
      packed[co * pairs + k] = pair_word(w[0], 2 * k + 1 < cin ? w[1] : 0.0f);
    }
}

void pack_bf16_pointwise_rows(const float* weight, int in_channels, int out_channels,
                              uint32_t* packed) {
  const int pairs = bf16_pairs(in_channels);
  const int64_t ldw = pointwise_rows_stride(out_channels);
  for (int k = 0; k < pairs; ++k)
    for (int64_t co = 0; co < ldw; ++co) {
      uint32_t word = 0;
      if (co < out_channels) {
        const float* w = weight + co * in_channels + 2 * k;
        word = pair_word(w[0], 2 * k + 1 < in_channels ? w[1] : 0.0f);
      }
      packed[k * ldw + co] = word;
    }
}

void pack_bf16_pointwise_rows_from_rows(const float* rows, int in_channels, int out_channels,
                                        uint32_t* packed) {
  const int pairs = bf16_pairs(in_channels);
  const int64_t ldw = pointwise_rows_stride(out_channels);
  for (int k = 0; k < pairs; ++k)
    for (int64_t co = 0; co < ldw; ++co) {
      const float even = rows[int64_t(2 * k) * ldw + co];
      const float odd = 2 * k + 1 < in_channels ? rows[int64_t(2 * k + 1) * ldw + co] : 0.0f;
      packed[k * ldw + co] = co < out_channels ? pair_word(even, odd) : 0u;
    }
}

void gconv1x1_bf16_ref(const uint32_t* packed_input, int batch, int pairs_per_group,
                       int out_channels, int groups, int64_t plane, const uint32_t* weight,
                       const float* bias, const float* slopes, const float* addend, float* output) {
  const int cout = out_channels / groups;
  for (int64_t n = 0; n < batch; ++n)
    for (int co = 0; co < out_channels; ++co) {
      const int g = co / cout;
      const uint32_t* in = packed_input + (n * groups + g) * pairs_per_group * plane;
      const uint32_t* w = weight + int64_t(co) * pairs_per_group;
      for (int64_t p = 0; p < plane; ++p) {
        float acc = bias ? bias[co] : 0.0f;
        for (int k = 0; k < pairs_per_group; ++k) {
          const uint32_t x = in[k * plane + p];
          acc += low_half(w[k]) * low_half(x);  // exact products (8-bit significands)
          acc += high_half(w[k]) * high_half(x);
        }
        const int64_t o = (n * out_channels + co) * plane + p;
        if (addend) acc += addend[o];
        if (slopes && acc < 0) acc *= slopes[co];
        output[o] = acc;
      }
    }
}

void pointwise_rows_bf16_ref(const uint32_t* packed_input, int batch, int pairs, int64_t plane,
                             const uint32_t* packed_weight, int out_channels, const float* bias,
                             float* output, int64_t row_stride, int64_t batch_stride) {
  const int64_t ldw = pointwise_rows_stride(out_channels);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t p = 0; p < plane; ++p)
      for (int co = 0; co < out_channels; ++co) {
        float acc = bias ? bias[co] : 0.0f;
        for (int k = 0; k < pairs; ++k) {
          const uint32_t x = packed_input[(n * pairs + k) * plane + p];
          const uint32_t w = packed_weight[k * ldw + co];
          acc += low_half(w) * low_half(x);
          acc += high_half(w) * high_half(x);
        }
        output[n * batch_stride + p * row_stride + co] = acc;
      }
}

}  // namespace espnet
