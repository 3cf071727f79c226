// An 8-bit image in memory: rows top to bottom, pixels left to right, channels interleaved (HWC).
#pragma once

#include <cstdint>
#include <vector>

namespace espnet {

struct Image {
  int width = 0, height = 0, channels = 0;
  /// width * height * channels bytes, channel fastest (RGB for decoded photos).
  std::vector<uint8_t> pixels;
};

}  // namespace espnet
