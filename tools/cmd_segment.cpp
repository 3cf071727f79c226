// espnet segment MODEL IMAGE_OR_DIR... [-o DIR] [--size WxH] [--alpha A] [--labelids] [--json]
// [--verbose]: the official demos' preprocessing for the model's family, argmax, label map back
// at the photo's size, palette PNG, blended overlay, optional Cityscapes labelId PNG.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "file_util.h"
#include "folder_run.h"
#include "image/blend.h"
#include "image/labels.h"
#include "image/palette.h"
#include "image/png_write.h"
#include "image_inputs.h"
#include "pipeline/three_stage_pipeline.h"
#include "session_warm_up.h"
#include "tasks/task_stages.h"

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

// One photo on its way through the pipeline.
struct SegmentItem {
  std::string path;
  Image photo;
  PreparedPhoto prepared;               // loader: the network input
  std::vector<uint8_t> network_labels;  // network thread: argmax at the network's size
  SegmentationResult result;            // writer: labels at the photo's size, class shares
  StageTimes stages;
  double decode_ms = 0;
  double labels_png_ms = 0, overlay_ms = 0, overlay_png_ms = 0;  // for --verbose
  double write_ms = 0;  // every PNG, the overlay blend included
  bool written = false;
  std::string error;  // a photo that failed: reported, the others go on
};

}  // namespace

