// Contracts of the optimised per-channel element-wise kernels (the BatchNorm + PReLU passes, the
// residual add + PReLU and the hierarchical-fusion add the networks run between convolutions),
// one declaration per ISA variant. NCHW data: batch * channels planes of `plane` elements.
//
// Why they exist: PyTorch semantics are trivial here, but the obvious loop
// `p[j] = p[j] < 0 ? a * p[j] : p[j]` compiles (under GCC's default -ftrapping-math) to a scalar
// loop with a conditional multiply and store, which mispredicts on about half of the elements
// because activation signs are random: ~4.5 ns per element, 40x slower than a vector select.
#pragma once

#include <cstdint>

namespace espnet {

/// In place: x = x * scale[c] + shift[c], then, when `slopes` is not null, PReLU with one slope
/// per channel (x < 0 ? slopes[c] * x : x, as nn.PReLU). `scale`, `shift` and `slopes` may each
/// be null (identity scale, zero shift, no activation). The multiply-add may be fused (one
/// rounding instead of two).
using ScaleShiftPreluFn = void (*)(float* data, int batch, int channels, int64_t plane,
                                   const float* scale, const float* shift, const float* slopes);

/// out = PReLU(a + b) with one slope per channel; `slopes` null means out = a + b. `out` may
/// alias `a` or `b` (element i is read before it is written).
using AddPreluFn = void (*)(const float* a, const float* b, float* out, int batch, int channels,
                            int64_t plane, const float* slopes);

/// out = a + b over `count` elements; `out` may alias `a` or `b`.
using AddFn = void (*)(const float* a, const float* b, float* out, int64_t count);

void scale_shift_prelu_f32_scalar(float* data, int batch, int channels, int64_t plane,
                                  const float* scale, const float* shift, const float* slopes);
void scale_shift_prelu_f32_avx2(float* data, int batch, int channels, int64_t plane,
                                const float* scale, const float* shift, const float* slopes);
void scale_shift_prelu_f32_avx512(float* data, int batch, int channels, int64_t plane,
                                  const float* scale, const float* shift, const float* slopes);
void scale_shift_prelu_f32_neon(float* data, int batch, int channels, int64_t plane,
                                const float* scale, const float* shift, const float* slopes);

void add_prelu_f32_scalar(const float* a, const float* b, float* out, int batch, int channels,
                          int64_t plane, const float* slopes);
void add_prelu_f32_avx2(const float* a, const float* b, float* out, int batch, int channels,
                        int64_t plane, const float* slopes);
void add_prelu_f32_avx512(const float* a, const float* b, float* out, int batch, int channels,
                          int64_t plane, const float* slopes);
void add_prelu_f32_neon(const float* a, const float* b, float* out, int batch, int channels,
                        int64_t plane, const float* slopes);

void add_f32_scalar(const float* a, const float* b, float* out, int64_t count);
void add_f32_avx2(const float* a, const float* b, float* out, int64_t count);
void add_f32_avx512(const float* a, const float* b, float* out, int64_t count);
void add_f32_neon(const float* a, const float* b, float* out, int64_t count);

/// Element-wise passes run at memory speed (~0.1 ns per element), so a parallel region pays only
/// for tensors of a megabyte or more; below that they run on the calling thread.
constexpr double kParallelMinElements = 1 << 18;
/// Work unit of the threaded element-wise passes: a plane, or a chunk of this many elements of a
/// larger plane.
constexpr int64_t kElementwiseChunk = 1 << 14;

}  // namespace espnet
