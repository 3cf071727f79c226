// espnet detect MODEL IMAGE_OR_DIR... [--threshold T] [--iou T] [--max N] [-o DIR]
// [--input-size 300|512] [--json] [--verbose]: the EdgeNets detection demo end to end. Decode,
// resize to S x S with the demo's normalisation, run the SSD, softmax / decode / per-class NMS
// as BoxPredictor.predict, boxes scaled to the photo in pixels, a table or JSON, and
// <stem>_detections.png with the boxes and labels drawn.
#include <chrono>
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "detection/draw_detections.h"
#include "detection/ssd_postprocess.h"
#include "detection/ssd_priors.h"
#include "espnet/error.h"
#include "espnet/session.h"
#include "file_util.h"
#include "image/class_names.h"
#include "image/image_decode.h"
#include "image/png_write.h"
#include "image/preprocess.h"
#include "image_inputs.h"

namespace espnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// detection_demo.py sets conf_threshold per dataset: 0.4 for PASCAL VOC, 0.3 for COCO.
constexpr double kVocThreshold = 0.4, kCocoThreshold = 0.3;

// Class names by the checkpoint's class count (COCO 81 or VOC 21, background at 0); any other
// count gets numbers.
std::vector<std::string> detection_class_names(int classes) {
  if (classes == static_cast<int>(coco_class_names().size())) return coco_class_names();
  if (classes == static_cast<int>(voc_class_names().size())) return voc_class_names();
  std::vector<std::string> names;
  for (int c = 0; c < classes; ++c)
    names.push_back(c ? "class " + std::to_string(c) : "background");
  return names;
}

const Tensor& output_named(const std::vector<NamedTensor>& outputs, const std::string& name) {
  for (const NamedTensor& o : outputs)
    if (o.name == name) return o.value;
  throw Error("the network produced no '" + name + "' output");
}

}  // namespace

