// Reference bilinear resize with F.interpolate(mode='bilinear', align_corners=True) semantics:
// source coordinate = dst * (in - 1) / (out - 1) (0 when out == 1), clamped neighbours.
#pragma once

#include <cstdint>

namespace espnet {

void resize_bilinear_align_corners_f32_ref(const float* input, int64_t planes, int in_h, int in_w,
                                           int out_h, int out_w, float* output);

}  // namespace espnet
