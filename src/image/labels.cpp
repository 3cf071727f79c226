#include "image/labels.h"

#include <string>

#include "espnet/error.h"

namespace espnet {
namespace {

constexpr int64_t kMaxLabelPixels = int64_t{1} << 30;

void check_map(int w, int h, const char* what) {
  if (w <= 0 || h <= 0 || int64_t{w} * h > kMaxLabelPixels)
    throw Error(std::string(what) + ": invalid label map size " + std::to_string(w) + "x" +
                std::to_string(h));
}

// Source index of every output index along one axis, as Pillow's nearest resampler walks it.
std::vector<int> nearest_sources(int in_size, int out_size) {
  std::vector<int> src(out_size);
  const double step = static_cast<double>(in_size) / out_size;
  double pos = 0.5 * step;
  for (int i = 0; i < out_size; ++i) {
    int s = static_cast<int>(pos);
    src[i] = s < in_size ? s : in_size - 1;  // never past the end, whatever the rounding
    pos += step;
  }
  return src;
}

// gen_cityscapes.py's city label ids, indexed by trainId.
constexpr uint8_t kCityscapesLabelIds[kCityscapesTrainIds] = {
    7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33, 0};

}  // namespace

std::vector<uint8_t> resize_labels_nearest(const uint8_t* labels, int w, int h, int out_w,
                                           int out_h) {
  check_map(w, h, "resize_labels_nearest");
  check_map(out_w, out_h, "resize_labels_nearest");
  if (labels == nullptr) throw Error("resize_labels_nearest: null label map");
  const std::vector<int> xs = nearest_sources(w, out_w), ys = nearest_sources(h, out_h);
  std::vector<uint8_t> out(static_cast<size_t>(out_w) * out_h);
  for (int y = 0; y < out_h; ++y) {
    const uint8_t* row = labels + static_cast<size_t>(ys[y]) * w;
    uint8_t* o = &out[static_cast<size_t>(y) * out_w];
    for (int x = 0; x < out_w; ++x) o[x] = row[xs[x]];
  }
  return out;
}

std::vector<uint8_t> upscale_labels_2x(const uint8_t* labels, int w, int h) {
  check_map(w, h, "upscale_labels_2x");
  check_map(2 * w, 2 * h, "upscale_labels_2x");
  if (labels == nullptr) throw Error("upscale_labels_2x: null label map");
  const size_t out_w = static_cast<size_t>(w) * 2;
  std::vector<uint8_t> out(out_w * h * 2);
  for (int y = 0; y < h; ++y) {
    uint8_t* o = &out[static_cast<size_t>(2 * y) * out_w];
    for (int x = 0; x < w; ++x) o[2 * x] = o[2 * x + 1] = labels[static_cast<size_t>(y) * w + x];
    std::copy(o, o + out_w, o + out_w);
  }
  return out;
}

uint8_t cityscapes_train_id_to_label_id(int train_id) {
  if (train_id < 0 || train_id >= kCityscapesTrainIds)
    throw Error("Cityscapes trainId " + std::to_string(train_id) + " is out of range (0..19)");
  return kCityscapesLabelIds[train_id];
}

std::vector<uint8_t> cityscapes_train_ids_to_label_ids(const uint8_t* train_ids, size_t count) {
  std::vector<uint8_t> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = cityscapes_train_id_to_label_id(train_ids[i]);
  return out;
}

}  // namespace espnet
