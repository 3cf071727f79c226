// espnet detect MODEL IMAGE_OR_DIR... [--threshold T] [--iou T] [--max N] [-o DIR]
// [--input-size 300|512] [--json] [--verbose]: the EdgeNets detection demo end to end. Decode,
// resize to S x S with the demo's normalisation, run the SSD, softmax / decode / per-class NMS
// as BoxPredictor.predict, boxes scaled to the photo in pixels, a table or JSON, and
// <stem>_detections.png with the boxes and labels drawn.
#include <chrono>
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "file_util.h"
#include "image_inputs.h"

namespace espnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
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
      threads_option(),
      precision_option()};
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
  const SessionOptions session_opts = session_options(args, threads);
  const LoadOptions load = load_options(args);
  const std::string out_dir = args.value("--output", ".");
  const bool json = args.flag("--json"), verbose = args.flag("--verbose");
  DetectOptions post;
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
  const double threshold =
      args.double_value("--threshold", default_detection_threshold(*model), 0.0, 1.0);
  post.score_threshold = static_cast<float>(threshold);
  const int size = info.input_size;

  std::vector<std::string> images(args.positional().begin() + 1, args.positional().end());
  images = expand_image_arguments(images);
  const bool progress = images.size() > 1 && !json;
  Session session(model, session_opts);
  if (json) std::printf("[");
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string& path = images[i];
    if (progress) std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, images.size(), path.c_str());
    const Clock::time_point t0 = Clock::now();
    const Image photo = decode_image(path);
    const Clock::time_point t1 = Clock::now();
    StageTimes stages;
    const std::vector<Detection> detections = detect(session, photo, post, &stages);
    const std::string png = join_path(out_dir, file_stem(path) + "_detections.png");
    check_output_path(png, {path, model_path});
    write_png(png, draw_detections(photo, detections));
    const Clock::time_point t4 = Clock::now();

    auto name_of = [](const Detection& d) {
      return d.name.empty() ? std::to_string(d.label) : d.name;
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
            k ? "," : "", d.label, json_string(name_of(d)).c_str(), d.score, d.x1, d.y1, d.x2,
            d.y2);
      }
      std::printf("%s], \"inference_ms\": %.3f}", detections.empty() ? "" : "\n  ",
                  stages.network_ms);
    } else {
      std::printf("%s (%dx%d, SSD%d): %zu object%s above %s\n", path.c_str(), photo.width,
                  photo.height, size, detections.size(), detections.size() == 1 ? "" : "s",
                  format_number(threshold).c_str());
      if (!detections.empty())
        std::printf("  %-16s %6s %8s %8s %8s %8s\n", "class", "score", "x1", "y1", "x2", "y2");
      for (const Detection& d : detections)
        std::printf("  %-16s %6.3f %8.1f %8.1f %8.1f %8.1f\n", name_of(d).c_str(), d.score, d.x1,
                    d.y1, d.x2, d.y2);
      std::printf("  wrote %s\n", png.c_str());
    }
    if (verbose)
      std::fprintf(stderr,
                   "  times: decode %.1f ms, preprocess %.1f ms, network %.1f ms, "
                   "postprocess+draw+write %.1f ms\n",
                   ms_between(t0, t1), stages.preprocess_ms, stages.network_ms,
                   ms_between(t1, t4) - stages.preprocess_ms - stages.network_ms);
  }
  if (json) std::printf("\n]\n");
  return 0;
}

}  // namespace espnet::cli
