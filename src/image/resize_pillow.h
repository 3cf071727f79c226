// Pillow's Image.resize(size, Image.BILINEAR) on 8-bit images, reproduced bit for bit.
#pragma once

#include "image/image.h"

namespace espnet {

/// Antialiased bilinear resize as in Pillow 9.x (libImaging/Resample.c, 8 bits per channel):
/// separable, the horizontal pass first into an 8-bit image, then the vertical pass; triangle
/// filter whose support widens with the reduction factor; 22-bit fixed-point coefficients.
/// A pass whose size does not change is skipped, as in Pillow. Any channel count. Runs on up to
/// `threads` OpenMP threads (one for a small image).
/// Throws espnet::Error on an empty source or a non-positive output size.
Image resize_pillow_bilinear(const Image& src, int out_w, int out_h, int threads = 1);

}  // namespace espnet
