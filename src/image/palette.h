// Colour palettes for label maps and turning a label map into an RGB image.
#pragma once

#include <array>
#include <cstdint>

#include "image/image.h"

namespace espnet {

/// 256 RGB triples (768 bytes), entry i at 3i .. 3i + 2.
using Palette = std::array<uint8_t, 768>;

/// PASCAL VOC colour map: for label i and k = 0..7, bits 3k, 3k+1, 3k+2 of i set bit 7 - k of
/// R, G and B.
Palette voc_palette();

/// Cityscapes colours by trainId (0 road .. 18 bicycle), 19 = background black, the rest zero.
Palette cityscapes_palette();

/// RGB image of a w x h label map (row-major): pixel = palette[label].
Image colorize_labels(const uint8_t* labels, int w, int h, const Palette& palette);

}  // namespace espnet
