// espnet quantize MODEL CALIB_DIR OUT: calibrates the model's int8 plan on photos through the
// model's own demo preprocessing and writes a model file holding it (espnet/quantize.h).
#include <chrono>
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/quantize.h"
#include "image_inputs.h"

namespace espnet::cli {

int run_quantize(const Words& words) {
  const std::vector<OptionSpec> specs = {
      input_size_option(),
      threads_option(),
      {"--min-agreement", true,
       "segmentation: share of pixels that must keep fp32's label on the calibration photos "
       "(default 0.995)"},
      {"--max-error", true,
       "relative RMS error of the outputs against fp32 allowed on the calibration photos "
       "(default 0.05)"},
      {"--limit", true,
       "use at most the first N photos, sorted by name (default 16: each photo's network input "
       "and fp32 outputs stay in memory while calibrating)"},
      {"--guard", true,
       "an int8 layer whose input goes beyond its calibration range widened by this many times "
       "its width on either side runs that input in fp32 (default 0.1)"},
      {"--no-bias-correction", false,
       "leave out the bias correction (each int8 layer's output mean shift, measured on the "
       "calibration photos, taken back)"},
      {"--range", true,
       "mse (default: per tensor, the clip range with the least expected squared error), max "
       "(per tensor, the full range seen) or channel (per input channel, the full range seen)"},
  };
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "quantize", "MODEL CALIB_DIR OUT",
            "Calibrates MODEL for --precision int8 on the photos in CALIB_DIR (or the photo\n"
            "files given), preprocessed as the model's task does it: records each point-wise\n"
            "layer's input range, measures each layer's effect on the outputs, keeps the most\n"
            "sensitive layers in fp32 until the goals hold on these photos, and writes OUT, a\n"
            "model file with the int8 plan (`espnet info OUT` shows it). Use photos like the\n"
            "ones the model will see; the same photos give the same file, byte for byte.",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() != 3) throw UsageError("expected MODEL, CALIB_DIR and OUT");
  const int threads = apply_threads(args);
  const std::string& model_path = args.positional()[0];
  const std::string& out = args.positional()[2];
  check_output_path(out, {model_path});
  QuantizeOptions options;
  options.threads = threads;
  options.min_pixel_agreement = args.double_value("--min-agreement", 0.995, 0.0, 1.0);
  options.max_output_error = args.double_value("--max-error", 0.05, 0.0, 1e9);
  const int limit = args.int_value("--limit", 16, 1, 4096);
  options.range_method = args.value("--range", "mse");
  options.guard_margin = args.double_value("--guard", 0.1, 0.0, 1e6);
  options.bias_correction = !args.flag("--no-bias-correction");
  if (options.range_method != "mse" && options.range_method != "max" &&
      options.range_method != "channel")
    throw UsageError("--range must be mse, max or channel, got '" + options.range_method + "'");
  options.progress = [](const std::string& line) { std::printf("%s\n", line.c_str()); };

  const auto start = std::chrono::steady_clock::now();
  auto model = load_model(model_path, load_options(args));
  std::vector<std::string> photos = expand_image_arguments({args.positional()[1]});
  if (photos.empty()) throw Error(args.positional()[1] + ": no photos to calibrate on");
  const size_t found = photos.size();
  if (photos.size() > size_t(limit)) photos.resize(size_t(limit));
  std::vector<Tensor> inputs;
  for (const std::string& photo : photos)
    inputs.push_back(calibration_input(*model, decode_image(photo)));
  std::printf("calibrating on %zu photos", inputs.size());
  if (found > inputs.size()) std::printf(" (the first %zu of %zu: --limit)", inputs.size(), found);
  std::printf("\n");
  auto quantized = quantize(model, inputs, options);
  quantized->save(out);
  const Quantization& q = *quantized->quantization();
  int int8_layers = 0;
  for (const LayerQuantization& l : q.layers) int8_layers += l.int8;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "wrote %s: %d of %zu point-wise layers int8; on the calibration photos: output error "
      "%.2f %%",
      out.c_str(), int8_layers, q.layers.size(), 100.0 * q.output_error);
  if (model->info().task == Task::kSegmentation)
    std::printf(", pixels labelled as fp32 %.2f %%", 100.0 * q.pixel_agreement);
  std::printf(" (%.1f s)\n", seconds);
  return 0;
}

}  // namespace espnet::cli
