// Reductions over channels or planes that follow the networks: the per-pixel argmax of a
// segmentation's class scores and the global average pool of EfficientPWConv's gate and the
// classifier. Portable C++ written for auto-vectorisation (no branches in the inner loops, built
// with -fno-trapping-math like every portable kernel); both are memory-bound, so wider vectors
// would not pay.
#pragma once

#include <cstdint>

namespace espnet {

/// labels[i] = the first c of the largest logits[c * plane + i] over c in [0, classes), for
/// classes in 1..256 (ties keep the lower class, as torch.argmax; NaN never wins).
void argmax_channels_f32(const float* logits, int classes, int64_t plane, uint8_t* labels);

/// output[p] = mean of input[p * plane_size ...] for each of `planes` planes (plane_size >= 1).
void global_avg_pool_f32(const float* input, int64_t planes, int64_t plane_size, float* output);

}  // namespace espnet
