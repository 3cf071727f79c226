// espnet eval MODEL DATASET [--size WxH] [--limit N] [--split NAME] [--json] [--jsonl FILE]:
// accuracy of a model over a dataset in its usual layout, the task taken from the model:
// segmentation mIoU (PASCAL VOC or Cityscapes), classification top-1/top-5 (class folders or a
// list file), detection VOC mAP at IoU 0.5 (all-points and VOC07 11-point). Photos and ground
// truth are read, the network run and the scores accumulated on three threads at once.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <regex>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "eval/classification_metrics.h"
#include "eval/dataset_layout.h"
#include "eval/detection_metrics.h"
#include "eval/ground_truth.h"
#include "eval/segmentation_metrics.h"
#include "folder_run.h"
#include "image/labels.h"
#include "pipeline/three_stage_pipeline.h"
#include "tasks/task_stages.h"

namespace espnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string number_or_null(const std::optional<double>& v) {
  if (!v) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", *v);
  return buf;
}

std::string json_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

std::string json_names(const std::vector<std::string>& names, size_t count) {
  std::string out = "[";
  for (size_t c = 0; c < count; ++c)
    out += (c ? ", " : "") + json_string(c < names.size() ? names[c] : std::to_string(c));
  return out + "]";
}

std::string json_values(const std::vector<std::optional<double>>& values) {
  std::string out = "[";
  for (size_t c = 0; c < values.size(); ++c) out += (c ? ", " : "") + number_or_null(values[c]);
  return out + "]";
}

// "[i/n]" on stderr: rewritten in place on a terminal, every 5 % in a log.
class Progress {
 public:
  Progress(size_t total, bool enabled)
      : total_(total), enabled_(enabled), tty_(isatty(STDERR_FILENO)) {}
  void step(size_t done, const std::string& status) {
    if (!enabled_) return;
    const size_t every = total_ >= 20 ? total_ / 20 : 1;
    if (tty_)
      std::fprintf(stderr, "\r[%zu/%zu] %s   ", done, total_, status.c_str());
    else if (done % every == 0 || done == total_)
      std::fprintf(stderr, "[%zu/%zu] %s\n", done, total_, status.c_str());
    if (tty_ && done == total_) std::fprintf(stderr, "\n");
  }

 private:
  size_t total_;
  bool enabled_, tty_;
};

// The size the model zoo measured at: "_WxH" in the file name, else the dataset's usual size.
void measured_size(const std::string& model_path, const ModelInfo& info, int* w, int* h) {
  std::smatch m;
  const size_t slash = model_path.find_last_of('/');
  const std::string name = slash == std::string::npos ? model_path : model_path.substr(slash + 1);
  static const std::regex size_in_name("_([0-9]{2,5})x([0-9]{2,5})[._]");
  if (std::regex_search(name, m, size_in_name)) {
    *w = std::stoi(m[1]);
    *h = std::stoi(m[2]);
    return;
  }
  default_input_size(info, w, h);
}

struct EvalItem {
  eval::DatasetSample sample;
  Image photo;
  eval::LabelMap truth;                     // segmentation
  std::vector<eval::GroundTruthBox> boxes;  // detection
  PreparedPhoto prepared;                   // segmentation, classification: network input
  std::vector<uint8_t> predicted;           // segmentation: network size, then the truth's
  std::vector<int> ranked;                  // classification
  std::vector<eval::ScoredBox> detections;  // detection
  double read_ms = 0, network_ms = 0;
};

}  // namespace

