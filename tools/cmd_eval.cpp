// espnet eval MODEL DATASET [--size WxH] [--limit N] [--split NAME] [--json] [--jsonl FILE]
//   [--shard K/N] [--resume] | --merge FILE...:
// accuracy of a model over a dataset in its usual layout, the task taken from the model:
// segmentation mIoU (PASCAL VOC or Cityscapes), classification top-1/top-5 (class folders or a
// list file), detection VOC mAP at IoU 0.5 (all-points and VOC07 11-point). Photos and ground
// truth are read, the network run and the scores accumulated on three threads at once. Each
// image's share of the scores goes into its --jsonl record (eval_records.h): a killed run resumes
// from them, and the records of N shards merge into the scores of one run.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
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
#include "eval_records.h"
#include "file_util.h"
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
  size_t index = 0;  // into the dataset's samples
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

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The dataset-wide scores, fed one image record at a time. Confusion cells and top-k counts add
// up in any order; detection records are held until every earlier image of the list has been
// added, because the rank of equal scores follows the order images were added in, and a merged or
// resumed run must rank them as one uninterrupted run does.
class EvalScores {
 public:
  EvalScores(Task task, int scored_classes, int classes, std::vector<size_t> order)
      : task_(task), order_(std::move(order)) {
    if (task == Task::kSegmentation) confusion_.emplace(scored_classes);
    if (task == Task::kDetection) detections_.emplace(classes, 0.5);
  }

  /// `index`: the image's place in the dataset list. Each index once.
  void add(size_t index, EvalRecord record) {
    ++images_;
    if (confusion_) {
      for (const std::array<int64_t, 3>& c : record.confusion)
        confusion_->add_cell(static_cast<int>(c[0]), static_cast<int>(c[1]), c[2]);
    } else if (task_ == Task::kClassification) {
      topk_.add(record.ranked, record.label);
    } else {
      waiting_.emplace(index, std::move(record.matches));
      while (next_ < order_.size()) {
        const auto it = waiting_.find(order_[next_]);
        if (it == waiting_.end()) break;
        detections_->add_matches(it->second);
        waiting_.erase(it);
        ++next_;
      }
    }
  }

  size_t images() const { return images_; }
  const eval::DetectionAccumulator& detections() const { return *detections_; }
  eval::SegmentationScores segmentation() const { return confusion_->scores(); }
  const eval::TopKAccuracy& topk() const { return topk_; }
  eval::DetectionScores detection() const {
    if (!waiting_.empty()) throw Error("eval: detection records missing before the last ones");
    return detections_->scores();
  }
  std::string status() const {
    if (confusion_) return "mIoU so far " + json_number(confusion_->scores().mean_iou);
    if (task_ == Task::kClassification)
      return "top-1 " + json_number(topk_.top1()) + ", top-5 " + json_number(topk_.top5());
    return "";
  }

 private:
  Task task_;
  std::vector<size_t> order_;
  size_t images_ = 0, next_ = 0;
  std::optional<eval::ConfusionMatrix> confusion_;
  eval::TopKAccuracy topk_;
  std::optional<eval::DetectionAccumulator> detections_;
  std::map<size_t, eval::ImageMatches> waiting_;
};

// What every record of one evaluation must agree on, so that a resume or a merge never mixes
// another model's or another input size's records into the scores.
struct RecordContext {
  Task task;
  int classes;
  std::string model, network;
  std::map<std::string, size_t> index_of_id;  // the images being scored
};

// Calls `use(index, record)` for each complete line of a --jsonl file that belongs to the images
// being scored; a last line without its newline (a killed run) is skipped, any other line that is
// not one of our records is an error naming the file and line. Streams: memory does not grow with
// the file.
template <class Use>
void read_eval_records(const std::string& path, const RecordContext& context, Use use) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path + "'");
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (in.eof()) break;  // torn last record
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    try {
      const JsonValue json = JsonValue::parse(line);
      if (!json.has("id"))
        throw Error("a record without \"id\" (not written by this version of espnet eval)");
      if (!json.has("model") || json["model"].str() != context.model)
        throw Error("a record of model '" + (json.has("model") ? json["model"].str() : "?") +
                    "', not of " + context.model);
      if (context.task == Task::kSegmentation && json["network"].str() != context.network)
        throw Error("a record made at network size " + json["network"].str() + ", not " +
                    context.network + " (--size)");
      const auto it = context.index_of_id.find(json["id"].str());
      if (it == context.index_of_id.end()) continue;  // another slice's or --limit's image
      use(it->second, parse_eval_record(json, context.task, context.classes));
    } catch (const Error& e) {
      throw Error(where + e.what());
    }
  }
  if (in.bad()) throw Error("cannot read '" + path + "'");
}

