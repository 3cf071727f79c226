// Contracts of the int8 kernels (AVX-512 VNNI: vpdpbusd) and the layouts they share; the first
// slice of issue #12's int8 path (kernels and their tests; the quantizer command, the model file
// section and the network wiring are not there yet).
//
// Quantization: weights symmetric per output channel (w ~ w_scale[co] * qw, qw in [-127, 127]);
// activations symmetric per tensor (x ~ x_scale * qx, qx in [-127, 127]). vpdpbusd multiplies
// UNSIGNED bytes by signed bytes, so activations are stored as qx + 128 (0..255) and the sum
// gains 128 * sum(qw) per output channel, which the kernel starts from its negation
// (compensation). Quad layout: four adjacent input channels per 32-bit word (byte j = channel
// 4k + j; channels past the group's end are padded with qx = 0, i.e. byte 128, and qw = 0).
#pragma once

#include <cstdint>

namespace espnet {

/// Input-channel quads of `channels` channels (rounded up).
int int8_quads(int channels);

/// Symmetric per-output-channel quantization of a weight [out_channels, cin]: scale[co] =
/// max|w[co]| / 127 (1 where the row is all zero), qw = round-to-nearest-even(w / scale[co]) in
/// [-127, 127], packed as [out_channels][int8_quads(cin)] words; compensation[co] = -128 * sum qw.
void quantize_int8_weight(const float* weight, int out_channels, int cin, uint32_t* packed,
                          float* scale, int32_t* compensation);

/// Quantizes input [batch, channels, plane] with one scale (q = rne(x * inverse_scale) clamped
/// to [-127, 127]; NaN gives -127) and packs q + 128 as [batch, groups * int8_quads(cin),
/// plane] quad words (cin = channels / groups).
using PackU8QuadsFn = void (*)(const float* input, int batch, int channels, int groups,
                               int64_t plane, float inverse_scale, uint32_t* packed);
void pack_u8_quads_ref(const float* input, int batch, int channels, int groups, int64_t plane,
                       float inverse_scale, uint32_t* packed);
void pack_u8_quads_avx512(const float* input, int batch, int channels, int groups, int64_t plane,
                          float inverse_scale, uint32_t* packed);

/// Grouped 1x1 convolution over quads, int32 accumulation, dequantizing epilogue:
///   acc = compensation[co] + sum over quads of 4 byte products (exact in int32),
///   y = fma(float(acc), scale[co], bias[co]) (+ addend), then PReLU (slopes), fp32 output
/// [batch, out_channels, plane]. scale[co] = input scale * weight scale[co]; bias, slopes, addend
/// may be null. Same caller guarantees as PointwiseFn.
using GconvU8S8Fn = void (*)(const uint32_t* input, int batch, int quads_per_group,
                             int out_channels, int groups, int64_t plane, const uint32_t* weight,
                             const int32_t* compensation, const float* scale, const float* bias,
                             const float* slopes, const float* addend, float* output);
void gconv1x1_u8s8_ref(const uint32_t* input, int batch, int quads_per_group, int out_channels,
                       int groups, int64_t plane, const uint32_t* weight,
                       const int32_t* compensation, const float* scale, const float* bias,
                       const float* slopes, const float* addend, float* output);
void gconv1x1_u8s8_avx512vnni(const uint32_t* input, int batch, int quads_per_group,
                              int out_channels, int groups, int64_t plane, const uint32_t* weight,
                              const int32_t* compensation, const float* scale, const float* bias,
                              const float* slopes, const float* addend, float* output);

/// max |x| over `count` floats (NaN ignored), AVX-512: the per-tensor range of a dynamic scale.
float max_abs_avx512(const float* x, int64_t count);

/// Whether the CPU has AVX-512 VNNI and the active ISA level is avx512.
bool int8_vnni_available();

}  // namespace espnet