int run_eval(const Words& words) {
  const std::vector<OptionSpec> specs = {
      {"--size", true,
       "segmentation network input WIDTHxHEIGHT (default: the size in the model's file name, "
       "else 384x384 PASCAL, 1024x512 Cityscapes)"},
      {"--limit", true, "evaluate only the first N images of the (sorted) list"},
      {"--split", true,
       "dataset split: val (default), test, train... (detection: test, else val, else all)"},
      {"--json", false, "print the scores as JSON"},
      {"--jsonl", true, "append one JSON record per image to FILE"},
      input_size_option(),
      threads_option(),
      precision_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "eval", "MODEL DATASET [--size WxH] [--limit N] [--split NAME] [--json] [--jsonl FILE]",
            "Scores a model over a dataset, the task taken from the model and the layout from\n"
            "the folder (printed; an unrecognised folder is an error saying what was looked for).\n"
            "\n"
            "Segmentation: a PASCAL VOC layout (JPEGImages/, SegmentationClass/ palette PNGs,\n"
            "ImageSets/Segmentation/<split>.txt when present, else every image with a label\n"
            "PNG; 255 ignored) or a Cityscapes layout (leftImg8bit/<split>/<city>/*_leftImg8bit\n"
            ".png with gtFine/<split>/<city>/*_gtFine_labelIds.png mapped to the 19 trainIds,\n"
            "every other id ignored). Photos are resized to the network size as EdgeNets'\n"
            "test_segmentation.py does, labels compared at the ground truth's size (nearest\n"
            "neighbour). One confusion matrix over the whole dataset, then per-class IoU and\n"
            "their mean, as EdgeNets' evaluation; a class absent from both the ground truth\n"
            "and the predictions has no IoU (null) and is left out of the mean. Cityscapes\n"
            "models' background output counts as a miss. JSON: task, layout, images, miou,\n"
            "iou (by class index), class_names, pixel_accuracy.\n"
            "\n"
            "Classification: class sub-folders (named by class index, or sorted WordNet ids in\n"
            "the model's class order, all 1000 present) or a list file of 'PATH LABEL' lines;\n"
            "the evaluation preprocessing of `classify`. JSON: task, layout, images, top1, top5.\n"
            "\n"
            "Detection (VOC models): a PASCAL VOC layout (Annotations/*.xml, JPEGImages/,\n"
            "ImageSets/Main/<split>.txt when present); EdgeNets' evaluation settings (score\n"
            "threshold 0.01, NMS 0.45, 200 per class); objects marked difficult neither count\n"
            "nor penalise, as the VOC devkit. AP at IoU 0.5, all-points and VOC07 11-point.\n"
            "JSON: task, layout, images, map, map_voc07, ap and ap_voc07 (by class index,\n"
            "null for classes without ground truth), class_names.",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() != 2) throw UsageError("expected MODEL and DATASET");
  const int threads = apply_threads(args);
  const SessionOptions session_opts = session_options(args, threads);
  const LoadOptions load = load_options(args);
  const int limit = args.int_value("--limit", 0, 1, 1 << 30);
  const bool json = args.flag("--json");
  int size_w = 0, size_h = 0;
  const bool fixed_size = args.size_value("--size", &size_w, &size_h);
  const std::string split = args.value("--split");
  const std::string& model_path = args.positional()[0];
  const std::string& root = args.positional()[1];

  auto model = Model::load(model_path, load);
  const ModelInfo& info = model->info();
  const std::vector<std::string> names = class_names(*model);
  eval::Dataset dataset;
  if (info.task == Task::kSegmentation) {
    dataset = eval::find_segmentation_dataset(root, split);
    const bool city_model = info.dataset == "city";
    if (city_model != (dataset.layout == "cityscapes"))
      throw Error(model_path + " is a " + (city_model ? "Cityscapes" : "PASCAL VOC") +
                  " model, but " + dataset.description);
    if (!fixed_size) measured_size(model_path, info, &size_w, &size_h);
    model->check_input_size(size_h, size_w);
  } else if (info.task == Task::kClassification) {
    dataset = eval::find_classification_dataset(root, info.classes);
  } else {
    if (info.classes != 21)
      throw Error(model_path + " has " + std::to_string(info.classes) +
                  " classes; detection eval scores PASCAL VOC models (21 classes) on a VOC layout");
    dataset = eval::find_detection_dataset(root, split);
  }
  if (limit > 0 && dataset.samples.size() > static_cast<size_t>(limit))
    dataset.samples.resize(limit);
  const size_t total = dataset.samples.size();
  if (!json)
    std::fprintf(stderr, "%s: %zu image%s\n", dataset.description.c_str(), total,
                 total == 1 ? "" : "s");
  std::unique_ptr<JsonlWriter> jsonl;
  if (args.has("--jsonl")) jsonl = std::make_unique<JsonlWriter>(args.value("--jsonl"), false);

  const bool city = info.task == Task::kSegmentation && dataset.layout == "cityscapes";
  // Cityscapes: the 19 trainIds are scored, the models' 20th output (background) is not a class.
  const int scored_classes = city ? kCityscapesTrainIds - 1 : info.classes;
  std::optional<eval::ConfusionMatrix> confusion;
  if (info.task == Task::kSegmentation) confusion.emplace(scored_classes);
  eval::TopKAccuracy topk;
  std::optional<eval::DetectionAccumulator> detections;
  if (info.task == Task::kDetection) detections.emplace(info.classes, 0.5);
  DetectOptions detect_options;
  detect_options.score_threshold = 0.01f;  // EdgeNets ssd_config.py for evaluation
  detect_options.iou_threshold = 0.45f;
  detect_options.top_k_per_class = 200;

  Session session(model, session_opts);
  Progress progress(total, !json);
  size_t done = 0;
  const Clock::time_point start = Clock::now();
  pipeline::run_three_stage_pipeline<EvalItem>(
      total, 2,
      [&](size_t i) {
        EvalItem item;
        item.sample = dataset.samples[i];
        const Clock::time_point t0 = Clock::now();
        item.photo = decode_image(item.sample.image);
        if (info.task == Task::kSegmentation) {
          item.truth = eval::read_label_png(item.sample.truth);
          if (city) eval::cityscapes_label_ids_to_train_ids(&item.truth.labels);
          item.prepared = prepare_segmentation(*model, item.photo, SegmentOptions{size_w, size_h});
        } else if (info.task == Task::kClassification) {
          item.prepared = prepare_classification(*model, item.photo);
        } else {
          item.boxes = eval::read_voc_annotation(item.sample.truth, names);
        }
        item.read_ms = ms_since(t0);
        return item;
      },
      [&](EvalItem& item) {
        StageTimes stages;
        if (info.task == Task::kSegmentation) {
          const Clock::time_point t0 = Clock::now();
          const std::vector<NamedTensor>& outputs = session.run(item.prepared.input);
          stages.network_ms = ms_since(t0);
          item.predicted = segmentation_network_labels(outputs.at(0).value);
          item.prepared.input = Tensor();
        } else if (info.task == Task::kClassification) {
          const Clock::time_point t0 = Clock::now();
          const std::vector<NamedTensor>& outputs = session.run(item.prepared.input);
          stages.network_ms = ms_since(t0);
          for (const ClassScore& c : finish_classification(*model, outputs.at(0).value, 5))
            item.ranked.push_back(c.index);
          item.prepared.input = Tensor();
        } else {
          for (const Detection& d : detect(session, item.photo, detect_options, &stages))
            item.detections.push_back({d.x1, d.y1, d.x2, d.y2, d.label, d.score});
        }
        item.network_ms = stages.network_ms;
      },
      [&](EvalItem& item) {
        ++done;
        std::string record = "{\"file\": " + json_string(item.sample.image);
        std::string status;
        if (confusion) {
          const eval::LabelMap& t = item.truth;
          // Labels compared at the ground truth's size: the photo's (as test_segmentation.py
          // writes them), or the network's map resized straight to the truth's when they differ.
          const PreparedPhoto& p = item.prepared;
          if (t.width == p.photo_width && t.height == p.photo_height)
            item.predicted = finish_segmentation(*model, p, std::move(item.predicted)).labels;
          else
            item.predicted = resize_labels_nearest(item.predicted.data(), p.network_width,
                                                   p.network_height, t.width, t.height);
          confusion->add(item.predicted.data(), t.labels.data(), t.labels.size());
          eval::ConfusionMatrix one(scored_classes);
          one.add(item.predicted.data(), t.labels.data(), t.labels.size());
          const eval::SegmentationScores s = one.scores();
          record += ", \"truth\": " + json_string(item.sample.truth) +
                    ", \"scored_pixels\": " + std::to_string(s.scored_pixels) +
                    ", \"pixel_accuracy\": " + json_number(s.pixel_accuracy) +
                    ", \"miou\": " + json_number(s.mean_iou);
          status = "mIoU so far " + json_number(confusion->scores().mean_iou);
        } else if (info.task == Task::kClassification) {
          topk.add(item.ranked, item.sample.label);
          record += ", \"label\": " + std::to_string(item.sample.label) + ", \"top5\": [";
          for (size_t k = 0; k < item.ranked.size(); ++k)
            record += (k ? ", " : "") + std::to_string(item.ranked[k]);
          record += "]";
          status = "top-1 " + json_number(topk.top1()) + ", top-5 " + json_number(topk.top5());
        } else {
          detections->add_image(item.detections, item.boxes);
          record += ", \"truth\": " + json_string(item.sample.truth) +
                    ", \"objects\": " + std::to_string(item.boxes.size()) +
                    ", \"detections\": " + std::to_string(item.detections.size());
          status = item.sample.image;
        }
        if (jsonl) {
          char times[96];
          std::snprintf(times, sizeof times, ", \"times_ms\": {\"read\": %.3f, \"network\": %.3f}}",
                        item.read_ms, item.network_ms);
          jsonl->write(record + times);
        }
        progress.step(done, status);
      });
  const double seconds = ms_since(start) / 1000.0;

  if (confusion) {
    const eval::SegmentationScores s = confusion->scores();
    if (json) {
      std::printf(
          "{\"task\": \"segmentation\", \"layout\": %s, \"images\": %zu, \"network_width\": %d, "
          "\"network_height\": %d, \"miou\": %s, \"iou\": %s, \"class_names\": %s, "
          "\"pixel_accuracy\": %s}\n",
          json_string(dataset.layout).c_str(), total, size_w, size_h,
          json_number(s.mean_iou).c_str(), json_values(s.iou).c_str(),
          json_names(names, scored_classes).c_str(), json_number(s.pixel_accuracy).c_str());
      return 0;
    }
    std::printf("%s, %zu images, network %dx%d (%.1f images/s)\n", dataset.layout.c_str(), total,
                size_w, size_h, total / seconds);
    std::printf("  %-16s %8s\n", "class", "IoU %");
    for (int c = 0; c < scored_classes; ++c) {
      const std::string name = c < static_cast<int>(names.size()) ? names[c] : std::to_string(c);
      if (s.iou[c])
        std::printf("  %-16s %8.2f\n", name.c_str(), 100.0 * *s.iou[c]);
      else
        std::printf("  %-16s %8s\n", name.c_str(), "-");
    }
    std::printf("  mIoU %.2f %%, pixel accuracy %.2f %%\n", 100.0 * s.mean_iou,
                100.0 * s.pixel_accuracy);
  } else if (info.task == Task::kClassification) {
    if (json) {
      std::printf(
          "{\"task\": \"classification\", \"layout\": %s, \"images\": %zu, \"top1\": %s, "
          "\"top5\": %s}\n",
          json_string(dataset.layout).c_str(), total, json_number(topk.top1()).c_str(),
          json_number(topk.top5()).c_str());
      return 0;
    }
    std::printf("%s, %zu images (%.1f images/s)\n  top-1 %.2f %%, top-5 %.2f %%\n",
                dataset.layout.c_str(), total, total / seconds, 100.0 * topk.top1(),
                100.0 * topk.top5());
  } else {
    const eval::DetectionScores s = detections->scores();
    if (json) {
      std::printf(
          "{\"task\": \"detection\", \"layout\": %s, \"images\": %zu, \"map\": %s, "
          "\"map_voc07\": %s, \"ap\": %s, \"ap_voc07\": %s, \"class_names\": %s}\n",
          json_string(dataset.layout).c_str(), total, json_number(s.map).c_str(),
          json_number(s.map_voc07).c_str(), json_values(s.ap).c_str(),
          json_values(s.ap_voc07).c_str(), json_names(names, info.classes).c_str());
      return 0;
    }
    std::printf("%s, %zu images (%.1f images/s)\n  %-16s %8s %8s\n", dataset.layout.c_str(), total,
                total / seconds, "class", "AP %", "AP07 %");
    for (int c = 1; c < info.classes; ++c) {
      auto percent = [](const std::optional<double>& v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", v ? 100.0 * *v : 0.0);
        return v ? std::string(buf) : std::string("-");
      };
      std::printf("  %-16s %8s %8s\n", names[c].c_str(), percent(s.ap[c]).c_str(),
                  percent(s.ap_voc07[c]).c_str());
    }
    std::printf("  mAP %.2f %% (all points), %.2f %% (VOC07 11-point)\n", 100.0 * s.map,
                100.0 * s.map_voc07);
  }
  return 0;
}

}  // namespace espnet::cli
