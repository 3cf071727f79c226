// One call per task over a Session: the official demos' preprocessing for the model's family,
// the network, and typed results (top-k classes, label maps, detections), plus the pictures the
// CLI draws. Each call runs on the caller's thread with the session's thread count; use one
// Session per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "espnet/detection.h"
#include "espnet/export.h"
#include "espnet/image.h"
#include "espnet/model.h"
#include "espnet/session.h"
#include "espnet/tensor.h"

namespace espnet {

/// Wall time of the stages of one call, in milliseconds (for progress lines and --verbose).
struct StageTimes {
  double preprocess_ms = 0;   ///< resize and normalisation of the photo
  double network_ms = 0;      ///< Session::run
  double postprocess_ms = 0;  ///< softmax / argmax / resize / NMS into the typed result
};

/// One class of a classification: its output index, its name and its softmax probability.
struct ClassScore {
  int index;          ///< output index of the network (ImageNet class id for ImageNet models)
  std::string name;   ///< class name, or "" when the model's classes are not a known dataset
  float probability;  ///< softmax probability, 0..1
};

/// The `top_k` most probable classes of one row of `classes` logits, most probable first (equal
/// probabilities: lower index first), with the softmax computed in double precision.
/// `names[index]` names a class (none where `names` is shorter). `top_k` is capped at `classes`.
/// Throws espnet::Error on a null pointer, classes < 1 or top_k < 1.
ESPNET_API std::vector<ClassScore> top_classes(const float* logits, int classes, int top_k,
                                               const std::vector<std::string>& names = {});

/// Classifies an RGB photo as the standard ImageNet evaluation does (shorter side to 256 with
/// Pillow's bilinear, centre crop 224, ImageNet mean/std) and returns the top_k classes. The
/// preprocessing runs on the session's threads (Session::threads()), like the network.
/// Throws espnet::Error when the session's model is not a classifier or the image is not RGB.
ESPNET_API std::vector<ClassScore> classify(Session& session, const Image& rgb, int top_k = 5,
                                            StageTimes* times = nullptr);

/// The share of the label map taken by one class.
struct ClassShare {
  int index;         ///< label value
  std::string name;  ///< class name (VOC or Cityscapes), or "" where unnamed
  int64_t pixels;    ///< pixels of the label map at the photo's size
  double fraction;   ///< pixels / (width * height)
};

/// Options of segment().
struct SegmentOptions {
  /// Network input size; 0 x 0 picks it as the official demo does: for EdgeNets models each
  /// side of the photo rounded down to a multiple of 32, for original-repository models
  /// 1024 x 512 whatever the photo's aspect. Both or neither must be set.
  int width = 0, height = 0;
  /// Big photos: when the size is picked as above, an EdgeNets photo whose longer side is over
  /// `max_side` is first scaled (keeping its aspect) so that it is `max_side`, and only then
  /// rounded to multiples of 32; the label map still comes back at the photo's full size. The
  /// default, 2048, keeps a 48-megapixel photo within about 1 GB (the network at 2048x1536)
  /// instead of the ~6 GB its full size would take. 0: no cap, the official demo exactly (a
  /// size whose memory the session's limit refuses then throws espnet::Error).
  int max_side = 2048;
  /// false: leave SegmentationResult::logits empty. The logits are a copy of the network's whole
  /// output (24 MB for PASCAL VOC at 736x384), which a caller who wants only the label map need
  /// not pay for; the run then also ends with the labels (RunOutputs::kLabels), so the session
  /// never makes the full-size logits either (same labels, a third of the activation memory).
  bool keep_logits = true;
};

/// A segmented photo.
struct SegmentationResult {
  int width = 0, height = 0;    ///< the photo's size
  std::vector<uint8_t> labels;  ///< width * height class labels, row-major, at the photo's size
  int network_width = 0, network_height = 0;  ///< the size the network ran at
  std::vector<uint8_t> network_labels;  ///< argmax at the network's size (network_w * network_h)
  Tensor logits;  ///< network output [1, classes, network_h, network_w] (empty without keep_logits)
  std::vector<ClassShare> classes;  ///< classes present in `labels`, by ascending label
};

/// Segments an RGB photo with the preprocessing of the model's family (EdgeNets: Pillow
/// bilinear resize and ImageNet normalisation; original repository: its Cityscapes
/// preprocessing), argmax over classes (first maximum wins), and the label map resized back to
/// the photo with PIL's nearest neighbour. The preprocessing runs on the session's threads
/// (Session::threads()), like the network. Throws espnet::Error when the model is not a
/// segmentation model, the photo is smaller than 32 x 32, or the size cannot run.
ESPNET_API SegmentationResult segment(Session& session, const Image& rgb,
                                      const SegmentOptions& options = {},
                                      StageTimes* times = nullptr);

/// Options of detect().
struct DetectOptions {
  /// Keep class probabilities above this; negative: the demo's default for the model
  /// (default_detection_threshold).
  float score_threshold = -1;
  float iou_threshold = 0.45f;  ///< NMS drops a box overlapping a kept one by more than this
  int top_k_per_class = 200;    ///< boxes kept per class after NMS; 0 = no limit
  int max_detections = 0;       ///< per image, highest scores kept; 0 = all
};

/// The score threshold detection_demo.py uses: 0.4 for PASCAL VOC (21 classes), 0.3 otherwise
/// (COCO).
ESPNET_API double default_detection_threshold(const Model& model);

/// Detects objects in an RGB photo as the EdgeNets detection demo does: resize to S x S (OpenCV
/// bilinear) with its normalisation, the SSD, softmax, box decoding and per-class NMS. Boxes are
/// in pixels of the photo (not clipped); order: by class, then by descending score. Throws
/// espnet::Error when the model is not a detector or an option is out of range.
ESPNET_API std::vector<Detection> detect(Session& session, const Image& rgb,
                                         const DetectOptions& options = {},
                                         StageTimes* times = nullptr);

/// The names of the model's classes by output index, as the CLI shows them: ImageNet (1000
/// classes; other classifiers: none), VOC or Cityscapes for segmentation, COCO or VOC for
/// detection ("class N" for other counts), each with "background" where the dataset has one.
ESPNET_API std::vector<std::string> class_names(const Model& model);

/// The label map of `result` in the dataset's colours (Cityscapes or PASCAL VOC palette), RGB
/// at the photo's size.
ESPNET_API Image colorize(const SegmentationResult& result, const Model& model);

/// The segmentation demo's overlay, PIL Image.blend(photo, colours, alpha): alpha 0 is the photo,
/// 1 the colours. Throws espnet::Error when the sizes or channel counts differ.
ESPNET_API Image overlay(const Image& photo, const Image& colours, float alpha);

/// A copy of the RGB `photo` with each detection's box and "name: score" label drawn in its
/// class colour (the VOC colour map, as the demo), thickness and font scaled to the photo.
ESPNET_API Image draw_detections(const Image& photo, const std::vector<Detection>& detections);

}  // namespace espnet
