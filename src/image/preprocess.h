// The exact preprocessing of each upstream demo: decoded RGB photo -> normalised NCHW tensor.
#pragma once

#include <cstdint>

#include "espnet/tensor.h"
#include "image/image.h"

namespace espnet {

/// ImageNet statistics used by the EdgeNets demos (RGB order).
constexpr float kImageNetMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kImageNetStd[3] = {0.229f, 0.224f, 0.225f};
/// The original ESPNetv2 repository's Cityscapes statistics on the 0-255 scale, B, G, R order.
constexpr float kCityscapesMeanBgr[3] = {72.3923111f, 82.90893555f, 73.15840149f};
constexpr float kCityscapesStdBgr[3] = {45.3192215f, 46.15289307f, 44.91483307f};

/// Network size the EdgeNets segmentation demo picks for a photo: each side rounded down to a
/// multiple of 32. Throws espnet::Error when a side is below 32.
struct NetworkSize {
  int width = 0, height = 0;
};
NetworkSize segmentation_demo_network_size(int image_w, int image_h);

/// EdgeNets segmentation_demo.py: Pillow BILINEAR resize of the RGB image to net_w x net_h,
/// x / 255 in float32, (x - mean[c]) / std[c], RGB. Returns [1, 3, net_h, net_w]. The resize
/// runs on up to `threads` threads.
Tensor preprocess_segmentation_edgenets(const Image& rgb, int net_w, int net_h, int threads = 1);

/// The original repository's segmentation/gen_cityscapes.py: BGR, (x - mean[c]) / std[c] on the
/// 0-255 scale in float32, cv2.resize (INTER_LINEAR, float) of that image to net_w x net_h, then
/// / 255. Channel 0 of the result is blue. Returns [1, 3, net_h, net_w].
Tensor preprocess_segmentation_original(const Image& rgb, int net_w = 1024, int net_h = 512);

/// torchvision Resize(resize_shorter) with PIL BILINEAR (shorter side to resize_shorter, the
/// longer one to int(resize_shorter * long / short)), CenterCrop(crop), ImageNet normalisation,
/// RGB. Returns [1, 3, crop, crop]. The resize runs on up to `threads` threads.
Tensor preprocess_classification(const Image& rgb, int crop = 224, int resize_shorter = 256,
                                 int threads = 1);

/// EdgeNets detection_demo.py: cv2.resize to size x size (INTER_LINEAR, 8-bit), float32,
/// (x - 255 * mean[c]) / (255 * std[c]) applied to the B, G, R channels in that order (upstream
/// reads BGR with cv2.imread and never swaps, so channel 0 is blue normalised with the red
/// statistics). Returns [1, 3, size, size].
Tensor preprocess_detection(const Image& rgb, int size);

/// One value of preprocess_detection: 8-bit `value` of tensor channel `channel` (0..2)
/// normalised as upstream does (in float64, rounded to float32 after each step).
float normalize_detection_value(uint8_t value, int channel);

}  // namespace espnet
