#include "cli_common.h"

#include <omp.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "espnet/error.h"
#include "file_util.h"

namespace espnet::cli {

int apply_threads(const Args& args) {
  int threads = args.int_value("--threads", 0, 0, 1024);
  if (threads > 0) omp_set_num_threads(threads);
  return omp_get_max_threads();
}

OptionSpec input_size_option() {
  return {"--input-size", true,
          "SSD input size 300 or 512 for a detection checkpoint (default: from the model file, or "
          "'ssd300' / 'ssd512' in a .pth file name)"};
}

OptionSpec precision_option() {
  return {"--precision", true,
          "fp32 (default), bf16 (point-wise convolutions in bf16, needs AVX-512 BF16) or int8 "
          "(a model made by `espnet quantize`: its int8 point-wise layers on VNNI (AVX-512 or "
          "AVX) or the ARM dot product, or fp32 kernels on the dequantized weights without them)"};
}

SessionOptions session_options(const Args& args, int threads) {
  SessionOptions options;
  options.threads = threads;
  if (args.has("--precision")) {
    const std::string v = args.value("--precision");
    if (v != "fp32" && v != "bf16" && v != "int8")
      throw UsageError("option '--precision' needs fp32, bf16 or int8, got '" + v + "'");
    options.precision = parse_precision(v);
  }
  return options;
}

LoadOptions load_options(const Args& args) {
  LoadOptions options;
  if (args.has("--input-size")) {
    const std::string v = args.value("--input-size");
    if (v != "300" && v != "512")
      throw UsageError("option '--input-size' needs 300 or 512, got '" + v + "'");
    options.detection_input_size = std::stoi(v);
  }
  return options;
}

std::shared_ptr<const Model> load_model(const std::string& spec, const LoadOptions& options) {
  if (spec.rfind("random:", 0) != 0) return Model::load(spec, options);
  const size_t colon = spec.find(':', 7);
  if (colon == std::string::npos)
    throw UsageError("random model spec is random:KIND:S, got '" + spec + "'");
  const std::string kind = spec.substr(7, colon - 7), scale = spec.substr(colon + 1);
  ModelInfo info;
  char* end = nullptr;
  info.scale = std::strtod(scale.c_str(), &end);
  if (scale.empty() || *end) throw UsageError("random model: bad scale '" + scale + "'");
  if (kind == "imagenet") {
    info.task = Task::kClassification, info.classes = 1000, info.dataset = "imagenet";
  } else if (kind == "pascal" || kind == "city") {
    info.task = Task::kSegmentation, info.dataset = kind, info.classes = kind == "pascal" ? 21 : 20;
  } else if (kind == "orig-city") {
    info.family = Family::kOriginal, info.task = Task::kSegmentation, info.dataset = "city";
    info.classes = 20;
  } else if (kind.rfind("ssd", 0) == 0 && kind.size() > 7) {
    info.task = Task::kDetection;
    info.input_size = std::atoi(kind.substr(3, 3).c_str());
    info.dataset = kind.substr(7);
    info.classes = info.dataset == "coco" ? 81 : 21;
  } else {
    throw UsageError("random model: unknown kind '" + kind +
                     "' (imagenet, pascal, city, orig-city, ssd300-coco, ssd512-voc, ...)");
  }
  if (options.detection_input_size) info.input_size = options.detection_input_size;
  return Model::random(info);
}

void default_input_size(const ModelInfo& info, int* width, int* height) {
  *width = *height = 224;
  if (info.task == Task::kSegmentation) {
    if (info.dataset == "city") {
      *width = 1024;
      *height = 512;
    } else {
      *width = *height = 384;
    }
  } else if (info.task == Task::kDetection && info.input_size > 0) {
    *width = *height = info.input_size;
  }
}

std::string format_number(double v) {
  char buf[64];
  for (int precision = 1; precision < 18; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void check_output_path(const std::string& output, const std::vector<std::string>& inputs) {
  struct stat out_st {};
  if (::stat(output.c_str(), &out_st) == 0) {
    for (const std::string& in : inputs) {
      struct stat in_st {};
      if (::stat(in.c_str(), &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
          in_st.st_ino == out_st.st_ino)
        throw Error("refusing to overwrite the input '" + in + "' with an output");
    }
  }
  size_t slash = output.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : output.substr(0, slash == 0 ? 1 : slash);
  if (!is_directory(dir)) throw Error("output directory '" + dir + "' does not exist");
}

InputFiles::InputFiles(const std::vector<std::string>& inputs) {
  for (const std::string& in : inputs) {
    struct stat st {};
    if (::stat(in.c_str(), &st) == 0)
      identities_.emplace(std::make_pair(uint64_t(st.st_dev), uint64_t(st.st_ino)), in);
  }
}

void InputFiles::check_output_path(const std::string& output) const {
  struct stat st {};
  if (::stat(output.c_str(), &st) == 0) {
    auto it = identities_.find(std::make_pair(uint64_t(st.st_dev), uint64_t(st.st_ino)));
    if (it != identities_.end())
      throw Error("refusing to overwrite the input '" + it->second + "' with an output");
  }
  cli::check_output_path(output, {});
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace espnet::cli
