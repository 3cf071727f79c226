#include "image/palette.h"

#include <string>

#include "espnet/error.h"

namespace espnet {

Palette voc_palette() {
  Palette p{};
  for (int i = 0; i < 256; ++i) {
    int r = 0, g = 0, b = 0;
    for (int k = 0, label = i; k < 8; ++k, label >>= 3) {
      r |= ((label >> 0) & 1) << (7 - k);
      g |= ((label >> 1) & 1) << (7 - k);
      b |= ((label >> 2) & 1) << (7 - k);
    }
    p[3 * i] = static_cast<uint8_t>(r);
    p[3 * i + 1] = static_cast<uint8_t>(g);
    p[3 * i + 2] = static_cast<uint8_t>(b);
  }
  return p;
}

Palette cityscapes_palette() {
  static constexpr uint8_t kColours[20][3] = {
      {128, 64, 128},  {244, 35, 232}, {70, 70, 70},  {102, 102, 156}, {190, 153, 153},
      {153, 153, 153}, {250, 170, 30}, {220, 220, 0}, {107, 142, 35},  {152, 251, 152},
      {70, 130, 180},  {220, 20, 60},  {255, 0, 0},   {0, 0, 142},     {0, 0, 70},
      {0, 60, 100},    {0, 80, 100},   {0, 0, 230},   {119, 11, 32},   {0, 0, 0}};
  Palette p{};
  for (int i = 0; i < 20; ++i)
    for (int c = 0; c < 3; ++c) p[3 * i + c] = kColours[i][c];
  return p;
}

Image colorize_labels(const uint8_t* labels, int w, int h, const Palette& palette) {
  if (labels == nullptr || w <= 0 || h <= 0 || int64_t{w} * h > (int64_t{1} << 30))
    throw Error("colorize_labels: invalid label map " + std::to_string(w) + "x" +
                std::to_string(h));
  Image img;
  img.width = w;
  img.height = h;
  img.channels = 3;
  const size_t n = static_cast<size_t>(w) * h;
  img.pixels.resize(n * 3);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* colour = &palette[3 * static_cast<size_t>(labels[i])];
    img.pixels[3 * i] = colour[0];
    img.pixels[3 * i + 1] = colour[1];
    img.pixels[3 * i + 2] = colour[2];
  }
  return img;
}

}  // namespace espnet
