#include "image/preprocess.h"

#include <cmath>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "image/resize_opencv.h"
#include "image/resize_pillow.h"

namespace espnet {
namespace {

// Network inputs larger than this per side are refused (the resize itself caps the area).
constexpr int kMaxNetworkSide = 16384;

void check_rgb(const Image& rgb, const char* what) {
  if (rgb.channels != 3 || rgb.width <= 0 || rgb.height <= 0 ||
      rgb.pixels.size() != static_cast<size_t>(rgb.width) * rgb.height * 3)
    throw Error(std::string(what) + ": expected a non-empty 3-channel RGB image, got " +
                std::to_string(rgb.width) + "x" + std::to_string(rgb.height) + "x" +
                std::to_string(rgb.channels));
}

void check_size(int w, int h, const char* what) {
  if (w <= 0 || h <= 0 || w > kMaxNetworkSide || h > kMaxNetworkSide)
    throw Error(std::string(what) + ": invalid network input size " + std::to_string(w) + "x" +
                std::to_string(h) + " (1.." + std::to_string(kMaxNetworkSide) + " per side)");
}

// A byte-to-float conversion per channel as a table: every preprocessing here maps each input
// byte through a fixed per-channel expression, so evaluating that expression once for each of
// the 256 values gives bit-identical results to evaluating it per pixel, at the cost of a load
// (the per-pixel divisions took ~11 ms of the 15 ms EdgeNets preprocessing of a 750x400 photo).
struct ChannelTables {
  float value[3][256];
};

// HWC bytes -> NCHW floats through the tables; tensor channel ch reads byte channel
// source_channel[ch].
void bytes_to_planes(const uint8_t* pixels, size_t plane, const ChannelTables& tables,
                     const int source_channel[3], float* out) {
  for (int ch = 0; ch < 3; ++ch) {
    const float* table = tables.value[ch];
    const uint8_t* in = pixels + source_channel[ch];
    float* o = out + ch * plane;
    for (size_t i = 0; i < plane; ++i) o[i] = table[in[i * 3]];
  }
}

// The table of `value(channel, byte)` for every channel and byte value.
template <typename Value>
ChannelTables tabulate(Value value) {
  ChannelTables t;
  for (int ch = 0; ch < 3; ++ch)
    for (int v = 0; v < 256; ++v) t.value[ch][v] = value(ch, v);
  return t;
}

// HWC RGB bytes -> NCHW, normalised as torchvision does.
Tensor normalise_imagenet_rgb(const Image& img) {
  // torchvision's ToTensor + Normalize: x / 255 then (x - mean) / std, all in float32.
  static const ChannelTables tables = tabulate([](int ch, int v) {
    const float x = static_cast<float>(v) / 255.0f;
    return (x - kImageNetMean[ch]) / kImageNetStd[ch];
  });
  Tensor t = Tensor::uninitialized({1, 3, img.height, img.width});
  static const int kRgb[3] = {0, 1, 2};
  bytes_to_planes(img.pixels.data(), static_cast<size_t>(img.width) * img.height, tables, kRgb,
                  t.data());
  return t;
}

}  // namespace

float normalize_detection_value(uint8_t value, int channel) {
  // Upstream's Normalize: image = image.astype(np.float32); image -= [255 * m for m in mean];
  // image /= [255 * s for s in std]. The lists become float64 arrays, so NumPy runs each
  // operation in float64 and rounds the result into the float32 array.
  static constexpr double kMean[3] = {0.485, 0.456, 0.406}, kStd[3] = {0.229, 0.224, 0.225};
  const float centred = static_cast<float>(static_cast<double>(value) - 255.0 * kMean[channel]);
  return static_cast<float>(static_cast<double>(centred) / (255.0 * kStd[channel]));
}

NetworkSize segmentation_demo_network_size(int image_w, int image_h) {
  if (image_w < 32 || image_h < 32)
    throw Error("the segmentation demo needs an image of at least 32x32 pixels, got " +
                std::to_string(image_w) + "x" + std::to_string(image_h));
  return {(image_w / 32) * 32, (image_h / 32) * 32};
}

Tensor preprocess_segmentation_edgenets(const Image& rgb, int net_w, int net_h, int threads) {
  check_rgb(rgb, "preprocess_segmentation_edgenets");
  check_size(net_w, net_h, "preprocess_segmentation_edgenets");
  return normalise_imagenet_rgb(resize_pillow_bilinear(rgb, net_w, net_h, threads));
}

Tensor preprocess_segmentation_original(const Image& rgb, int net_w, int net_h) {
  check_rgb(rgb, "preprocess_segmentation_original");
  check_size(net_w, net_h, "preprocess_segmentation_original");
  // Normalise the full-size BGR image first (the script does it before resizing).
  const size_t pixels = static_cast<size_t>(rgb.width) * rgb.height;
  static const ChannelTables tables = tabulate([](int ch, int v) {
    return (static_cast<float>(v) - kCityscapesMeanBgr[ch]) / kCityscapesStdBgr[ch];
  });
  std::vector<float> bgr(pixels * 3);
  for (size_t i = 0; i < pixels; ++i)
    for (int ch = 0; ch < 3; ++ch) bgr[i * 3 + ch] = tables.value[ch][rgb.pixels[i * 3 + (2 - ch)]];
  const std::vector<float> resized =
      resize_opencv_linear_f32(bgr.data(), rgb.width, rgb.height, 3, net_w, net_h);
  Tensor t = Tensor::uninitialized({1, 3, net_h, net_w});
  const size_t plane = static_cast<size_t>(net_w) * net_h;
  for (int ch = 0; ch < 3; ++ch) {
    float* out = t.data() + ch * plane;
    for (size_t i = 0; i < plane; ++i) out[i] = resized[i * 3 + ch] / 255.0f;
  }
  return t;
}

Tensor preprocess_classification(const Image& rgb, int crop, int resize_shorter, int threads) {
  check_rgb(rgb, "preprocess_classification");
  check_size(crop, crop, "preprocess_classification");
  check_size(resize_shorter, resize_shorter, "preprocess_classification");
  if (crop > resize_shorter)
    throw Error("preprocess_classification: the crop (" + std::to_string(crop) +
                ") is larger than the resized shorter side (" + std::to_string(resize_shorter) +
                ")");
  // torchvision.transforms.Resize(int): the shorter side becomes `resize_shorter`, the longer
  // one int(resize_shorter * long / short) (truncated); equal sides stay square.
  int new_w, new_h;
  if (rgb.width <= rgb.height) {
    new_w = resize_shorter;
    new_h = static_cast<int>(static_cast<double>(resize_shorter) * rgb.height / rgb.width);
  } else {
    new_h = resize_shorter;
    new_w = static_cast<int>(static_cast<double>(resize_shorter) * rgb.width / rgb.height);
  }
  check_size(new_w, new_h, "preprocess_classification");
  const Image resized = resize_pillow_bilinear(rgb, new_w, new_h, threads);
  // CenterCrop: top = int(round((h - crop) / 2.0)), round half to even as Python's round.
  const int top = static_cast<int>(std::nearbyint((new_h - crop) / 2.0));
  const int left = static_cast<int>(std::nearbyint((new_w - crop) / 2.0));
  Image cropped;
  cropped.width = crop;
  cropped.height = crop;
  cropped.channels = 3;
  cropped.pixels.resize(static_cast<size_t>(crop) * crop * 3);
  for (int y = 0; y < crop; ++y) {
    const uint8_t* in = &resized.pixels[(static_cast<size_t>(top + y) * new_w + left) * 3];
    std::copy(in, in + static_cast<size_t>(crop) * 3,
              cropped.pixels.begin() + static_cast<size_t>(y) * crop * 3);
  }
  return normalise_imagenet_rgb(cropped);
}

Tensor preprocess_detection(const Image& rgb, int size) {
  check_rgb(rgb, "preprocess_detection");
  check_size(size, size, "preprocess_detection");
  const Image resized = resize_opencv_linear_u8(rgb, size, size);
  static const ChannelTables tables =
      tabulate([](int ch, int v) { return normalize_detection_value(uint8_t(v), ch); });
  Tensor t = Tensor::uninitialized({1, 3, size, size});
  static const int kBgr[3] = {2, 1, 0};  // tensor channel ch is BGR channel ch: RGB 2 - ch
  bytes_to_planes(resized.pixels.data(), static_cast<size_t>(size) * size, tables, kBgr, t.data());
  return t;
}

}  // namespace espnet
