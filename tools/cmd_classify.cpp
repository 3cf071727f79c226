// espnet classify MODEL IMAGE... [--top K] [--json]: the standard ImageNet evaluation
// preprocessing (shorter side to 256, centre crop 224), softmax, top-k with class names.
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "image_inputs.h"

namespace espnet::cli {

int run_classify(const Words& words) {
  const std::vector<OptionSpec> specs = {{"--top", true, "how many classes to print (default 5)"},
                                         {"--json", false, "print JSON"},
                                         threads_option(),
                                         precision_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "classify", "MODEL IMAGE... [--top K] [--json]",
            "Classifies images with an ImageNet classifier: decode, resize the shorter side\n"
            "to 256, centre-crop 224, ImageNet mean/std; prints the top K classes with\n"
            "their index, name and probability.",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() < 2) throw UsageError("expected MODEL and at least one IMAGE");
  const int threads = apply_threads(args);
  const SessionOptions session_opts = session_options(args, threads);
  const int k = args.int_value("--top", 5, 1, 100000);
  auto model = Model::load(args.positional()[0]);
  if (model->info().task != Task::kClassification)
    throw Error(args.positional()[0] + " is a " + task_name(model->info().task) +
                " model; classify needs a classification model");
  std::vector<std::string> images(args.positional().begin() + 1, args.positional().end());
  images = expand_image_arguments(images);
  Session session(model, session_opts);
  const bool json = args.flag("--json");
  if (json) std::printf("[");
  for (size_t i = 0; i < images.size(); ++i) {
    const std::vector<ClassScore> ranked = classify(session, decode_image(images[i]), k);
    if (json) {
      std::printf("%s\n  {\"image\": %s, \"top\": [", i ? "," : "", json_string(images[i]).c_str());
      for (size_t j = 0; j < ranked.size(); ++j)
        std::printf(
            "%s{\"index\": %d, \"name\": %s, \"probability\": %.6f}", j ? ", " : "",
            ranked[j].index,
            json_string(ranked[j].name.empty() ? std::to_string(ranked[j].index) : ranked[j].name)
                .c_str(),
            ranked[j].probability);
      std::printf("]}");
      continue;
    }
    std::printf("%s\n", images[i].c_str());
    for (const ClassScore& r : ranked)
      std::printf("  %4d  %-30s %.4f\n", r.index, r.name.c_str(), r.probability);
  }
  if (json) std::printf("\n]\n");
  return 0;
}

}  // namespace espnet::cli
