// Images per second of a folder run (`espnet segment|classify DIR`, the three-stage pipeline:
// decode, network, encode/write on separate threads) against the network alone on the same
// inputs and threads (every photo decoded and preprocessed beforehand, then only Session::run
// timed). The two are measured alternately, A B A B ..., and the medians reported, because the
// machine may be shared.
//
//   espnet_folder_throughput MODEL WORK_DIR [--task segment|classify] [--count N] [--threads T]
//                            [--repeats R]
//
// WORK_DIR/photos receives N JPEG photos of various sizes cut and scaled from the shared
// reference photos (ESPNET_REF_DIR) when it does not hold them yet.
#include <stb/stb_image_write.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/model.h"
#include "espnet/session.h"
#include "file_util.h"
#include "image/preprocess.h"
#include "image/resize_pillow.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string ref_dir() {
  const char* env = std::getenv("ESPNET_REF_DIR");
  return env ? env : ESPNET_DEFAULT_REF_DIR;
}

std::vector<std::string> make_photos(const std::string& dir, int count) {
  const std::vector<std::string> sources = {"sample11", "sample4", "sample6", "sample8"};
  std::vector<espnet::Image> originals;
  for (const std::string& s : sources)
    originals.push_back(espnet::decode_image(ref_dir() + "/images/" + s + ".jpg"));
  std::vector<std::string> paths;
  if (!espnet::is_directory(dir) && std::system(("mkdir -p '" + dir + "'").c_str()) != 0)
    throw espnet::Error("cannot create " + dir);
  // Sizes from 320x240 to 1280x720, as a photo archive would have them.
  const int sizes[][2] = {{320, 240}, {500, 375},  {640, 480}, {750, 400},
                          {800, 600}, {1024, 576}, {1280, 720}};
  for (int i = 0; i < count; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "/photo_%04d.jpg", i);
    const std::string path = dir + name;
    paths.push_back(path);
    if (espnet::path_exists(path)) continue;
    const espnet::Image& src = originals[i % originals.size()];
    const int* size = sizes[i % 7];
    const espnet::Image scaled = espnet::resize_pillow_bilinear(src, size[0], size[1]);
    if (!stbi_write_jpg(path.c_str(), scaled.width, scaled.height, 3, scaled.pixels.data(), 90))
      throw espnet::Error("cannot write " + path);
  }
  return paths;
}

double run_cli(const std::vector<std::string>& arguments) {
  std::vector<std::string> args = arguments;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const Clock::time_point t0 = Clock::now();
  std::fflush(stdout);  // the child would write our buffered lines again
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr))
      _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw espnet::Error("the espnet run failed (status " + std::to_string(status) + ")");
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s MODEL WORK_DIR [--task segment|classify] [--count N] [--threads T] "
                 "[--repeats R]\n",
                 argv[0]);
    return 2;
  }
  const std::string model_path = argv[1], work = argv[2];
  std::string task = "segment";
  int count = 50, threads = 1, repeats = 3;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--task")
      task = value;
    else if (key == "--count")
      count = std::atoi(value.c_str());
    else if (key == "--threads")
      threads = std::atoi(value.c_str());
    else if (key == "--repeats")
      repeats = std::atoi(value.c_str());
  }
  try {
    const std::vector<std::string> photos = make_photos(work + "/photos", count);
    auto model = espnet::Model::load(model_path);
    espnet::Session session(model, espnet::SessionOptions{threads});
    // The network's inputs, exactly as the task calls make them.
    std::vector<espnet::Tensor> inputs;
    const Clock::time_point prepare_start = Clock::now();
    for (const std::string& p : photos) {
      const espnet::Image photo = espnet::decode_image(p);
      if (task == "segment") {
        const espnet::NetworkSize size =
            espnet::segmentation_demo_network_size(photo.width, photo.height);
        inputs.push_back(espnet::preprocess_segmentation_edgenets(photo, size.width, size.height));
      } else {
        inputs.push_back(espnet::preprocess_classification(photo));
      }
    }
    // One loader thread's bound: decode + preprocess alone, images per second.
    const double prepare_rate = count / seconds_since(prepare_start);
    session.run(inputs[0]);  // warm-up: plans the first size
    std::vector<double> pipeline_rates, network_rates;
    for (int r = 0; r < repeats; ++r) {
      std::vector<std::string> args = {ESPNET_CLI_PATH,  task,        model_path,
                                       work + "/photos", "--threads", std::to_string(threads)};
      if (task == "segment") args.insert(args.end(), {"-o", work + "/out"});
      pipeline_rates.push_back(count / run_cli(args));
      const Clock::time_point t0 = Clock::now();
      for (const espnet::Tensor& input : inputs) session.run(input);
      network_rates.push_back(count / seconds_since(t0));
      std::printf("repeat %d: pipeline %.2f images/s, network alone %.2f images/s\n", r + 1,
                  pipeline_rates.back(), network_rates.back());
    }
    const double a = median(pipeline_rates), b = median(network_rates);
    std::printf(
        "%s, %d photos, %d thread%s: pipeline %.2f images/s (espnet %s DIR, model load "
        "included), network alone %.2f images/s: %.1f %%; decode + preprocess alone %.2f "
        "images/s\n",
        task.c_str(), count, threads, threads == 1 ? "" : "s", a, task.c_str(), b, 100.0 * a / b,
        prepare_rate);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
