// espnet classify MODEL IMAGE... [--top K] [--json]: the standard ImageNet evaluation
// preprocessing (shorter side to 256, centre crop 224), softmax, top-k with class names.
#include <chrono>
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "folder_run.h"
#include "image_inputs.h"
#include "pipeline/three_stage_pipeline.h"
#include "tasks/task_stages.h"

namespace espnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// One photo on its way through the pipeline.
struct ClassifyItem {
  std::string path;
  Image photo;
  PreparedPhoto prepared;  // loader: the network input
  std::vector<ClassScore> ranked;
  StageTimes stages;
  double decode_ms = 0;
  std::string error;  // a photo that failed: reported, the others go on
};

std::string ranked_json(const std::vector<ClassScore>& ranked) {
  std::string out = "[";
  for (size_t j = 0; j < ranked.size(); ++j) {
    char probability[48];
    std::snprintf(probability, sizeof probability, ", \"probability\": %.6f}",
                  ranked[j].probability);
    out += (j ? ", " : "") + std::string("{\"index\": ") + std::to_string(ranked[j].index) +
           ", \"name\": " +
           json_string(ranked[j].name.empty() ? std::to_string(ranked[j].index) : ranked[j].name) +
           probability;
  }
  return out + "]";
}

}  // namespace

int run_classify(const Words& words) {
  std::vector<OptionSpec> specs = {{"--top", true, "how many classes to print (default 5)"},
                                   {"--json", false, "print JSON"},
                                   threads_option(),
                                   precision_option()};
  for (const OptionSpec& o : folder_run_options()) specs.push_back(o);
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "classify",
            "MODEL IMAGE_OR_DIR... [--top K] [--json] [--shard K/N] [--jsonl FILE "
            "[--resume]]",
            "Classifies images with an ImageNet classifier: decode, resize the shorter side\n"
            "to 256, centre-crop 224, ImageNet mean/std; prints the top K classes with\n"
            "their index, name and probability. Photos are decoded and classified on two\n"
            "threads at once; a photo that fails is reported and the others go on (exit\n"
            "status 1 at the end). --resume needs --jsonl (the records are the outputs).",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() < 2) throw UsageError("expected MODEL and at least one IMAGE");
  const int threads = apply_threads(args);
  const SessionOptions session_opts = session_options(args, threads);
  const int k = args.int_value("--top", 5, 1, 100000);
  shard_option(args);
  if (args.flag("--resume") && !args.has("--jsonl"))
    throw UsageError("--resume needs --jsonl: classify writes no other files");
  auto model = Model::load(args.positional()[0]);
  if (model->info().task != Task::kClassification)
    throw Error(args.positional()[0] + " is a " + task_name(model->info().task) +
                " model; classify needs a classification model");
  std::vector<std::string> images(args.positional().begin() + 1, args.positional().end());
  images = expand_image_arguments(images);
  const bool json = args.flag("--json");
  FolderRun run = plan_folder_run(
      args, "classify", images, [](const std::string&) { return std::vector<std::string>(); },
      json);
  Session session(model, session_opts);
  if (json) std::printf("[");
  size_t done = 0, failed = 0;
  pipeline::run_three_stage_pipeline<ClassifyItem>(
      run.photos.size(), 2,
      [&](size_t i) {
        ClassifyItem item;
        item.path = run.photos[i];
        const Clock::time_point t0 = Clock::now();
        try {
          item.photo = decode_image(item.path);
          item.decode_ms = ms_since(t0);
          // One photo: the network waits for this (see cmd_segment.cpp); else one thread.
          item.prepared =
              prepare_classification(*model, item.photo, run.photos.size() == 1 ? threads : 1);
          item.stages.preprocess_ms = item.prepared.preprocess_ms;
        } catch (const Error& e) {
          item.error = e.what();
        }
        return item;
      },
      [&](ClassifyItem& item) {
        if (!item.error.empty()) return;
        try {
          const Clock::time_point t0 = Clock::now();
          const std::vector<NamedTensor>& outputs = session.run(item.prepared.input);
          item.stages.network_ms = ms_since(t0);
          const Clock::time_point t1 = Clock::now();
          item.ranked = finish_classification(*model, outputs.at(0).value, k);
          item.stages.postprocess_ms = ms_since(t1);
          item.prepared.input = Tensor();
        } catch (const Error& e) {
          item.error = e.what();
        }
      },
      [&](ClassifyItem& item) {
        if (!item.error.empty()) {
          ++failed;
          std::fprintf(stderr, "espnet classify: error: %s\n", item.error.c_str());
          return;
        }
        const size_t i = done++;
        const std::string top = ranked_json(item.ranked);
        if (run.jsonl) {
          char times[160];
          std::snprintf(times, sizeof times,
                        ", \"times_ms\": {\"decode\": %.3f, \"preprocess\": %.3f, \"network\": "
                        "%.3f, \"postprocess\": %.3f}}",
                        item.decode_ms, item.stages.preprocess_ms, item.stages.network_ms,
                        item.stages.postprocess_ms);
          run.jsonl->write("{\"file\": " + json_string(item.path) +
                           ", \"width\": " + std::to_string(item.photo.width) + ", \"height\": " +
                           std::to_string(item.photo.height) + ", \"top\": " + top + times);
        }
        if (json) {
          std::printf("%s\n  {\"image\": %s, \"top\": %s}", i ? "," : "",
                      json_string(item.path).c_str(), top.c_str());
          return;
        }
        std::printf("%s\n", item.path.c_str());
        for (const ClassScore& r : item.ranked)
          std::printf("  %4d  %-30s %.4f\n", r.index, r.name.c_str(), r.probability);
        std::fflush(stdout);
      });
  if (json) std::printf("\n]\n");
  if (failed) {
    std::fprintf(stderr, "espnet classify: %zu of %zu photos failed\n", failed, run.photos.size());
    return 1;
  }
  return 0;
}

}  // namespace espnet::cli
