// Reference (portable, readable) 2-D convolution with PyTorch nn.Conv2d semantics: NCHW input,
// weight [out_channels, in_channels / groups, kernel_h, kernel_w], symmetric zero padding, one
// stride and one dilation for both axes, any group count. The ground truth for optimised kernels.
#pragma once

#include <cstdint>

namespace espnet {

struct Conv2dParams {
  int in_channels = 0;
  int out_channels = 0;
  int kernel_h = 1;
  int kernel_w = 1;
  int stride = 1;
  int pad = 0;
  int dilation = 1;
  int groups = 1;
};

/// Output extent of a convolution or pooling window: floor((in + 2 pad - dil (k - 1) - 1) / s) + 1.
int conv_output_size(int in, int kernel, int stride, int pad, int dilation);

/// out[n, co, y, x] = bias[co] + sum over the group's input channels and taps. `bias` may be null.
void conv2d_f32_ref(const float* input, int batch, int in_h, int in_w, const Conv2dParams& p,
                    const float* weight, const float* bias, float* output);

}  // namespace espnet