// `rate`: images per second of the images this run scored (0 for a merge).
void print_scores(const EvalScores& scores, const eval::Dataset& dataset, const Model& model,
                  int scored_classes, int size_w, int size_h, bool json, double rate) {
  const ModelInfo& info = model.info();
  const std::vector<std::string> names = class_names(model);
  const size_t total = scores.images();
  if (info.task == Task::kSegmentation) {
    const eval::SegmentationScores s = scores.segmentation();
    if (json) {
      std::printf(
          "{\"task\": \"segmentation\", \"layout\": %s, \"images\": %zu, \"network_width\": %d, "
          "\"network_height\": %d, \"miou\": %s, \"iou\": %s, \"class_names\": %s, "
          "\"pixel_accuracy\": %s}\n",
          json_string(dataset.layout).c_str(), total, size_w, size_h,
          json_number(s.mean_iou).c_str(), json_values(s.iou).c_str(),
          json_names(names, scored_classes).c_str(), json_number(s.pixel_accuracy).c_str());
      return;
    }
    std::printf("%s, %zu images, network %dx%d (%.1f images/s)\n", dataset.layout.c_str(), total,
                size_w, size_h, rate);
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
    const eval::TopKAccuracy& topk = scores.topk();
    if (json) {
      std::printf(
          "{\"task\": \"classification\", \"layout\": %s, \"images\": %zu, \"top1\": %s, "
          "\"top5\": %s}\n",
          json_string(dataset.layout).c_str(), total, json_number(topk.top1()).c_str(),
          json_number(topk.top5()).c_str());
      return;
    }
    std::printf("%s, %zu images (%.1f images/s)\n  top-1 %.2f %%, top-5 %.2f %%\n",
                dataset.layout.c_str(), total, rate, 100.0 * topk.top1(), 100.0 * topk.top5());
  } else {
    const eval::DetectionScores s = scores.detection();
    if (json) {
      std::printf(
          "{\"task\": \"detection\", \"layout\": %s, \"images\": %zu, \"map\": %s, "
          "\"map_voc07\": %s, \"ap\": %s, \"ap_voc07\": %s, \"class_names\": %s}\n",
          json_string(dataset.layout).c_str(), total, json_number(s.map).c_str(),
          json_number(s.map_voc07).c_str(), json_values(s.ap).c_str(),
          json_values(s.ap_voc07).c_str(), json_names(names, info.classes).c_str());
      return;
    }
    std::printf("%s, %zu images (%.1f images/s)\n  %-16s %8s %8s\n", dataset.layout.c_str(), total,
                rate, "class", "AP %", "AP07 %");
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
}

}  // namespace

