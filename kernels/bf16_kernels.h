// Contracts of the bf16 kernels (AVX-512 BF16: vcvtne2ps2bf16, vdpbf16ps) and the layouts they
// share. bf16 is the upper half of an IEEE float (8 exponent bits, 7 stored mantissa bits), so a
// product of two bf16 values is exact in fp32: these kernels round their inputs to bf16 once and
// then accumulate in fp32.
//
// Pair layout. vdpbf16ps multiplies PAIRS of bf16 values lane by lane, so both the activations
// and the weights are stored as pairs of adjacent input channels, one pair per 32-bit word (the
// lower half holds the even channel, the upper half the odd one; an odd channel count is padded
// with a zero channel). A pair word has the size of a float, so a packed activation lives in an
// ordinary float Tensor and the fp32 kernel bodies (gconv1x1_impl.inc, pointwise_rows_impl.inc)
// run unchanged over it with "channels" = pairs and "fmadd" = vdpbf16ps.
#pragma once

#include <cstdint>

#include "kernels/conv_kernels.h"

namespace espnet {

/// Input-channel pairs of `channels` channels (rounded up).
int bf16_pairs(int channels);

/// Rounds input [batch, channels, plane] (fp32, NCHW) to bf16 and packs it as
/// [batch, groups * bf16_pairs(channels / groups), plane] pair words: pair k of group g at pixel p
/// holds channels (g * cin + 2k, g * cin + 2k + 1) of that pixel (cin = channels / groups; the
/// second is 0 when 2k + 1 == cin). Rounding is to nearest even; denormals become zero (as the
/// hardware conversion does). The caller guarantees groups divides channels.
using PackBf16PairsFn = void (*)(const float* input, int batch, int channels, int groups,
                                 int64_t plane, uint32_t* packed);

void pack_bf16_pairs_ref(const float* input, int batch, int channels, int groups, int64_t plane,
                         uint32_t* packed);
void pack_bf16_pairs_avx512bf16(const float* input, int batch, int channels, int groups,
                                int64_t plane, uint32_t* packed);

/// Grouped 1x1 convolution over packed pairs: PointwiseFn's contract with `input` the packed
/// activation (as float storage) and in_channels = groups * pairs per group, `weight` the packed
/// weight of pack_bf16_gconv1x1_weight ([out_channels][pairs per group] words). Bias, slopes,
/// addend and output are fp32.
void gconv1x1_bf16_avx512bf16(const float* input, int batch, int in_channels, int out_channels,
                              int groups, int64_t plane, const float* weight, const float* bias,
                              const float* slopes, const float* addend, float* output);
/// Pixel-major 1x1 over packed pairs: PointwiseRowsFn's contract with in_channels = pairs and
/// packed_weight from pack_bf16_pointwise_rows ([pairs][pointwise_rows_stride(out)] words).
void pointwise_rows_bf16_avx512bf16(const float* input, int batch, int in_channels, int64_t plane,
                                    const float* packed_weight, int out_channels, const float* bias,
                                    float* output, int64_t row_stride, int64_t batch_stride);

/// The naive references of the two kernels above, in their own arithmetic: the same packed bf16
/// operands, every product formed exactly in fp32 and summed in fp32 in plain channel order.
void gconv1x1_bf16_ref(const uint32_t* packed_input, int batch, int pairs_per_group,
                       int out_channels, int groups, int64_t plane, const uint32_t* weight,
                       const float* bias, const float* slopes, const float* addend, float* output);
void pointwise_rows_bf16_ref(const uint32_t* packed_input, int batch, int pairs, int64_t plane,
                             const uint32_t* packed_weight, int out_channels, const float* bias,
                             float* output, int64_t row_stride, int64_t batch_stride);

/// fp32 -> bf16, round to nearest even, denormals to signed zero, NaN stays a (quiet) NaN.
uint16_t float_to_bf16(float x);
float bf16_to_float(uint16_t x);

/// Weight [out_channels, cin] (cin input channels per group) -> [out_channels][bf16_pairs(cin)]
/// pair words.
void pack_bf16_gconv1x1_weight(const float* weight, int out_channels, int cin, uint32_t* packed);
/// Weight [out_channels, in_channels] -> [bf16_pairs(in)][pointwise_rows_stride(out)] pair words,
/// padding zero.
void pack_bf16_pointwise_rows(const float* weight, int in_channels, int out_channels,
                              uint32_t* packed);

/// The same from the fp32 packed layout of pack_pointwise_rows ([in_channels][stride]).
void pack_bf16_pointwise_rows_from_rows(const float* rows, int in_channels, int out_channels,
                                        uint32_t* packed);

/// The bf16 kernels this CPU can run, or null: they need AVX-512 BF16, and the active ISA level
/// (ESPNET_ISA, set_isa) at avx512.
struct Bf16Kernels {
  PackBf16PairsFn pack = nullptr;
  PointwiseFn pointwise = nullptr;
  PointwiseRowsFn pointwise_rows = nullptr;
  const char* pack_name = "";
  const char* pointwise_name = "";
  const char* pointwise_rows_name = "";
};
const Bf16Kernels* bf16_kernels();
/// Whether the CPU has AVX-512 BF16 (whatever the active level).
bool cpu_has_avx512_bf16();

}  // namespace espnet
