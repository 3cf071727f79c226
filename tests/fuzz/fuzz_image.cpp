// libFuzzer target: image decoding, then every family's preprocessing and the segmentation
// post-processing (label resize, colours, overlay) at network sizes taken from the input.
#include <stb/stb_image.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

#include "espnet/error.h"
#include "image/blend.h"
#include "image/image_decode.h"
#include "image/labels.h"
#include "image/palette.h"
#include "image/preprocess.h"
#include "image/stb_hazards.h"

namespace {

// Large valid images are only slow to decode, not interesting: the fuzzer skips them (the size
// limits of decode_image_memory are unit-tested instead).
constexpr int64_t kMaxFuzzPixels = int64_t{1} << 20;

template <typename F>
void expect_error_or_success(F f) {
  try {
    f();
  } catch (const espnet::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > INT_MAX) return 0;
  // The same pre-check decode_image_memory makes, before this harness's own stbi_info call.
  try {
    espnet::refuse_stb_hazards(data, size, "fuzz.img");
  } catch (const espnet::Error&) {
    return 0;
  }
  int w = 0, h = 0, channels = 0;
  if (stbi_info_from_memory(data, static_cast<int>(size), &w, &h, &channels) &&
      int64_t{w} * h > kMaxFuzzPixels)
    return 0;
  espnet::Image photo;
  try {
    photo = espnet::decode_image_memory(data, size, "fuzz.img");
  } catch (const espnet::Error&) {
    return 0;
  }
  // Network sizes from the last bytes: 1..64 per side, so odd and tiny sizes come up.
  const int net_w = 1 + data[size - 1] % 64, net_h = 1 + data[size / 2] % 64;
  expect_error_or_success([&] { espnet::preprocess_segmentation_edgenets(photo, net_w, net_h); });
  expect_error_or_success([&] { espnet::preprocess_segmentation_original(photo, net_w, net_h); });
  expect_error_or_success([&] {
    espnet::preprocess_classification(photo, std::min(net_w, net_h), std::max(net_w, net_h));
  });
  expect_error_or_success([&] { espnet::preprocess_detection(photo, net_w); });
  expect_error_or_success(
      [&] { espnet::segmentation_demo_network_size(photo.width, photo.height); });
  expect_error_or_success([&] {
    std::vector<uint8_t> labels(static_cast<size_t>(net_w) * net_h);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = data[i % size] % 21;
    std::vector<uint8_t> full =
        espnet::resize_labels_nearest(labels.data(), net_w, net_h, photo.width, photo.height);
    espnet::Image colours =
        espnet::colorize_labels(full.data(), photo.width, photo.height, espnet::voc_palette());
    espnet::blend_overlay(photo, colours, 0.7f);
  });
  return 0;
}
