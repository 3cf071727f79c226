// espnet convert IN.pth OUT: validates a checkpoint against the network it describes and
// writes our model file.
#include <cstdio>

#include "cli_common.h"
#include "commands.h"

namespace espnet::cli {

int run_convert(const Words& words) {
  const std::vector<OptionSpec> specs = {input_size_option(), threads_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "convert", "IN.pth OUT",
            "Reads a PyTorch checkpoint of the official ESPNetv2 / EdgeNets code (legacy or\n"
            "zip .pth), checks every tensor against the network it describes and writes an\n"
            "espnet model file (format: src/model_file/FORMAT.md).",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() != 2) throw UsageError("expected IN.pth and OUT");
  apply_threads(args);
  const LoadOptions options = load_options(args);
  const std::string& in = args.positional()[0];
  const std::string& out = args.positional()[1];
  check_output_path(out, {in});
  auto model = Model::load(in, options);
  model->save(out);
  const ModelInfo& info = model->info();
  std::printf("wrote %s: %s %s s=%s, %d classes, %lld parameters\n", out.c_str(),
              family_name(info.family), task_name(info.task), format_number(info.scale).c_str(),
              info.classes, static_cast<long long>(info.params));
  return 0;
}

}  // namespace espnet::cli
