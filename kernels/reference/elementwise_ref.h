// Reference per-channel element-wise kernels on NCHW data (batch * channels planes of `plane`
// elements each). Readable ground truth; they are built with -fno-trapping-math (see
// cmake/isa_flags.cmake) so the PReLU select vectorises instead of branching on every sign.
#pragma once

#include <cstdint>

namespace espnet {

/// x = x * scale[c] + shift[c] (a folded BatchNorm), then, when `slope` is not null, PReLU with
/// one slope per channel (nn.PReLU(num_parameters=C)): x < 0 ? slope[c] * x : x.
void scale_shift_prelu_f32_ref(float* data, int batch, int channels, int64_t plane,
                               const float* scale, const float* shift, const float* slope);

/// out = a + b, then PReLU with one slope per channel (`slope` null: no activation). `out` may
/// alias `a` or `b`.
void add_prelu_f32_ref(const float* a, const float* b, float* out, int batch, int channels,
                       int64_t plane, const float* slope);

/// PReLU alone, one slope per channel.
void prelu_f32_ref(float* data, int batch, int channels, int64_t plane, const float* slope);

/// ReLU in place.
void relu_f32_ref(float* data, int64_t count);

/// out = a + b, element-wise (out may alias a or b).
void add_f32_ref(const float* a, const float* b, float* out, int64_t count);

/// Logistic sigmoid in place.
void sigmoid_f32_ref(float* data, int64_t count);
}  // namespace espnet
