// Image.blend of the segmentation demo's overlay.
#pragma once

#include <cstdint>

#include "image/image.h"
#include "image/palette.h"

namespace espnet {

/// PIL Image.blend(original, colours, alpha): per channel
/// out = clamp((uint8) trunc(a + alpha * (float)(b - a)), 0, 255) computed in float32.
/// Both images must have the same size and channel count; throws espnet::Error otherwise.
Image blend_overlay(const Image& original, const Image& colours, float alpha);

/// blend_overlay(photo, colorize_labels(labels, ...), alpha) in one pass, without the colour
/// image in between: `labels` holds photo.width * photo.height palette indices. The photo must
/// be RGB; throws espnet::Error otherwise. Big photos are blended on up to `threads` threads.
Image blend_labels_overlay(const Image& photo, const uint8_t* labels, const Palette& palette,
                           float alpha, int threads = 1);

}  // namespace espnet