int run_eval(const Words& words) {
  std::vector<OptionSpec> specs = {
      {"--size", true,
       "segmentation network input WIDTHxHEIGHT (default: the size in the model's file name, "
       "else 384x384 PASCAL, 1024x512 Cityscapes)"},
      {"--limit", true, "evaluate only the first N images of the (sorted) list"},
      {"--split", true,
       "dataset split: val (default), test, train... (detection: test, else val, else all)"},
      {"--json", false, "print the scores as JSON"},
      {"--merge", false,
       "score the --jsonl records of shard runs given after DATASET instead of running the "
       "network; every image of the list must have exactly one record"},
      input_size_option(),
      threads_option(),
      precision_option()};
  for (const OptionSpec& o : folder_run_options()) specs.push_back(o);
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "eval",
            "MODEL DATASET [--size WxH] [--limit N] [--split NAME] [--json] [--jsonl FILE]\n"
            "       [--shard K/N] [--resume]\n"
            "   or: espnet eval MODEL DATASET --merge RECORDS.jsonl... [--json]",
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
            "Classification: class sub-folders (named by class index, or by ImageNet WordNet id:\n"
            "any subset of the 1000 classes, in the models' class order) or a list file of\n"
            "'PATH LABEL' lines; the evaluation preprocessing of `classify`. JSON: task, layout,\n"
            "images, top1, top5.\n"
            "\n"
            "Detection (VOC models): a PASCAL VOC layout (Annotations/*.xml, JPEGImages/,\n"
            "ImageSets/Main/<split>.txt when present); EdgeNets' evaluation settings (score\n"
            "threshold 0.01, NMS 0.45, 200 per class); objects marked difficult neither count\n"
            "nor penalise, as the VOC devkit. AP at IoU 0.5, all-points and VOC07 11-point.\n"
            "JSON: task, layout, images, map, map_voc07, ap and ap_voc07 (by class index,\n"
            "null for classes without ground truth), class_names.\n"
            "\n"
            "Big datasets: each --jsonl record holds that image's share of the scores (its\n"
            "confusion cells, top-5 or matched detections), keyed by the photo's path in the\n"
            "layout's folder. --resume continues a killed run from its --jsonl records;\n"
            "--shard K/N scores the K-th of N slices of the sorted list (after --limit), on any\n"
            "machine; --merge over the N record files gives exactly the scores of one run, after\n"
            "checking that every image has a record of this model (and this --size).",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  const bool merge = args.flag("--merge");
  if (merge ? args.positional().size() < 3 : args.positional().size() != 2)
    throw UsageError(merge ? "--merge expects MODEL, DATASET and at least one records file"
                           : "expected MODEL and DATASET");
  if (merge && (args.has("--shard") || args.flag("--resume") || args.has("--jsonl")))
    throw UsageError("--merge scores records; --shard, --resume and --jsonl belong to the runs");
  if (args.flag("--resume") && !args.has("--jsonl"))
    throw UsageError("--resume needs --jsonl FILE: the records are what a run resumes from");
  const Shard shard = shard_option(args);
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
  const Task task = info.task;
  const bool city = task == Task::kSegmentation && dataset.layout == "cityscapes";
  // Cityscapes: the 19 trainIds are scored, the models' 20th output (background) is not a class.
  const int scored_classes = city ? kCityscapesTrainIds - 1 : info.classes;

  // The slice this run scores: contiguous, of the sorted list (the layouts sort it).
  const size_t listed = dataset.samples.size();
  const std::pair<size_t, size_t> slice =
      merge ? std::make_pair(size_t{0}, listed) : shard_slice(shard, listed);
  std::vector<size_t> order;
  RecordContext context{task,
                        scored_classes,
                        base_name(model_path),
                        std::to_string(size_w) + "x" + std::to_string(size_h),
                        {}};
  std::vector<std::string> ids(listed);
  for (size_t i = slice.first; i < slice.second; ++i) {
    order.push_back(i);
    ids[i] = dataset_id(dataset.root, dataset.samples[i].image);
    context.index_of_id[ids[i]] = i;
  }
  EvalScores scores(task, scored_classes, info.classes, order);
  std::vector<bool> scored(listed, false);
  auto add_record = [&](size_t index, EvalRecord&& record) {
    if (scored[index]) return;  // one record per image: the first
    scored[index] = true;
    scores.add(index, std::move(record));
  };

  if (merge) {
    for (size_t f = 2; f < args.positional().size(); ++f)
      read_eval_records(args.positional()[f], context, add_record);
    std::vector<std::string> missing;
    for (size_t i = 0; i < listed; ++i)
      if (!scored[i]) missing.push_back(ids[i]);
    if (!missing.empty()) {
      std::string list;
      for (size_t k = 0; k < missing.size() && k < 5; ++k) list += (k ? ", " : "") + missing[k];
      throw Error(std::to_string(missing.size()) + " of " + std::to_string(listed) + " images of " +
                  dataset.description + " have no record in the files given (" + list +
                  (missing.size() > 5 ? ", ..." : "") +
                  "): run their shards again with --resume, then merge");
    }
    print_scores(scores, dataset, *model, scored_classes, size_w, size_h, json, 0.0);
    return 0;
  }

  std::unique_ptr<JsonlWriter> jsonl;
  if (args.has("--jsonl")) {
    const std::string path = args.value("--jsonl");
    make_parent_directory(path);
    if (args.flag("--resume") && path_exists(path)) read_eval_records(path, context, add_record);
    jsonl = std::make_unique<JsonlWriter>(path, args.flag("--resume"));
  }
  std::vector<size_t> todo;
  for (size_t i : order)
    if (!scored[i]) todo.push_back(i);
  const size_t resumed = order.size() - todo.size();
  if (!json)
    std::fprintf(
        stderr, "%s: %zu image%s%s%s\n", dataset.description.c_str(), order.size(),
        order.size() == 1 ? "" : "s", shard_note(shard, listed).c_str(),
        resumed ? (", " + std::to_string(resumed) + " scored before (--resume)").c_str() : "");

  DetectOptions detect_options;
  detect_options.score_threshold = 0.01f;  // EdgeNets ssd_config.py for evaluation
  detect_options.iou_threshold = 0.45f;
  detect_options.top_k_per_class = 200;

  Session session(model, session_opts);
  Progress progress(order.size(), !json);
  size_t done = resumed;
  const Clock::time_point start = Clock::now();
  pipeline::run_three_stage_pipeline<EvalItem>(
      todo.size(), 2,
      [&](size_t i) {
        EvalItem item;
        item.index = todo[i];
        item.sample = dataset.samples[item.index];
        const Clock::time_point t0 = Clock::now();
        item.photo = decode_image(item.sample.image);
        if (task == Task::kSegmentation) {
          item.truth = eval::read_label_png(item.sample.truth);
          if (city) eval::cityscapes_label_ids_to_train_ids(&item.truth.labels);
          item.prepared = prepare_segmentation(*model, item.photo, SegmentOptions{size_w, size_h});
        } else if (task == Task::kClassification) {
          item.prepared = prepare_classification(*model, item.photo);
        } else {
          item.boxes = eval::read_voc_annotation(item.sample.truth, names);
        }
        item.read_ms = ms_since(t0);
        return item;
      },
      [&](EvalItem& item) {
        StageTimes stages;
        if (task == Task::kSegmentation) {
          const Clock::time_point t0 = Clock::now();
          const std::vector<NamedTensor>& outputs =
              session.run(item.prepared.input, RunOutputs::kLabels);
          stages.network_ms = ms_since(t0);
          item.predicted = segmentation_network_labels(outputs);
          item.prepared.input = Tensor();
        } else if (task == Task::kClassification) {
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
        EvalRecord record;
        record.id = ids[item.index];
        std::string record_json = "{\"file\": " + json_string(item.sample.image) +
                                  ", \"id\": " + json_string(record.id) +
                                  ", \"model\": " + json_string(context.model);
        if (task == Task::kSegmentation) {
          const eval::LabelMap& t = item.truth;
          // Labels compared at the ground truth's size: the photo's (as test_segmentation.py
          // writes them), or the network's map resized straight to the truth's when they differ.
          const PreparedPhoto& p = item.prepared;
          if (t.width == p.photo_width && t.height == p.photo_height)
            item.predicted = finish_segmentation(*model, p, std::move(item.predicted)).labels;
          else
            item.predicted = resize_labels_nearest(item.predicted.data(), p.network_width,
                                                   p.network_height, t.width, t.height);
          eval::ConfusionMatrix one(scored_classes);
          one.add(item.predicted.data(), t.labels.data(), t.labels.size());
          for (int truth = 0; truth < scored_classes; ++truth)
            for (int predicted = 0; predicted < 256; ++predicted)
              if (const int64_t n = one.at(truth, predicted))
                record.confusion.push_back({truth, predicted, n});
          const eval::SegmentationScores s = one.scores();
          record_json += ", \"network\": " + json_string(context.network) +
                         ", \"truth\": " + json_string(item.sample.truth) +
                         ", \"scored_pixels\": " + std::to_string(s.scored_pixels) +
                         ", \"pixel_accuracy\": " + json_number(s.pixel_accuracy) +
                         ", \"miou\": " + json_number(s.mean_iou);
        } else if (task == Task::kClassification) {
          record.label = item.sample.label;
          record.ranked = item.ranked;
        } else {
          record.matches = scores.detections().match_image(item.detections, item.boxes);
          record_json += ", \"truth\": " + json_string(item.sample.truth) +
                         ", \"objects\": " + std::to_string(item.boxes.size()) +
                         ", \"detections\": " + std::to_string(item.detections.size());
        }
        record_json += eval_record_fields(record, task);
        if (jsonl) {
          char times[96];
          std::snprintf(times, sizeof times, ", \"times_ms\": {\"read\": %.3f, \"network\": %.3f}}",
                        item.read_ms, item.network_ms);
          jsonl->write(record_json + times);
        }
        add_record(item.index, std::move(record));
        progress.step(done, task == Task::kDetection ? item.sample.image : scores.status());
      });
  const double seconds = ms_since(start) / 1000.0;
  print_scores(scores, dataset, *model, scored_classes, size_w, size_h, json,
               seconds > 0 ? todo.size() / seconds : 0.0);
  return 0;
}

}  // namespace espnet::cli
