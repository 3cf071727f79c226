// Contracts of the optimised convolution kernels (one declaration per ISA variant) and the
// small pieces of planning they share. The ISA variants live in kernels/x86/, compiled with
// per-file flags; only kernels/dispatch.cpp decides which one may run on this CPU.
#pragma once

#include <cstdint>

namespace espnet {

/// Grouped point-wise convolution (nn.Conv2d kernel 1, stride 1, padding 0), NCHW.
/// input [batch, in_channels, plane], weight [out_channels, in_channels / groups],
/// bias [out_channels] or null, slopes [out_channels] (per-channel PReLU applied to
/// bias + sum (+ addend), as nn.PReLU: y < 0 ? a * y : y) or null, addend [batch, out_channels,
/// plane] or null: added before the PReLU (the EESP residual, a sum of branches), output [batch,
/// out_channels, plane]. The caller guarantees groups > 0 divides both channel counts and that
/// output does not alias input; addend may be output itself (in place) but must not otherwise
/// overlap it. No alignment is required.
using PointwiseFn = void (*)(const float* input, int batch, int in_channels, int out_channels,
                             int groups, int64_t plane, const float* weight, const float* bias,
                             const float* slopes, const float* addend, float* output);

/// Point-wise convolution (groups 1) whose output is pixel-major: for image n, pixel p and output
/// channel co, output[n * batch_stride + p * row_stride + co] = bias[co] + sum over ci of
/// input[n][ci][p] * weight[co][ci]. This is the layout SSD flattens its heads into (one row of
/// box offsets or class scores per prior, the anchors of a cell side by side), so the heads write
/// their rows in place instead of being transposed afterwards. input [batch, in_channels, plane];
/// packed_weight [in_channels][pointwise_rows_stride(out_channels)], transposed and padded with
/// zeros (pack_pointwise_rows); bias [out_channels] or null. Rows must not overlap the input.
using PointwiseRowsFn = void (*)(const float* input, int batch, int in_channels, int64_t plane,
                                 const float* packed_weight, int out_channels, const float* bias,
                                 float* output, int64_t row_stride, int64_t batch_stride);

/// Floats per input channel in a packed point-wise-rows weight: out_channels rounded up to 16.
/// (Defined out of line, like everything this header declares: an inline function would be
/// compiled into the AVX-512 files too, and the linker could keep that copy for baseline code.)
int64_t pointwise_rows_stride(int out_channels);
/// Transposes an [out_channels, in_channels] weight into the packed layout (packed must hold
/// in_channels * pointwise_rows_stride(out_channels) floats; padding is zeroed).
void pack_pointwise_rows(const float* weight, int in_channels, int out_channels, float* packed);

/// Depth-wise 3x3 convolution (groups == in == out channels) with padding == dilation, NCHW.
/// input [batch, channels, in_h, in_w], weight [channels, 1, 3, 3], bias/slopes as above,
/// output [batch, channels, (in_h - 1) / stride + 1, (in_w - 1) / stride + 1].
/// stride is 1 or 2, dilation >= 1.
using DepthwiseFn = void (*)(const float* input, int batch, int channels, int in_h, int in_w,
                             int stride, int dilation, const float* weight, const float* bias,
                             const float* slopes, float* output);

/// Grouped 3x3 convolution with padding 1, dilation 1, stride 1 or 2, any group count, meant
/// for few input channels per group (the 3-channel stem and image shortcut, EfficientPyrPool's
/// and EfficientPWConv's grouped 3x3). input [batch, in_channels, in_h, in_w], weight
/// [out_channels, in_channels / groups, 3, 3], bias/slopes as above, output [batch,
/// out_channels, (in_h - 1) / stride + 1, (in_w - 1) / stride + 1]. Same caller guarantees as
/// PointwiseFn.
using Conv3x3Fn = void (*)(const float* input, int batch, int in_channels, int out_channels,
                           int groups, int in_h, int in_w, int stride, const float* weight,
                           const float* bias, const float* slopes, float* output);

void gconv1x1_f32_scalar(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int64_t plane, const float* weight, const float* bias,
                         const float* slopes, const float* addend, float* output);
void gconv1x1_f32_avx2(const float* input, int batch, int in_channels, int out_channels, int groups,
                       int64_t plane, const float* weight, const float* bias, const float* slopes,
                       const float* addend, float* output);
void gconv1x1_f32_avx512(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int64_t plane, const float* weight, const float* bias,
                         const float* slopes, const float* addend, float* output);
void gconv1x1_f32_neon(const float* input, int batch, int in_channels, int out_channels, int groups,
                       int64_t plane, const float* weight, const float* bias, const float* slopes,
                       const float* addend, float* output);

void pointwise_rows_f32_scalar(const float* input, int batch, int in_channels, int64_t plane,
                               const float* packed_weight, int out_channels, const float* bias,
                               float* output, int64_t row_stride, int64_t batch_stride);
void pointwise_rows_f32_avx2(const float* input, int batch, int in_channels, int64_t plane,
                             const float* packed_weight, int out_channels, const float* bias,
                             float* output, int64_t row_stride, int64_t batch_stride);
void pointwise_rows_f32_avx512(const float* input, int batch, int in_channels, int64_t plane,
                               const float* packed_weight, int out_channels, const float* bias,
                               float* output, int64_t row_stride, int64_t batch_stride);
void pointwise_rows_f32_neon(const float* input, int batch, int in_channels, int64_t plane,
                             const float* packed_weight, int out_channels, const float* bias,
                             float* output, int64_t row_stride, int64_t batch_stride);

void dwconv3x3_f32_scalar(const float* input, int batch, int channels, int in_h, int in_w,
                          int stride, int dilation, const float* weight, const float* bias,
                          const float* slopes, float* output);
void dwconv3x3_f32_avx2(const float* input, int batch, int channels, int in_h, int in_w, int stride,
                        int dilation, const float* weight, const float* bias, const float* slopes,
                        float* output);
void dwconv3x3_f32_avx512(const float* input, int batch, int channels, int in_h, int in_w,
                          int stride, int dilation, const float* weight, const float* bias,
                          const float* slopes, float* output);
void dwconv3x3_f32_neon(const float* input, int batch, int channels, int in_h, int in_w, int stride,
                        int dilation, const float* weight, const float* bias, const float* slopes,
                        float* output);

void gconv3x3_f32_scalar(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int in_h, int in_w, int stride, const float* weight,
                         const float* bias, const float* slopes, float* output);
void gconv3x3_f32_avx2(const float* input, int batch, int in_channels, int out_channels, int groups,
                       int in_h, int in_w, int stride, const float* weight, const float* bias,
                       const float* slopes, float* output);
void gconv3x3_f32_avx512(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int in_h, int in_w, int stride, const float* weight,
                         const float* bias, const float* slopes, float* output);
void gconv3x3_f32_neon(const float* input, int batch, int in_channels, int out_channels, int groups,
                       int in_h, int in_w, int stride, const float* weight, const float* bias,
                       const float* slopes, float* output);

/// Where a depth-wise 3x3 output row needs no column bounds checks: for x in
/// [interior_begin, interior_end) all three taps x * stride + {-d, 0, d} lie inside the row.
/// Columns before/after are border columns. interior_begin <= interior_end always holds.
struct Dwconv3x3Geometry {
  int out_h = 0;
  int out_w = 0;
  int interior_begin = 0;
  int interior_end = 0;
};
Dwconv3x3Geometry dwconv3x3_geometry(int in_h, int in_w, int stride, int dilation);

/// Multiply-adds below which a kernel runs on the calling thread only: forking a team costs
/// microseconds (far more when other processes hold the cores), more than small ESPNetv2 layers
/// take. Depth-wise runs ~10x fewer multiply-adds per second than point-wise, hence its lower
/// bar; both are about 10-80 us of single-thread work. Tuned on a busy 2-core machine: revisit.
constexpr double kParallelMinMacsPointwise = 1 << 20;
constexpr double kParallelMinMacsDepthwise = 1 << 19;
/// The direct grouped 3x3 runs at roughly depth-wise speed per multiply-add.
constexpr double kParallelMinMacsConv3x3 = 1 << 19;

/// The job-splitting policy of every threaded kernel: a kernel has `outer` jobs (images, groups,
/// pixel chunks or planes) and may also cut an axis of `tiles` units (rows, register tiles of
/// output channels) into blocks. Returns the units per block: all of them, unless a threaded run
/// (`parallel`, not already inside a parallel region) would have under 4 jobs per OpenMP thread,
/// which would leave threads idle (a 38x38 plane is one job; SSD's 10x10 heads are one chunk).
int64_t tiles_per_block(int64_t tiles, int64_t outer, bool parallel);

/// Output rows per job for the kernels that split (image or plane, block of output rows): about
/// `pixels_per_job` output pixels, and no more than tiles_per_block(out_h, outer, parallel).
int rows_per_job(int out_h, int out_w, int64_t pixels_per_job, int64_t outer, bool parallel);

/// One output pixel (before the activation) of the depth-wise 3x3 centred on input (center_y,
/// center_x), with full bounds checks (the border path, shared by
/// all ISAs; it is compiled for the baseline ISA).
float dwconv3x3_pixel(const float* plane, int in_h, int in_w, int center_y, int center_x,
                      int dilation, const float* w, float bias);

}  // namespace espnet
