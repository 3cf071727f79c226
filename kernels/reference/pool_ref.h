// Reference pooling kernels on NCHW planes (`planes` = batch * channels).
#pragma once

#include <cstdint>

namespace espnet {

/// nn.AvgPool2d(kernel, stride, pad) with count_include_pad=True (PyTorch's default): every
/// window is divided by kernel*kernel, padding counted as zeros. ceil_mode=False.
void avg_pool_f32_ref(const float* input, int64_t planes, int in_h, int in_w, int kernel,
                      int stride, int pad, float* output);

/// F.adaptive_avg_pool2d: output cell i spans floor(i*in/out) .. ceil((i+1)*in/out) - 1 on each
/// axis (cells overlap when in is not a multiple of out, and repeat when out > in).
void adaptive_avg_pool_f32_ref(const float* input, int64_t planes, int in_h, int in_w, int out_h,
                               int out_w, float* output);

/// Mean of each plane.
void global_avg_pool_f32_ref(const float* input, int64_t planes, int64_t plane, float* output);

}  // namespace espnet
