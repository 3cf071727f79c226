// segment_folder MODEL INPUT_DIR OUTPUT_DIR: segments every photo of a folder, writes
// <name>_overlay.png for each and shows a progress line.
#include <espnet/image.h>
#include <espnet/model.h>
#include <espnet/session.h>
#include <espnet/tasks.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MODEL INPUT_DIR OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    auto model = espnet::Model::load(argv[1]);
    espnet::Session session(model);  // reused: the memory of a size is planned once

    std::vector<fs::path> photos;
    for (const fs::directory_entry& entry : fs::directory_iterator(argv[2])) {
      std::string ext = entry.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp")
        photos.push_back(entry.path());
    }
    std::sort(photos.begin(), photos.end());
    fs::create_directories(argv[3]);

    double network_ms = 0;
    for (size_t i = 0; i < photos.size(); ++i) {
      std::fprintf(stderr, "\r[%zu/%zu] %-40s", i + 1, photos.size(),
                   photos[i].filename().string().c_str());
      const espnet::Image photo = espnet::decode_image(photos[i].string());
      espnet::StageTimes times;
      const espnet::SegmentationResult result = espnet::segment(session, photo, {}, &times);
      network_ms += times.network_ms;
      const espnet::Image colours = espnet::colorize(result, *model);
      const fs::path out = fs::path(argv[3]) / (photos[i].stem().string() + "_overlay.png");
      espnet::write_png(out.string(), espnet::overlay(photo, colours, 0.7f));
    }
    std::fprintf(stderr, "\n%zu photos, network %.1f ms on average\n", photos.size(),
                 photos.empty() ? 0.0 : network_ms / photos.size());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nerror: %s\n", e.what());
    return 1;
  }
}
