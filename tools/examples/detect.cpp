// detect MODEL IMAGE OUTPUT_PNG [THRESHOLD]: objects found by an SSD model, listed and drawn.
#include <espnet/image.h>
#include <espnet/model.h>
#include <espnet/session.h>
#include <espnet/tasks.h>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s MODEL IMAGE OUTPUT_PNG [THRESHOLD]\n", argv[0]);
    return 2;
  }
  try {
    auto model = espnet::Model::load(argv[1]);  // the SSD size comes from the model
    espnet::Session session(model);
    espnet::DetectOptions options;  // the demo's defaults: threshold 0.4 VOC / 0.3 COCO
    if (argc > 4) options.score_threshold = std::stof(argv[4]);

    const espnet::Image photo = espnet::decode_image(argv[2]);
    const std::vector<espnet::Detection> found = espnet::detect(session, photo, options);
    for (const espnet::Detection& d : found)
      std::printf("%-14s %.3f  (%.0f, %.0f) - (%.0f, %.0f)\n", d.name.c_str(), d.score, d.x1, d.y1,
                  d.x2, d.y2);
    espnet::write_png(argv[3], espnet::draw_detections(photo, found));
    std::printf("%zu objects; wrote %s\n", found.size(), argv[3]);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