int run_detect(const Words& words) {
  const std::vector<OptionSpec> specs = {
      {"--output", true,
       "directory for <stem>_detections.png (must exist; default: current directory)", "-o"},
      {"--threshold", true,
       "keep class probabilities above this, 0..1 (default as the demo: 0.4 VOC, 0.3 COCO)"},
      {"--iou", true,
       "NMS: drop a box overlapping a kept one by more than this IoU (default 0.45)"},
      {"--max", true, "keep at most N detections per image, highest scores (default 0: all)"},
      input_size_option(),
      {"--json", false, "print JSON"},
      {"--verbose", false, "print per-stage times"},
      threads_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text("detect",
                   "MODEL IMAGE_OR_DIR... [--threshold T] [--iou T] [--max N] [-o DIR] "
                   "[--input-size 300|512] [--json]",
                   "Detects objects with an SSD300 / SSD512 model as the EdgeNets detection demo:\n"
                   "resize to S x S (OpenCV bilinear), its normalisation, softmax, box decoding,\n"
                   "per-class NMS (top 200 per class). Prints class, score and box corners x1 y1\n"
                   "x2 y2 in pixels of the photo (not clipped, as upstream) for every class but\n"
                   "background (COCO 80 or VOC 20 names), and writes <stem>_detections.png with\n"
                   "the boxes and labels drawn.",
                   specs)
            .c_str(),
        stdout);
    return 0;
  }
  // Every usage error before the model is read.
  if (args.positional().size() < 2)
    throw UsageError("expected MODEL and at least one IMAGE or DIR");
  const int threads = apply_threads(args);
  const LoadOptions load = load_options(args);
  const std::string out_dir = args.value("--output", ".");
  const bool json = args.flag("--json"), verbose = args.flag("--verbose");
  SsdPostprocessOptions post;
  post.iou_threshold = static_cast<float>(args.double_value("--iou", 0.45, 0.0, 1.0));
  post.max_detections = args.int_value("--max", 0, 0, 1000000);
  post.top_k_per_class = 200;
  args.double_value("--threshold", 0.0, 0.0,
                    1.0);  // validated now, applied once the dataset is known
  if (!is_directory(out_dir)) throw Error("output directory '" + out_dir + "' does not exist");

  const std::string& model_path = args.positional()[0];
  auto model = Model::load(model_path, load);
  const ModelInfo& info = model->info();
  if (info.task != Task::kDetection)
    throw Error(model_path + " is a " + task_name(info.task) +
                " model; detect needs a detection (SSD) model");
  const std::vector<std::string> names = detection_class_names(info.classes);
  const double default_threshold = info.classes == 21 ? kVocThreshold : kCocoThreshold;
  const double threshold = args.double_value("--threshold", default_threshold, 0.0, 1.0);
  post.score_threshold = static_cast<float>(threshold);
  const int size = info.input_size;
  const std::vector<float> priors = make_ssd_priors(ssd_config(size));
  const int num_priors = static_cast<int>(priors.size() / 4);

  std::vector<std::string> images(args.positional().begin() + 1, args.positional().end());
  images = expand_image_arguments(images);
  const bool progress = images.size() > 1 && !json;
  Session session(model, SessionOptions{threads});
  if (json) std::printf("[");
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string& path = images[i];
    if (progress) std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, images.size(), path.c_str());
    const Clock::time_point t0 = Clock::now();
    const Image photo = decode_image(path);
    const Clock::time_point t1 = Clock::now();
    const Tensor input = preprocess_detection(photo, size);
    const Clock::time_point t2 = Clock::now();
    const std::vector<NamedTensor> outputs = session.run(input);
    const Clock::time_point t3 = Clock::now();
    const Tensor& confidences = output_named(outputs, "confidences");
    const Tensor& locations = output_named(outputs, "locations");
    if (confidences.shape() != Shape{1, num_priors, info.classes} ||
        locations.shape() != Shape{1, num_priors, 4})
      throw Error("the network's outputs " + shape_to_string(confidences.shape()) + " and " +
                  shape_to_string(locations.shape()) + " do not match the " +
                  std::to_string(num_priors) + " priors of SSD" + std::to_string(size));
    const std::vector<Detection> detections =
        scale_detections_to_image(ssd_postprocess(confidences.data(), locations.data(),
                                                  priors.data(), num_priors, info.classes, post),
                                  photo.width, photo.height);
    const std::string png = join_path(out_dir, file_stem(path) + "_detections.png");
    check_output_path(png, {path, model_path});
    write_png_rgb(png, draw_detections(photo, detections, names,
                                       detection_style_for(photo.width, photo.height)));
    const Clock::time_point t4 = Clock::now();

    auto name_of = [&](int label) {
      return label >= 0 && label < static_cast<int>(names.size()) ? names[label]
                                                                  : std::to_string(label);
    };
    if (json) {
      std::printf(
          "%s\n  {\"image\": %s, \"width\": %d, \"height\": %d, \"input_size\": %d, "
          "\"score_threshold\": %s, \"detections_png\": %s, \"detections\": [",
          i ? "," : "", json_string(path).c_str(), photo.width, photo.height, size,
          format_number(threshold).c_str(), json_string(png).c_str());
      for (size_t k = 0; k < detections.size(); ++k) {
        const Detection& d = detections[k];
        std::printf(
            "%s\n    {\"label\": %d, \"name\": %s, \"score\": %.6f, \"x1\": %.3f, "
            "\"y1\": %.3f, \"x2\": %.3f, \"y2\": %.3f}",
            k ? "," : "", d.label, json_string(name_of(d.label)).c_str(), d.score, d.x1, d.y1, d.x2,
            d.y2);
      }
      std::printf("%s], \"inference_ms\": %.3f}", detections.empty() ? "" : "\n  ",
                  ms_between(t2, t3));
    } else {
      std::printf("%s (%dx%d, SSD%d): %zu object%s above %s\n", path.c_str(), photo.width,
                  photo.height, size, detections.size(), detections.size() == 1 ? "" : "s",
                  format_number(threshold).c_str());
      if (!detections.empty())
        std::printf("  %-16s %6s %8s %8s %8s %8s\n", "class", "score", "x1", "y1", "x2", "y2");
      for (const Detection& d : detections)
        std::printf("  %-16s %6.3f %8.1f %8.1f %8.1f %8.1f\n", name_of(d.label).c_str(), d.score,
                    d.x1, d.y1, d.x2, d.y2);
      std::printf("  wrote %s\n", png.c_str());
    }
    if (verbose)
      std::fprintf(stderr,
                   "  times: decode %.1f ms, preprocess %.1f ms, network %.1f ms, "
                   "postprocess+draw+write %.1f ms\n",
                   ms_between(t0, t1), ms_between(t1, t2), ms_between(t2, t3), ms_between(t3, t4));
  }
  if (json) std::printf("\n]\n");
  return 0;
}

}  // namespace espnet::cli
