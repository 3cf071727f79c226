// espnet info MODEL [--size WxH] [--json]: what a model is and what it costs at a size.
#include <cstdio>
#include <string>

#include "cli_common.h"
#include "commands.h"
#include "espnet/session.h"
#include "kernels/dispatch_info.h"
#include "quantization_report.h"

namespace espnet::cli {

int run_info(const Words& words) {
  const std::vector<OptionSpec> specs = {
      {"--size", true,
       "input WIDTHxHEIGHT for the multiply-add and memory counts (default: the model's own)"},
      {"--json", false,
       "print JSON (keys: task, family, scale, classes, params, conv_macs, memory_bytes, ...)"},
      {"--layers", false, "print the per-layer table (always included in --json)"},
      input_size_option(),
      threads_option(),
      precision_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "info", "MODEL [--size WxH] [--json]",
            "Describes a model (.pth checkpoint or espnet model file): family, task, scale s,\n"
            "classes, parameters and convolution multiply-adds at an input size, counted as\n"
            "the published ESPNetv2 tables count them.",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() != 1) throw UsageError("expected one MODEL");
  const SessionOptions session_opts = session_options(args, apply_threads(args));
  const LoadOptions options = load_options(args);
  int width = 0, height = 0;
  const bool sized = args.size_value("--size", &width, &height);  // usage errors before loading
  auto model = load_model(args.positional()[0], options);
  const ModelInfo& info = model->info();
  // A session checks the precision can run here (and names its kernels); it computes nothing.
  const PrecisionReport precision = Session(model, session_opts).precision_report();
  if (!sized) default_input_size(info, &width, &height);
  std::vector<LayerSummary> layers = model->layer_summary(height, width);
  // What a run at this size holds: planned without running or allocating it.
  Session sizing(model, session_opts);
  const MemoryEstimate memory = sizing.memory_plan({1, 3, height, width});
  // Segmentation: `espnet segment` and `eval` runs end with the labels, which hold less.
  const bool segmentation = info.task == Task::kSegmentation;
  const MemoryEstimate labels_memory =
      segmentation ? sizing.memory_plan({1, 3, height, width}, RunOutputs::kLabels) : memory;
  double macs = 0;
  for (const LayerSummary& l : layers) macs += l.macs;
  if (args.flag("--json")) {
    std::printf(
        "{\n  \"model\": %s,\n  \"task\": %s,\n  \"family\": %s,\n  \"scale\": %s,\n"
        "  \"classes\": %d,\n  \"dataset\": %s,\n  \"params\": %lld,\n  \"params_m\": %.6f,\n"
        "  \"input\": {\"width\": %d, \"height\": %d},\n  \"conv_macs\": %.1f,\n"
        "  \"mflops\": %.4f,\n  \"memory_bytes\": %zu,\n  \"memory_live_bytes\": %zu,\n"
        "  \"labels_memory_bytes\": %s,\n"
        "  \"isa\": %s,\n  \"precision\": %s,\n  \"precision_kernels\": %s,\n"
        "  \"quantization\": %s,\n  \"layers\": [",
        json_string(args.positional()[0]).c_str(), json_string(task_name(info.task)).c_str(),
        json_string(family_name(info.family)).c_str(), format_number(info.scale).c_str(),
        info.classes, json_string(info.dataset).c_str(), static_cast<long long>(info.params),
        info.params / 1e6, width, height, macs, macs / 1e6, memory.arena_bytes, memory.live_bytes,
        segmentation ? std::to_string(labels_memory.arena_bytes).c_str() : "null",
        json_string(active_isa_name()).c_str(),
        json_string(precision_name(precision.precision)).c_str(),
        json_string(precision.kernels).c_str(),
        model->quantization() ? quantization_json(*model->quantization()).c_str() : "null");
    for (size_t i = 0; i < layers.size(); ++i) {
      const LayerSummary& l = layers[i];
      std::printf(
          "%s\n    {\"name\": %s, \"op\": %s, \"output\": [%lld, %lld, %lld], \"macs\": %.1f}",
          i ? "," : "", json_string(l.name).c_str(), json_string(l.description).c_str(),
          static_cast<long long>(l.output_shape[1]), static_cast<long long>(l.output_shape[2]),
          static_cast<long long>(l.output_shape[3]), l.macs);
    }
    std::printf("\n  ]\n}\n");
    return 0;
  }
  std::printf("model:      %s\n", args.positional()[0].c_str());
  std::printf("family:     %s\n", family_name(info.family));
  std::printf("task:       %s\n", task_name(info.task));
  std::printf("scale s:    %s\n", format_number(info.scale).c_str());
  std::printf("classes:    %d (%s)\n", info.classes, info.dataset.c_str());
  if (info.input_size) std::printf("input size: %d x %d\n", info.input_size, info.input_size);
  std::printf("parameters: %lld (%.3f M)\n", static_cast<long long>(info.params),
              info.params / 1e6);
  std::printf("conv MACs:  %.2f M at %dx%d (WxH), %zu convolutions\n", macs / 1e6, width, height,
              layers.size());
  std::printf(
      "memory:     %.1f MB of activations at %dx%d (largest live set %.1f MB), plus "
      "the weights\n",
      memory.arena_bytes / double(1 << 20), width, height, memory.live_bytes / double(1 << 20));
  if (segmentation)
    std::printf("            %.1f MB in runs that end with the labels (espnet segment, eval)\n",
                labels_memory.arena_bytes / double(1 << 20));
  std::printf("kernels:    %s\n", active_isa_name());
  std::printf("precision:  %s%s%s\n", precision_name(precision.precision),
              precision.kernels.empty() ? "" : " (point-wise convolutions on ",
              precision.kernels.empty() ? "" : (precision.kernels + ")").c_str());
  if (const Quantization* plan = model->quantization())
    std::printf("int8 plan:  %s\n", quantization_summary(*plan).c_str());
  if (args.flag("--layers")) {
    if (const Quantization* plan = model->quantization())
      std::printf("\n%s", quantization_table(*plan).c_str());
    std::printf("\n%-36s %-34s %-18s %10s\n", "layer", "op", "output (CxHxW)", "MMACs");
    for (const LayerSummary& l : layers) {
      std::string shape = std::to_string(l.output_shape[1]) + "x" +
                          std::to_string(l.output_shape[2]) + "x" +
                          std::to_string(l.output_shape[3]);
      std::printf("%-36s %-34s %-18s %10.3f\n", l.name.c_str(), l.description.c_str(),
                  shape.c_str(), l.macs / 1e6);
    }
  }
  return 0;
}

}  // namespace espnet::cli
