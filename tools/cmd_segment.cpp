// espnet segment MODEL IMAGE_OR_DIR... [-o DIR] [--size WxH] [--alpha A] [--labelids] [--json]
// [--verbose]: the official demos' preprocessing for the model's family, argmax, label map back
// at the photo's size, palette PNG, blended overlay, optional Cityscapes labelId PNG.
#include <chrono>
#include <cstdio>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "file_util.h"
#include "image/blend.h"
#include "image/labels.h"
#include "image/palette.h"
#include "image/png_write.h"
#include "image_inputs.h"

namespace espnet::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Cityscapes (20 classes: 19 trainIds + background) or PASCAL VOC (21) colours and names.
bool is_cityscapes(const ModelInfo& info) {
  return info.dataset == "city";
}

}  // namespace

int run_segment(const Words& words) {
  const std::vector<OptionSpec> specs = {
      {"--output", true, "directory for the PNGs (must exist; default: current directory)", "-o"},
      {"--size", true,
       "network input WIDTHxHEIGHT, multiples of 16 (default: as the official demo)"},
      {"--max-side", true,
       "big photos: cap the network input's longer side at N (default 2048; the label map stays "
       "at the photo's size); 0 runs the demo's full size (fails cleanly if it cannot fit)"},
      {"--alpha", true, "overlay opacity of the colour mask, 0..1 (default 0.7)"},
      {"--labelids", false, "also write the Cityscapes labelId PNG (2x, for the official scripts)"},
      {"--json", false, "print JSON"},
      {"--verbose", false, "print per-stage times"},
      threads_option(),
      precision_option()};
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "segment", "MODEL IMAGE_OR_DIR... [-o DIR] [--size WxH] [--alpha A] [--json]",
            "Segments photos. EdgeNets models: resize to multiples of 32 (Pillow bilinear),\n"
            "ImageNet normalisation; original-repository models: its Cityscapes preprocessing\n"
            "at 1024x512. Writes <stem>_labels.png (palette PNG at the photo's size; VOC or\n"
            "Cityscapes colours), <stem>_overlay.png and, with --labelids, <stem>_labelids.png;\n"
            "prints the classes present with their pixel share.",
            specs)
            .c_str(),
        stdout);
    return 0;
  }
  if (args.positional().size() < 2)
    throw UsageError("expected MODEL and at least one IMAGE or DIR");
  const int threads = apply_threads(args);
  const SessionOptions session_opts = session_options(args, threads);
  const std::string out_dir = args.value("--output", ".");
  const float alpha = static_cast<float>(args.double_value("--alpha", 0.7, 0.0, 1.0));
  const bool json = args.flag("--json"), verbose = args.flag("--verbose");
  int fixed_w = 0, fixed_h = 0;
  const bool fixed_size = args.size_value("--size", &fixed_w, &fixed_h);
  const int max_side = args.int_value("--max-side", SegmentOptions{}.max_side, 0, 1 << 20);
  if (max_side > 0 && max_side < 32) throw UsageError("--max-side must be 0 or at least 32");
  if (!is_directory(out_dir)) throw Error("output directory '" + out_dir + "' does not exist");

  const Clock::time_point load_start = Clock::now();
  auto model = Model::load(args.positional()[0]);
  if (verbose)
    std::fprintf(stderr, "  load %s: %.1f ms\n", args.positional()[0].c_str(),
                 ms_between(load_start, Clock::now()));
  const ModelInfo& info = model->info();
  if (info.task != Task::kSegmentation)
    throw Error(args.positional()[0] + " is a " + task_name(info.task) +
                " model; segment needs a segmentation model");
  if (fixed_size) model->check_input_size(fixed_h, fixed_w);
  const bool city = is_cityscapes(info);
  const Palette palette = city ? cityscapes_palette() : voc_palette();
  const std::vector<std::string> names = class_names(*model);
  std::vector<std::string> images(args.positional().begin() + 1, args.positional().end());
  images = expand_image_arguments(images);
  // No output may replace any input: a later image of the same run, or the model.
  std::vector<std::string> inputs = images;
  inputs.push_back(args.positional()[0]);
  const bool progress = images.size() > 1 && !json;

  Session session(model, session_opts);
  if (json) std::printf("[");
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string& path = images[i];
    if (progress) std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, images.size(), path.c_str());
    Clock::time_point t0 = Clock::now();
    Image photo = decode_image(path);
    Clock::time_point t1 = Clock::now();
    StageTimes stages;
    // The command writes label maps only: no copy of the logits.
    const SegmentationResult result = segment(
        session, photo, SegmentOptions{fixed_w, fixed_h, max_side, /*keep_logits=*/false}, &stages);
    const int net_w = result.network_width, net_h = result.network_height;
    const std::vector<uint8_t>& labels = result.labels;
    const std::string stem = join_path(out_dir, file_stem(path));
    const std::string labels_png = stem + "_labels.png", overlay_png = stem + "_overlay.png";
    check_output_path(labels_png, inputs);
    check_output_path(overlay_png, inputs);
    Clock::time_point t2 = Clock::now();
    write_png_palette(labels_png, labels.data(), photo.width, photo.height, palette,
                      static_cast<int>(names.size()));
    Clock::time_point t3 = Clock::now();
    const Image blended = blend_labels_overlay(photo, labels.data(), palette, alpha);
    Clock::time_point t4 = Clock::now();
    write_png(overlay_png, blended);
    Clock::time_point t5 = Clock::now();
    std::string labelids_png;
    if (args.flag("--labelids")) {
      if (!city) throw Error("--labelids needs a Cityscapes model");
      // gen_cityscapes.py: the network-resolution map enlarged 2x (nearest), trainId -> labelId.
      std::vector<uint8_t> big = upscale_labels_2x(result.network_labels.data(), net_w, net_h);
      std::vector<uint8_t> ids = cityscapes_train_ids_to_label_ids(big.data(), big.size());
      labelids_png = stem + "_labelids.png";
      check_output_path(labelids_png, inputs);
      write_png_gray(labelids_png, ids.data(), net_w * 2, net_h * 2);
    }
    Clock::time_point t6 = Clock::now();
    if (json) {
      std::printf(
          "%s\n  {\"image\": %s, \"width\": %d, \"height\": %d, \"network_width\": %d, "
          "\"network_height\": %d, \"labels_png\": %s, \"overlay_png\": %s",
          i ? "," : "", json_string(path).c_str(), photo.width, photo.height, net_w, net_h,
          json_string(labels_png).c_str(), json_string(overlay_png).c_str());
      if (!labelids_png.empty())
        std::printf(", \"labelids_png\": %s", json_string(labelids_png).c_str());
      std::printf(", \"classes\": [");
      for (size_t c = 0; c < result.classes.size(); ++c) {
        const ClassShare& share = result.classes[c];
        std::printf(
            "%s{\"id\": %d, \"name\": %s, \"pixels\": %lld, \"share\": %.6f}", c ? ", " : "",
            share.index,
            json_string(share.name.empty() ? std::to_string(share.index) : share.name).c_str(),
            static_cast<long long>(share.pixels), share.fraction);
      }
      std::printf("], \"inference_ms\": %.3f}", stages.network_ms);
    } else {
      std::printf("%s (%dx%d, network %dx%d)\n", path.c_str(), photo.width, photo.height, net_w,
                  net_h);
      for (const ClassShare& share : result.classes)
        std::printf("  %-14s %6.2f %%\n", share.name.empty() ? "?" : share.name.c_str(),
                    100.0 * share.pixels / labels.size());
      std::printf("  wrote %s, %s%s%s\n", labels_png.c_str(), overlay_png.c_str(),
                  labelids_png.empty() ? "" : ", ", labelids_png.c_str());
    }
    if (verbose) {
      // Every stage of the photo, in order; "postprocess" is segment()'s own (argmax, label map
      // at the photo's size, class shares), the rest is this command's output.
      std::fprintf(stderr,
                   "  times: decode %.1f ms, preprocess %.1f ms, network %.1f ms, "
                   "postprocess %.1f ms, labels png %.1f ms, overlay %.1f ms, overlay png %.1f ms",
                   ms_between(t0, t1), stages.preprocess_ms, stages.network_ms,
                   stages.postprocess_ms, ms_between(t2, t3), ms_between(t3, t4),
                   ms_between(t4, t5));
      if (!labelids_png.empty()) std::fprintf(stderr, ", labelids png %.1f ms", ms_between(t5, t6));
      std::fprintf(stderr, "; post-processing + writing %.1f ms, photo total %.1f ms\n",
                   stages.postprocess_ms + ms_between(t2, t6), ms_between(t0, t6));
    }
  }
  if (json) std::printf("\n]\n");
  return 0;
}

}  // namespace espnet::cli
