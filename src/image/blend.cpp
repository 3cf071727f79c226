#include "image/blend.h"

#include <algorithm>

#include <string>

#include "espnet/error.h"

namespace espnet {
namespace {

// Pillow's ImagingBlend: (UINT8) ((int) in1 + alpha * ((int) in2 - (int) in1)) with a float
// alpha, clamped; the cast truncates toward zero.
inline uint8_t blend_channel(uint8_t in1, uint8_t in2, float alpha) {
  const float a = in1, b = in2;
  const int t = static_cast<int>(a + alpha * (b - a));
  return static_cast<uint8_t>(t < 0 ? 0 : (t > 255 ? 255 : t));
}

}  // namespace

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
  for (size_t i = 0; i < out.pixels.size(); ++i)
    out.pixels[i] = blend_channel(original.pixels[i], colours.pixels[i], alpha);
  return out;
}

Image blend_labels_overlay(const Image& photo, const uint8_t* labels, const Palette& palette,
                           float alpha, int threads) {
  if (photo.channels != 3 || photo.width <= 0 || photo.height <= 0 ||
      photo.pixels.size() != static_cast<size_t>(photo.width) * photo.height * 3)
    throw Error("blend_labels_overlay: expected an RGB photo with a matching pixel buffer");
  if (labels == nullptr) throw Error("blend_labels_overlay: null label map");
  Image out;
  out.width = photo.width;
  out.height = photo.height;
  out.channels = 3;
  out.pixels.resize(photo.pixels.size());
  const int64_t n = int64_t{photo.width} * photo.height;
  const uint8_t* in = photo.pixels.data();
  uint8_t* o = out.pixels.data();
  // Under ~64 K pixels a thread costs more than it saves.
#pragma omp parallel for num_threads(std::max(1, threads)) if (threads > 1 && n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* colour = &palette[3 * static_cast<size_t>(labels[i])];
    for (int c = 0; c < 3; ++c) o[3 * i + c] = blend_channel(in[3 * i + c], colour[c], alpha);
  }
  return out;
}

}  // namespace espnet
