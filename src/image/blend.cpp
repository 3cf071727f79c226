#include "image/blend.h"

#include <string>

#include "espnet/error.h"

namespace espnet {

Image blend_overlay(const Image& original, const Image& colours, float alpha) {
  if (original.width != colours.width || original.height != colours.height ||
      original.channels != colours.channels)
    throw Error("blend_overlay: the images differ in size (" + std::to_string(original.width) +
                "x" + std::to_string(original.height) + "x" + std::to_string(original.channels) +
                " vs " + std::to_string(colours.width) + "x" + std::to_string(colours.height) +
                "x" + std::to_string(colours.channels) + ")");
  if (original.pixels.size() != colours.pixels.size() ||
      original.pixels.size() !=
          static_cast<size_t>(original.width) * original.height * original.channels)
    throw Error("blend_overlay: a pixel buffer does not match its image size");
  Image out = original;
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    const float a = original.pixels[i], b = colours.pixels[i];
    // Pillow's ImagingBlend: (UINT8) ((int) in1 + alpha * ((int) in2 - (int) in1)) with a float
    // alpha, clamped; the cast truncates toward zero.
    const float v = a + alpha * (b - a);
    const int t = static_cast<int>(v);
    out.pixels[i] = static_cast<uint8_t>(t < 0 ? 0 : (t > 255 ? 255 : t));
  }
  return out;
}

}  // namespace espnet
