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
#include "folder_run.h"
#include "image_inputs.h"
#include "pipeline/three_stage_pipeline.h"

namespace espnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// One photo on its way through the pipeline.
struct DetectItem {
  std::string path;
  Image photo;
  std::vector<Detection> detections;
  StageTimes stages;
  double decode_ms = 0;
  std::string error;  // a photo that failed: reported, the others go on
};

}  // namespace

int run_detect(const Words& words) {
  std::vector<OptionSpec> specs = {
      {"--output", true,
       "directory for <stem>_detections.png (created when missing; default: current directory)",
       "-o"},
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
  for (const OptionSpec& o : folder_run_options()) specs.push_back(o);
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text("detect",
                   "MODEL IMAGE_OR_DIR... [--threshold T] [--iou T] [--max N] [-o DIR] "
                   "[--input-size 300|512] [--json] [--shard K/N] [--resume] [--jsonl FILE]",
                   "Detects objects with an SSD300 / SSD512 model as the EdgeNets detection demo:\n"
                   "resize to S x S (OpenCV bilinear), its normalisation, softmax, box decoding,\n"
                   "per-class NMS (top 200 per class). Prints class, score and box corners x1 y1\n"
                   "x2 y2 in pixels of the photo (not clipped, as upstream) for every class but\n"
                   "background (COCO 80 or VOC 20 names), and writes <stem>_detections.png with\n"
                   "the boxes and labels drawn. Photos are decoded, detected and drawn/written on\n"
                   "three threads at once; files are written whole (temporary file, then rename),\n"
                   "so --resume after a kill redoes only unfinished photos. A photo that fails is\n"
                   "reported and the others go on (exit status 1 at the end).",
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
  shard_option(args);

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
  make_output_directory(out_dir);
  auto output_of = [&](const std::string& path) {
    return join_path(out_dir, file_stem(path) + "_detections.png");
  };
  FolderRun run = plan_folder_run(
      args, "detect", images,
      [&](const std::string& path) { return std::vector<std::string>{output_of(path)}; }, json);
  const bool progress = run.photos.size() > 1 && !json;
  Session session(model, session_opts);
  auto name_of = [](const Detection& d) {
    return d.name.empty() ? std::to_string(d.label) : d.name;
  };
  if (json) std::printf("[");
  size_t done = 0, failed = 0, printed = 0;  // printed: JSON elements so far (commas)
  pipeline::run_three_stage_pipeline<DetectItem>(
      run.photos.size(), 2,
      [&](size_t i) {
        DetectItem item;
        item.path = run.photos[i];
        const Clock::time_point t0 = Clock::now();
        try {
          item.photo = decode_image(item.path);
        } catch (const Error& e) {
          item.error = e.what();
        }
        item.decode_ms = ms_between(t0, Clock::now());
        return item;
      },
      [&](DetectItem& item) {
        if (!item.error.empty()) return;
        try {
          item.detections = detect(session, item.photo, post, &item.stages);
        } catch (const Error& e) {
          item.error = e.what();
        }
      },
      [&](DetectItem& item) {
        const std::string& path = item.path;
        const size_t i = done++;
        if (progress)
          std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, run.photos.size(), path.c_str());
        const Clock::time_point t0 = Clock::now();
        const std::string png = output_of(path);
        try {
          if (!item.error.empty()) throw Error(item.error);
          check_output_path(png, {path, model_path});
          write_png(png, draw_detections(item.photo, item.detections));
        } catch (const Error& e) {
          ++failed;
          std::fprintf(stderr, "espnet detect: error: %s\n", e.what());
          return;
        }
        const double write_ms = ms_between(t0, Clock::now());
        const Image& photo = item.photo;
        const std::vector<Detection>& detections = item.detections;
        std::string boxes = "[";
        for (size_t k = 0; k < detections.size(); ++k) {
          const Detection& d = detections[k];
          char buf[160];
          std::snprintf(
              buf, sizeof buf,
              ", \"score\": %.6f, \"x1\": %.3f, \"y1\": %.3f, \"x2\": %.3f, \"y2\": %.3f}", d.score,
              d.x1, d.y1, d.x2, d.y2);
          boxes += (k ? ", " : "") + std::string("{\"label\": ") + std::to_string(d.label) +
                   ", \"name\": " + json_string(name_of(d)) + buf;
        }
        boxes += "]";
        if (run.jsonl) {
          char times[200];
          std::snprintf(times, sizeof times,
                        ", \"times_ms\": {\"decode\": %.3f, \"preprocess\": %.3f, \"network\": "
                        "%.3f, \"postprocess\": %.3f, \"write\": %.3f}}",
                        item.decode_ms, item.stages.preprocess_ms, item.stages.network_ms,
                        item.stages.postprocess_ms, write_ms);
          run.jsonl->write("{\"file\": " + json_string(path) +
                           ", \"width\": " + std::to_string(photo.width) +
                           ", \"height\": " + std::to_string(photo.height) + ", \"outputs\": [" +
                           json_string(png) + "], \"detections\": " + boxes + times);
        }
        if (json) {
          std::printf(
              "%s\n  {\"image\": %s, \"width\": %d, \"height\": %d, \"input_size\": %d, "
              "\"score_threshold\": %s, \"detections_png\": %s, \"detections\": [",
              printed++ ? "," : "", json_string(path).c_str(), photo.width, photo.height, size,
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
                      item.stages.network_ms);
        } else {
          std::printf("%s (%dx%d, SSD%d): %zu object%s above %s\n", path.c_str(), photo.width,
                      photo.height, size, detections.size(), detections.size() == 1 ? "" : "s",
                      format_number(threshold).c_str());
          if (!detections.empty())
            std::printf("  %-16s %6s %8s %8s %8s %8s\n", "class", "score", "x1", "y1", "x2", "y2");
          for (const Detection& d : detections)
            std::printf("  %-16s %6.3f %8.1f %8.1f %8.1f %8.1f\n", name_of(d).c_str(), d.score,
                        d.x1, d.y1, d.x2, d.y2);
          std::printf("  wrote %s\n", png.c_str());
        }
        std::fflush(stdout);
        if (verbose)
          std::fprintf(stderr,
                       "  times: decode %.1f ms, preprocess %.1f ms, network %.1f ms, "
                       "postprocess %.1f ms, draw+write %.1f ms\n",
                       item.decode_ms, item.stages.preprocess_ms, item.stages.network_ms,
                       item.stages.postprocess_ms, write_ms);
      });
  if (json) std::printf("\n]\n");
  if (failed) {
    std::fprintf(stderr, "espnet detect: %zu of %zu photos failed\n", failed, run.photos.size());
    return 1;
  }
  return 0;
}

}  // namespace espnet::cli
