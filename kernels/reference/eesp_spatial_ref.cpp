#include <cstddef>
#include <vector>

#include "kernels/eesp_spatial.h"
#include "kernels/reference/conv2d_ref.h"
#include "kernels/reference/elementwise_ref.h"

namespace espnet {

void eesp_spatial_f32_ref(const float* input, int batch, int width, int in_h, int in_w, int stride,
                          int branches, const int* dilations, const float* weights,
                          const float* scale, const float* shift, const float* slopes,
                          float* output) {
  const int out_h = (in_h - 1) / stride + 1, out_w = (in_w - 1) / stride + 1;
  const int64_t plane = int64_t(out_h) * out_w, branch_size = int64_t(width) * plane;
  std::vector<float> previous(std::size_t(batch * branch_size), 0.0f), current(previous.size());
  for (int i = 0; i < branches; ++i) {
    Conv2dParams p;
    p.in_channels = p.out_channels = p.groups = width;
    p.kernel_h = p.kernel_w = 3;
    p.stride = stride;
    p.dilation = p.pad = dilations[i];
    conv2d_f32_ref(input, batch, in_h, in_w, p, weights + int64_t(i) * width * 9, nullptr,
                   current.data());
    if (i > 0)
      add_f32_ref(current.data(), previous.data(), current.data(), int64_t(current.size()));
    for (int n = 0; n < batch; ++n)
      std::copy(current.begin() + n * branch_size, current.begin() + (n + 1) * branch_size,
                output + (int64_t(n) * branches + i) * branch_size);
    previous.swap(current);
  }
  scale_shift_prelu_f32_ref(output, batch, branches * width, plane, scale, shift, slopes);
}

}  // namespace espnet
