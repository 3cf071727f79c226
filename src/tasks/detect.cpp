// Detection: the EdgeNets demo's preprocessing, the SSD, BoxPredictor.predict's post-processing,
// boxes scaled to the photo; and the picture with the boxes drawn.
#include <cmath>

#include "detection/draw_detections.h"
#include "detection/ssd_postprocess.h"
#include "detection/ssd_priors.h"
#include "espnet/error.h"
#include "espnet/tasks.h"
#include "image/preprocess.h"
#include "tasks/stage_clock.h"

namespace espnet {
namespace {

// detection_demo.py sets conf_threshold per dataset: 0.4 for PASCAL VOC, 0.3 for COCO.
constexpr double kVocThreshold = 0.4, kCocoThreshold = 0.3;
constexpr int kVocClasses = 21;

// Priors depend only on the input size, and upstream defines two: built once each.
const std::vector<float>& priors_for(int size) {
  static const std::vector<float> priors300 = make_ssd_priors(ssd_config(300));
  static const std::vector<float> priors512 = make_ssd_priors(ssd_config(512));
  if (size == 300) return priors300;
  if (size == 512) return priors512;
  ssd_config(size);  // throws the error naming the supported sizes
  throw Error("no SSD priors for input size " + std::to_string(size));
}

const Tensor& output_named(const std::vector<NamedTensor>& outputs, const std::string& name) {
  for (const NamedTensor& o : outputs)
    if (o.name == name) return o.value;
  throw Error("the network produced no '" + name + "' output");
}

}  // namespace

double default_detection_threshold(const Model& model) {
  return model.info().classes == kVocClasses ? kVocThreshold : kCocoThreshold;
}

std::vector<Detection> detect(Session& session, const Image& rgb, const DetectOptions& options,
                              StageTimes* times) {
  // Held from the run until the outputs are read: another thread's run would overwrite them.
  const Session::Claim claim(session);
  const Model& model = session.model();
  const ModelInfo& info = model.info();
  if (info.task != Task::kDetection)
    throw Error(std::string("detect needs a detection (SSD) model; the session's model is a ") +
                task_name(info.task) + " model");
  if (!(options.score_threshold <= 1) || !(options.iou_threshold >= 0) ||
      !(options.iou_threshold <= 1) || options.top_k_per_class < 0 || options.max_detections < 0)
    throw Error(
        "DetectOptions: score_threshold must be at most 1, iou_threshold in 0..1 and "
        "the limits non-negative");
  SsdPostprocessOptions post;
  post.score_threshold = options.score_threshold < 0
                             ? static_cast<float>(default_detection_threshold(model))
                             : options.score_threshold;
  post.iou_threshold = options.iou_threshold;
  post.top_k_per_class = options.top_k_per_class;
  post.max_detections = options.max_detections;
  const int size = info.input_size;
  const std::vector<float>& priors = priors_for(size);
  const int num_priors = static_cast<int>(priors.size() / 4);

  StageClock clock;
  const Tensor input = preprocess_detection(rgb, size);
  const double preprocess_ms = clock.lap_ms();
  const std::vector<NamedTensor>& outputs = session.run(input);
  const double network_ms = clock.lap_ms();
  const Tensor& confidences = output_named(outputs, "confidences");
  const Tensor& locations = output_named(outputs, "locations");
  if (confidences.shape() != Shape{1, num_priors, info.classes} ||
      locations.shape() != Shape{1, num_priors, 4})
    throw Error("the network's outputs " + shape_to_string(confidences.shape()) + " and " +
                shape_to_string(locations.shape()) + " do not match the " +
                std::to_string(num_priors) + " priors of SSD" + std::to_string(size));
  std::vector<Detection> detections =
      scale_detections_to_image(ssd_postprocess(confidences.data(), locations.data(), priors.data(),
                                                num_priors, info.classes, post),
                                rgb.width, rgb.height);
  const std::vector<std::string> names = class_names(model);
  for (Detection& d : detections)
    if (d.label >= 0 && static_cast<size_t>(d.label) < names.size()) d.name = names[d.label];
  if (times) *times = {preprocess_ms, network_ms, clock.lap_ms()};
  return detections;
}

Image draw_detections(const Image& photo, const std::vector<Detection>& detections) {
  // The drawing names classes by label; collect each label's name from the detections (labels
  // above this bound are drawn as their number, so a wild label cannot make a huge table).
  constexpr int kMaxNamedLabel = 65535;
  std::vector<std::string> names;
  for (const Detection& d : detections) {
    if (d.label < 0 || d.label > kMaxNamedLabel) continue;
    if (static_cast<size_t>(d.label) >= names.size())
      names.resize(static_cast<size_t>(d.label) + 1);
    if (!d.name.empty()) names[d.label] = d.name;
  }
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i].empty()) names[i] = std::to_string(i);
  return draw_detections(photo, detections, names, detection_style_for(photo.width, photo.height));
}

}  // namespace espnet
