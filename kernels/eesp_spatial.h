// The fused spatial stage of an EESP unit: all K depth-wise dilated 3x3 branches over the same
// reduced input in one pass, the hierarchical feature fusion (branch i = conv_i + branch i-1)
// kept in registers, the BatchNorm + PReLU that follows the concatenation applied, and every
// branch written straight into its slice of the concatenated output.
//
// Layout: NCHW. input [batch, width, in_h, in_w]; weights [K][width][3][3] (branch-major: the
// spp_dw.i weights one after another); scale/shift/slopes [K * width] indexed as the
// concatenated channel i * width + c; output [batch, K * width, out_h, out_w] with
// out = (in - 1) / stride + 1 (padding == dilation, so every branch has that size).
// K <= 8, stride 1 or 2, dilations >= 1. Reads only inside the input; writes every output
// element exactly once; no alignment needed. Threads: OpenMP over (image, channel, row block).
#pragma once

#include <cstdint>

namespace espnet {

using EespSpatialFn = void (*)(const float* input, int batch, int width, int in_h, int in_w,
                               int stride, int branches, const int* dilations, const float* weights,
                               const float* scale, const float* shift, const float* slopes,
                               float* output);

/// Naive ground truth: each branch with the reference convolution, running sum, BN, PReLU.
void eesp_spatial_f32_ref(const float* input, int batch, int width, int in_h, int in_w, int stride,
                          int branches, const int* dilations, const float* weights,
                          const float* scale, const float* shift, const float* slopes,
                          float* output);
void eesp_dw_hff_f32_scalar(const float* input, int batch, int width, int in_h, int in_w,
                            int stride, int branches, const int* dilations, const float* weights,
                            const float* scale, const float* shift, const float* slopes,
                            float* output);
void eesp_dw_hff_f32_avx2(const float* input, int batch, int width, int in_h, int in_w, int stride,
                          int branches, const int* dilations, const float* weights,
                          const float* scale, const float* shift, const float* slopes,
                          float* output);
void eesp_dw_hff_f32_avx512(const float* input, int batch, int width, int in_h, int in_w,
                            int stride, int branches, const int* dilations, const float* weights,
                            const float* scale, const float* shift, const float* slopes,
                            float* output);
void eesp_dw_hff_f32_neon(const float* input, int batch, int width, int in_h, int in_w, int stride,
                          int branches, const int* dilations, const float* weights,
                          const float* scale, const float* shift, const float* slopes,
                          float* output);

/// The variant for the active ISA (the table in kernels/dispatch.h), and its name.
EespSpatialFn eesp_spatial_kernel();
const char* eesp_spatial_kernel_name();

}  // namespace espnet
