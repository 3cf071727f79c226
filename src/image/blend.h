// Image.blend of the segmentation demo's overlay.
#pragma once

#include "image/image.h"

namespace espnet {

/// PIL Image.blend(original, colours, alpha): per channel
/// out = clamp((uint8) trunc(a + alpha * (float)(b - a)), 0, 255) computed in float32.
/// Both images must have the same size and channel count; throws espnet::Error otherwise.
Image blend_overlay(const Image& original, const Image& colours, float alpha);

}  // namespace espnet
