// Contracts of the optimised pooling and resize kernels (one declaration per ISA variant where
// one exists). All work on NCHW planes: `planes` = batch * channels planes of in_h x in_w floats,
// written to planes of out_h x out_w. Input and output must not alias. None allocates on the heap:
// their scratch rows and taps live on the stack (a few KB per thread).
#pragma once

#include <cstdint>

namespace espnet {

/// nn.AvgPool2d(3, stride=2, padding=1) with count_include_pad=True (PyTorch's default): every
/// window is divided by 9, padding counted as zeros; output (in - 1) / 2 + 1 = ceil(in / 2) on
/// each axis.
using AvgPool3x3s2Fn = void (*)(const float* input, int64_t planes, int in_h, int in_w,
                                float* output);

/// F.interpolate(mode='bilinear', align_corners=True); taps computed in float exactly as
/// resize_bilinear_align_corners_f32_ref (and PyTorch) do.
using ResizeBilinearFn = void (*)(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                  int out_w, float* output);

/// A segmentation network's last step on one image: `classes` planes of logits resized as
/// ResizeBilinearFn does, then each output pixel's class (the first of equal maxima; a NaN never
/// wins) written as a float to `labels` (out_h x out_w), without writing the resized planes. The
/// labels are exactly those of argmax_channels_f32 over the same ISA's resize (classes 1..256).
using ResizeBilinearArgmaxFn = void (*)(const float* input, int classes, int in_h, int in_w,
                                        int out_h, int out_w, float* labels);

/// F.adaptive_avg_pool2d: cell i spans floor(i * in / out) .. ceil((i + 1) * in / out) - 1.
using AdaptiveAvgPoolFn = void (*)(const float* input, int64_t planes, int in_h, int in_w,
                                   int out_h, int out_w, float* output);

void avg_pool3x3s2_f32_scalar(const float* input, int64_t planes, int in_h, int in_w,
                              float* output);
void avg_pool3x3s2_f32_avx2(const float* input, int64_t planes, int in_h, int in_w, float* output);
void avg_pool3x3s2_f32_avx512(const float* input, int64_t planes, int in_h, int in_w,
                              float* output);
void avg_pool3x3s2_f32_neon(const float* input, int64_t planes, int in_h, int in_w, float* output);

/// Portable (the compiler vectorises the row blends).
void resize_bilinear_f32_scalar(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                int out_w, float* output);
void resize_bilinear_f32_avx2(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                              int out_w, float* output);
void resize_bilinear_f32_avx512(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                int out_w, float* output);
void resize_bilinear_f32_neon(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                              int out_w, float* output);
void resize_bilinear_argmax_f32_scalar(const float* input, int classes, int in_h, int in_w,
                                       int out_h, int out_w, float* labels);
void resize_bilinear_argmax_f32_avx2(const float* input, int classes, int in_h, int in_w, int out_h,
                                     int out_w, float* labels);
void resize_bilinear_argmax_f32_avx512(const float* input, int classes, int in_h, int in_w,
                                       int out_h, int out_w, float* labels);
void resize_bilinear_argmax_f32_neon(const float* input, int classes, int in_h, int in_w, int out_h,
                                     int out_w, float* labels);
void adaptive_avg_pool_f32_scalar(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                                  int out_w, float* output);

/// Output columns an avg_pool3x3s2 kernel handles per pass over a row: its scratch row holds the
/// 2 * kAvgPoolColumns + 1 vertical sums they need (plus vector slack).
constexpr int kAvgPoolColumns = 512;

}  // namespace espnet
