// espnet: the command-line front end of the engine.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cli_args.h"
#include "commands.h"
#include "espnet/error.h"
#include "process_heap.h"

namespace {

struct Command {
  const char* name;
  int (*fn)(const espnet::cli::Words&);
  const char* summary;
};

const Command kCommands[] = {
    {"convert", espnet::cli::run_convert, "convert a PyTorch checkpoint into an espnet model file"},
    {"info", espnet::cli::run_info, "describe a model: task, scale, parameters, multiply-adds"},
    {"run", espnet::cli::run_run, "run a model on an .npy input and write its outputs as .npy"},
    {"classify", espnet::cli::run_classify, "classify images (ImageNet top-k)"},
    {"segment", espnet::cli::run_segment, "segment images: label maps, colour masks, overlays"},
    {"detect", espnet::cli::run_detect, "detect objects (SSD): boxes, labels, scores"},
    {"bench", espnet::cli::run_bench, "time a model: latency percentiles, throughput"},
    {"eval", espnet::cli::run_eval, "score a model on a dataset: mIoU, top-1/top-5, VOC mAP"},
    {"quantize", espnet::cli::run_quantize, "calibrate a model for int8 on photos and save it"},
};

void print_usage(FILE* out) {
  std::fprintf(
      out, "usage: espnet COMMAND [ARGS...]   (espnet COMMAND --help for details)\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  espnet::cli::tune_process_heap();
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    espnet::cli::Words args(argv + 2, argv + argc);
    try {
      return c.fn(args);
    } catch (const espnet::cli::UsageError& e) {
      std::fprintf(stderr, "espnet %s: %s (see 'espnet %s --help')\n", c.name, e.what(), c.name);
      return 2;
    } catch (const espnet::Error& e) {
      std::fprintf(stderr, "espnet %s: error: %s\n", c.name, e.what());
      return 1;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "espnet %s: error: out of memory\n", c.name);
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "espnet %s: error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "espnet: unknown command '%s'\n", name.c_str());
  print_usage(stderr);
  return 2;
}
