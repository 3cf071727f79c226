// classify MODEL IMAGE [TOP_K]: the top classes of a photo with an ImageNet classifier.
#include <espnet/error.h>
#include <espnet/image.h>
#include <espnet/model.h>
#include <espnet/session.h>
#include <espnet/tasks.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL IMAGE [TOP_K]\n", argv[0]);
    return 2;
  }
  try {
    // Load once (the model is immutable and may be shared); one session per thread.
    std::shared_ptr<const espnet::Model> model = espnet::Model::load(argv[1]);
    espnet::Session session(model, espnet::SessionOptions{/*threads=*/0});
    const int top_k = argc > 3 ? std::stoi(argv[3]) : 5;

    const espnet::Image photo = espnet::decode_image(argv[2]);
    espnet::StageTimes times;
    for (const espnet::ClassScore& c : espnet::classify(session, photo, top_k, &times))
      std::printf("%4d  %-30s %.4f\n", c.index, c.name.c_str(), c.probability);
    std::printf("network %.1f ms\n", times.network_ms);
    return 0;
  } catch (const std::exception& e) {  // espnet::Error says what is wrong and with which file
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
