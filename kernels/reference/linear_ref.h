// Reference fully-connected layer (nn.Linear): out[n, o] = bias[o] + sum_i w[o, i] * x[n, i].
#pragma once

namespace espnet {

void linear_f32_ref(const float* input, int batch, int in_features, const float* weight,
                    const float* bias, int out_features, float* output);

}  // namespace espnet
