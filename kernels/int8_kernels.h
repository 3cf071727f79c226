// Contracts of the int8 kernels (x86 VNNI: vpdpbusd; ARMv8.2: sdot) and the layouts they share.
//
// Quantization: activations affine per input channel, x[c] ~ s[c] * (u[c] - zero_point[c]) with
// u in [0, 255] (the zero point is where 0.0 lands: 128 for a symmetric range, lower for a mostly
// positive one such as a PReLU's output), so that every channel uses all 256 levels whatever
// the others' ranges. The channel scales fold into the weights, w'[co][c] = w[co][c] * s[c],
// which are then quantized symmetrically per output channel (w' ~ w_scale[co] * qw, qw in
// [-127, 127]): y[co] = w_scale[co] * sum_c qw[co][c] * (u[c] - zero_point[c]) + bias. vpdpbusd
// multiplies the UNSIGNED bytes u by the signed qw; the kernel starts each sum from
// compensation[co] = -sum_c qw[co][c] * zero_point[c]. Quad layout: four adjacent input channels
// per 32-bit word (byte j = channel 4k + j; channels past the group's end are padded with u = 0
// and qw = 0).
#pragma once

#include <cstdint>
#include <vector>

namespace espnet {

/// Input-channel quads of `channels` channels (rounded up).
int int8_quads(int channels);

/// Symmetric per-output-channel quantization of a weight [out_channels, cin]: scale[co] =
/// max|w[co]| / 127 (1 where the row is all zero), qw = round-to-nearest-even(w / scale[co]) in
/// [-127, 127], packed as [out_channels][int8_quads(cin)] words; weight_sum[co] = sum qw.
void quantize_int8_weight(const float* weight, int out_channels, int cin, uint32_t* packed,
                          float* scale, int32_t* weight_sum);

/// The weight [out_channels, cin] of a grouped 1x1 layer (cin inputs per group) for
/// inputs quantized per channel: row co (group g = co / (out_channels / groups)) scaled by the
/// scales of its input channels, w'[i] = w[co][i] * channel_scale[g * cin + i], then quantized as
/// quantize_int8_weight does; compensation[co] = -sum_i qw[i] * zero_point[g * cin + i].
void quantize_int8_weight_for_inputs(const float* weight, int out_channels, int cin, int groups,
                                     const float* channel_scale, const int32_t* zero_point,
                                     uint32_t* packed, float* scale, int32_t* compensation);

/// Quantizes input [batch, channels, plane] with a scale and zero point per channel (u =
/// rne(x * inverse_scale[c]) + zero_point[c] clamped to [0, 255], the product first clamped to
/// +-1e6; NaN gives 0) and packs u as [batch, groups * int8_quads(cin), plane] quad words (cin =
/// channels / groups). zero_point[c] in [0, 255]. Returns false when a value of the input lies
/// outside [guard_low, guard_high] (NaN never does; the codes are written either way): the caller
/// then runs the layer in fp32 instead of clipping an input far outside calibration's range.
bool pack_u8_quads_ref(const float* input, int batch, int channels, int groups, int64_t plane,
                       const float* inverse_scale, const int32_t* zero_point, float guard_low,
                       float guard_high, uint32_t* packed);
bool pack_u8_quads_avx512(const float* input, int batch, int channels, int groups, int64_t plane,
                          const float* inverse_scale, const int32_t* zero_point, float guard_low,
                          float guard_high, uint32_t* packed);

/// What the int8 kernels see of input [batch, channels, plane], as u (pack_u8_quads_ref's bytes)
/// - zero_point[c], in fp32 (exact small integers). With the weights qw * w_scale in fp32, fp32
/// kernels then compute what the int8 kernels compute, up to the rounding of the float sums
/// (CPUs without VNNI). Returns false as pack_u8_quads_ref does. The optimised builds (in the
/// ConvKernels table: the fallback runs on any CPU) must give the reference's values exactly.
using UnpackedU8CodesFn = bool (*)(const float* input, int batch, int channels, int64_t plane,
                                   const float* inverse_scale, const int32_t* zero_point,
                                   float guard_low, float guard_high, float* output);
bool unpacked_u8_codes_ref(const float* input, int batch, int channels, int64_t plane,
                           const float* inverse_scale, const int32_t* zero_point, float guard_low,
                           float guard_high, float* output);
bool unpacked_u8_codes_scalar(const float* input, int batch, int channels, int64_t plane,
                              const float* inverse_scale, const int32_t* zero_point,
                              float guard_low, float guard_high, float* output);
bool unpacked_u8_codes_avx2(const float* input, int batch, int channels, int64_t plane,
                            const float* inverse_scale, const int32_t* zero_point, float guard_low,
                            float guard_high, float* output);
bool unpacked_u8_codes_avx512(const float* input, int batch, int channels, int64_t plane,
                              const float* inverse_scale, const int32_t* zero_point,
                              float guard_low, float guard_high, float* output);
bool unpacked_u8_codes_neon(const float* input, int batch, int channels, int64_t plane,
                            const float* inverse_scale, const int32_t* zero_point, float guard_low,
                            float guard_high, float* output);

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

void gconv1x1_u8s8_avxvnni(const uint32_t* input, int batch, int quads_per_group, int out_channels,
                           int groups, int64_t plane, const uint32_t* weight,
                           const int32_t* compensation, const float* scale, const float* bias,
                           const float* slopes, const float* addend, float* output);

/// ARMv8.2 dot-product (sdot) form: each byte fed as u - 128, the sum corrected by 128 * sum(qw)
/// of its row (exact); bit-identical to gconv1x1_u8s8_ref.
void gconv1x1_u8s8_neondot(const uint32_t* input, int batch, int quads_per_group, int out_channels,
                           int groups, int64_t plane, const uint32_t* weight,
                           const int32_t* compensation, const float* scale, const float* bias,
                           const float* slopes, const float* addend, float* output);

using PackU8QuadsFn = bool (*)(const float* input, int batch, int channels, int groups,
                               int64_t plane, const float* inverse_scale, const int32_t* zero_point,
                               float guard_low, float guard_high, uint32_t* packed);
bool pack_u8_quads_avx2(const float* input, int batch, int channels, int groups, int64_t plane,
                        const float* inverse_scale, const int32_t* zero_point, float guard_low,
                        float guard_high, uint32_t* packed);

bool pack_u8_quads_neon(const float* input, int batch, int channels, int groups, int64_t plane,
                        const float* inverse_scale, const int32_t* zero_point, float guard_low,
                        float guard_high, uint32_t* packed);

/// One set of VNNI kernels: the input quantizer and the convolution it feeds.
struct Int8Kernels {
  PackU8QuadsFn pack = nullptr;
  GconvU8S8Fn gconv = nullptr;
  const char* pack_name = "";
  const char* gconv_name = "";
};
/// The int8 dot-product kernels the CPU and the active ISA level allow: AVX-512 VNNI at the
/// avx512 level; AVX-VNNI (256-bit) at the avx2 level, or at avx512 on a CPU without AVX-512
/// VNNI; the ARMv8.2 dot product (sdot) at the neon level. Null otherwise (ESPNET_ISA=scalar,
/// older x86, ARM without the dot product): int8 then runs fp32 kernels on the dequantized
/// weights.
const Int8Kernels* int8_kernels();
/// Every VNNI kernel set this CPU has, whatever the active level (for tests).
std::vector<const Int8Kernels*> int8_kernel_sets();
/// int8_kernels() != nullptr.
bool int8_dot_product_available();

}  // namespace espnet