int run_segment(const Words& words) {
  std::vector<OptionSpec> specs = {
      {"--output", true,
       "directory for the PNGs (created when missing; default: current directory)", "-o"},
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
  for (const OptionSpec& o : folder_run_options()) specs.push_back(o);
  Args args(words, specs);
  if (args.help()) {
    std::fputs(
        usage_text(
            "segment",
            "MODEL IMAGE_OR_DIR... [-o DIR] [--size WxH] [--alpha A] [--json] [--shard K/N] "
            "[--resume] [--jsonl FILE]",
            "Segments photos. EdgeNets models: resize to multiples of 32 (Pillow bilinear),\n"
            "ImageNet normalisation; original-repository models: its Cityscapes preprocessing\n"
            "at 1024x512. Writes <stem>_labels.png (palette PNG at the photo's size; VOC or\n"
            "Cityscapes colours), <stem>_overlay.png and, with --labelids, <stem>_labelids.png;\n"
            "prints the classes present with their pixel share. Photos are decoded, segmented\n"
            "and written on three threads at once; every file is written whole (temporary\n"
            "file, then rename), so --resume after a kill redoes only unfinished photos. A\n"
            "photo that fails is reported and the others go on (exit status 1 at the end).",
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
  const bool labelids = args.flag("--labelids");
  int fixed_w = 0, fixed_h = 0;
  const bool fixed_size = args.size_value("--size", &fixed_w, &fixed_h);
  const int max_side = args.int_value("--max-side", SegmentOptions{}.max_side, 0, 1 << 20);
  if (max_side > 0 && max_side < 32) throw UsageError("--max-side must be 0 or at least 32");
  shard_option(args);  // usage errors before the model is read

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
  if (labelids && !city) throw Error("--labelids needs a Cityscapes model");
  const Palette palette = city ? cityscapes_palette() : voc_palette();
  const std::vector<std::string> names = class_names(*model);
  std::vector<std::string> images(args.positional().begin() + 1, args.positional().end());
  images = expand_image_arguments(images);
  make_output_directory(out_dir);
  // No output may replace any input: a later image of the same run, or the model.
  std::vector<std::string> input_list = images;
  input_list.push_back(args.positional()[0]);
  const InputFiles inputs(input_list);
  auto outputs_of = [&](const std::string& path) {
    const std::string stem = join_path(out_dir, file_stem(path));
    std::vector<std::string> out = {stem + "_labels.png", stem + "_overlay.png"};
    if (labelids) out.push_back(stem + "_labelids.png");
    return out;
  };
  FolderRun run = plan_folder_run(args, "segment", images, outputs_of, json);
  const bool progress = run.photos.size() > 1 && !json;

  Session session(model, session_opts);
  const SegmentOptions segment_options{fixed_w, fixed_h, max_side};
  // The first photo's network input follows from its header: the session gets ready for it (plan,
  // activation memory faulted in) while the loader decodes and preprocesses the photo.
  std::unique_ptr<SessionWarmUp> warm_up;
  if (!run.photos.empty())
    warm_up = std::make_unique<SessionWarmUp>(
        session, run.photos[0],
        [&](int width, int height) {
          Image header;
          header.width = width;
          header.height = height;
          const NetworkSize size = segmentation_network_size(*model, header, segment_options);
          return Shape{1, 3, size.height, size.width};
        },
        RunOutputs::kLabels);
  // A photo's outputs from its network labels: the label map at the photo's size (postprocess),
  // then every PNG. Throws espnet::Error (the photo's own error from an earlier stage too).
  auto write_outputs = [&](SegmentItem& item, int png_threads) {  // threads for PNGs and blend
    if (!item.error.empty()) throw Error(item.error);
    const std::vector<std::string> written = outputs_of(item.path);
    const Clock::time_point t_finish = Clock::now();
    item.result = finish_segmentation(*model, item.prepared, std::move(item.network_labels));
    item.stages.postprocess_ms += ms_between(t_finish, Clock::now());
    const SegmentationResult& result = item.result;
    const Image& photo = item.photo;
    for (const std::string& out : written) inputs.check_output_path(out);
    const Clock::time_point t_labels = Clock::now();
    write_png_palette(written[0], result.labels.data(), photo.width, photo.height, palette,
                      static_cast<int>(names.size()), png_threads);
    const Clock::time_point t_blend = Clock::now();
    const Image blended =
        blend_labels_overlay(photo, result.labels.data(), palette, alpha, png_threads);
    const Clock::time_point t_overlay = Clock::now();
    write_png_rgb(written[1], blended, png_threads);
    item.labels_png_ms = ms_between(t_labels, t_blend);
    item.overlay_ms = ms_between(t_blend, t_overlay);
    item.overlay_png_ms = ms_between(t_overlay, Clock::now());
    if (labelids) {
      // gen_cityscapes.py: the network-resolution map enlarged 2x (nearest), trainId -> labelId.
      const int net_w = result.network_width, net_h = result.network_height;
      std::vector<uint8_t> big = upscale_labels_2x(result.network_labels.data(), net_w, net_h);
      std::vector<uint8_t> ids = cityscapes_train_ids_to_label_ids(big.data(), big.size());
      write_png_gray(written[2], ids.data(), net_w * 2, net_h * 2, png_threads);
    }
    item.write_ms = ms_between(t_labels, Clock::now());
    item.written = true;
  };
  // One photo: its outputs are written on the network's thread, right after the network, so
  // that the overlay's compression (~7 ms of zlib on one core at 750x400) runs on the session's
  // OpenMP threads, which are idle then (a new team on the writer thread would compete with
  // them while they spin down). In a folder run the writer thread does it on one core, beside
  // the network of the next photo.
  const bool write_on_network_thread = run.photos.size() == 1;
  if (json) std::printf("[");
  size_t done = 0, failed = 0, printed = 0;  // printed: JSON elements so far (commas)
  pipeline::run_three_stage_pipeline<SegmentItem>(
      run.photos.size(), 2,
      [&](size_t i) {
        SegmentItem item;
        item.path = run.photos[i];
        const Clock::time_point t0 = Clock::now();
        try {
          item.photo = decode_image(item.path);
          item.decode_ms = ms_between(t0, Clock::now());
          // One photo: the network waits for this, so it may take the session's threads; in a
          // folder run it overlaps the previous photo's network and takes one.
          item.prepared = prepare_segmentation(*model, item.photo, segment_options,
                                               run.photos.size() == 1 ? threads : 1);
          item.stages.preprocess_ms = item.prepared.preprocess_ms;
        } catch (const Error& e) {
          item.error = e.what();
        }
        return item;
      },
      [&](SegmentItem& item) {
        if (!item.error.empty()) return;
        try {
          if (warm_up) warm_up->wait();
          const Clock::time_point t0 = Clock::now();
          // The run ends with the labels: the full-size logits are never made.
          const std::vector<NamedTensor>& outputs =
              session.run(item.prepared.input, RunOutputs::kLabels);
          const Clock::time_point t1 = Clock::now();
          item.network_labels = segmentation_network_labels(outputs);
          item.prepared.input = Tensor();  // not needed any more: keep the queue small
          item.stages.network_ms = ms_between(t0, t1);
          item.stages.postprocess_ms = ms_between(t1, Clock::now());
          if (write_on_network_thread) write_outputs(item, threads);
        } catch (const Error& e) {
          item.error = e.what();
        }
      },
      [&](SegmentItem& item) {
        const std::string& path = item.path;
        const size_t i = done++;
        if (progress)
          std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, run.photos.size(), path.c_str());
        const std::vector<std::string> written = outputs_of(path);
        try {
          if (!item.written) write_outputs(item, 1);
        } catch (const Error& e) {
          ++failed;
          std::fprintf(stderr, "espnet segment: error: %s\n", e.what());
          return;
        }
        const SegmentationResult& result = item.result;
        const Image& photo = item.photo;
        std::string classes_json = "[";
        for (size_t c = 0; c < result.classes.size(); ++c) {
          const ClassShare& share = result.classes[c];
          char buf[96];
          std::snprintf(buf, sizeof buf, ", \"pixels\": %lld, \"share\": %.6f}",
                        static_cast<long long>(share.pixels), share.fraction);
          classes_json +=
              (c ? ", " : "") + std::string("{\"id\": ") + std::to_string(share.index) +
              ", \"name\": " +
              json_string(share.name.empty() ? std::to_string(share.index) : share.name) + buf;
        }
        classes_json += "]";
        if (run.jsonl) {
          std::string record =
              "{\"file\": " + json_string(path) + ", \"width\": " + std::to_string(photo.width) +
              ", \"height\": " + std::to_string(photo.height) +
              ", \"network_width\": " + std::to_string(result.network_width) +
              ", \"network_height\": " + std::to_string(result.network_height) + ", \"outputs\": [";
          for (size_t k = 0; k < written.size(); ++k)
            record += (k ? ", " : "") + json_string(written[k]);
          char times[200];
          std::snprintf(times, sizeof times,
                        ", \"times_ms\": {\"decode\": %.3f, \"preprocess\": %.3f, \"network\": "
                        "%.3f, \"postprocess\": %.3f, \"write\": %.3f}}",
                        item.decode_ms, item.stages.preprocess_ms, item.stages.network_ms,
                        item.stages.postprocess_ms, item.write_ms);
          const std::string tail = "], \"classes\": " + classes_json + times;
          run.jsonl->write(record + tail);
        }
        if (json) {
          std::printf(
              "%s\n  {\"image\": %s, \"width\": %d, \"height\": %d, \"network_width\": %d, "
              "\"network_height\": %d, \"labels_png\": %s, \"overlay_png\": %s",
              printed++ ? "," : "", json_string(path).c_str(), photo.width, photo.height,
              result.network_width, result.network_height, json_string(written[0]).c_str(),
              json_string(written[1]).c_str());
          if (labelids) std::printf(", \"labelids_png\": %s", json_string(written[2]).c_str());
          std::printf(", \"classes\": %s, \"inference_ms\": %.3f}", classes_json.c_str(),
                      item.stages.network_ms);
        } else {
          std::printf("%s (%dx%d, network %dx%d)\n", path.c_str(), photo.width, photo.height,
                      result.network_width, result.network_height);
          for (const ClassShare& share : result.classes)
            std::printf("  %-14s %6.2f %%\n", share.name.empty() ? "?" : share.name.c_str(),
                        100.0 * share.pixels / result.labels.size());
          std::printf("  wrote %s, %s%s%s\n", written[0].c_str(), written[1].c_str(),
                      labelids ? ", " : "", labelids ? written[2].c_str() : "");
        }
        std::fflush(stdout);
        if (verbose)
          // Every stage of the photo; "postprocess" is the argmax, the label map at the photo's
          // size and the class shares; "write" includes the overlay blend and every PNG. In a
          // folder run the stages of consecutive photos overlap (decode and write have threads).
          std::fprintf(stderr,
                       "  times: decode %.1f ms, preprocess %.1f ms, network %.1f ms, "
                       "postprocess %.1f ms, labels png %.1f ms, overlay %.1f ms, overlay png %.1f "
                       "ms; post-processing + writing %.1f ms, photo total %.1f ms\n",
                       item.decode_ms, item.stages.preprocess_ms, item.stages.network_ms,
                       item.stages.postprocess_ms, item.labels_png_ms, item.overlay_ms,
                       item.overlay_png_ms, item.stages.postprocess_ms + item.write_ms,
                       item.decode_ms + item.stages.preprocess_ms + item.stages.network_ms +
                           item.stages.postprocess_ms + item.write_ms);
      });
  if (json) std::printf("\n]\n");
  if (failed) {
    std::fprintf(stderr, "espnet segment: %zu of %zu photos failed\n", failed, run.photos.size());
    return 1;
  }
  return 0;
}

}  // namespace espnet::cli
