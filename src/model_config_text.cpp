#include "model_config_text.h"

#include <map>
#include <sstream>

#include "espnet/error.h"

namespace espnet {

std::string model_info_to_text(const ModelInfo& info) {
  std::ostringstream os;
  os << "family=" << family_name(info.family) << "\n"
     << "task=" << task_name(info.task) << "\n"
     << "scale=" << info.scale << "\n"
     << "classes=" << info.classes << "\n"
     << "dataset=" << info.dataset << "\n"
     << "input_size=" << info.input_size << "\n";
  return os.str();
}

namespace {

std::map<std::string, std::string> config_lines(const std::string& text, const std::string& file) {
  std::map<std::string, std::string> kv;
  std::istringstream is(text);
  std::string line;
  while (std::getline(is, line)) {
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) throw Error(file + ": malformed config line '" + line + "'");
    kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

}  // namespace

std::string packed_weights_to_text(int64_t params) {
  return "weights=packed\nparams=" + std::to_string(params) + "\n";
}

bool packed_weights_from_text(const std::string& text, const std::string& file, int64_t* params) {
  const std::map<std::string, std::string> kv = config_lines(text, file);
  auto it = kv.find("weights");
  if (it == kv.end()) return false;
  if (it->second != "packed")
    throw Error(file + ": config 'weights' is '" + it->second + "', expected 'packed'");
  auto count = kv.find("params");
  if (count == kv.end()) throw Error(file + ": config has 'weights=packed' but no 'params'");
  const std::string& v = count->second;
  // At most 4 GiB of float32 in a file: a count beyond 2^30 cannot be true.
  if (v.empty() || v.size() > 10 || v.find_first_not_of("0123456789") != std::string::npos ||
      std::stoll(v) > (int64_t{1} << 30))
    throw Error(file + ": config 'params' is not a parameter count: '" + v + "'");
  *params = std::stoll(v);
  return true;
}

ModelInfo model_info_from_text(const std::string& text, const std::string& file) {
  const std::map<std::string, std::string> kv = config_lines(text, file);
  auto get = [&](const char* key) {
    auto it = kv.find(key);
    if (it == kv.end()) throw Error(file + ": config has no '" + key + "'");
    return it->second;
  };
  auto number = [&](const char* key) {
    std::string v = get(key);
    try {
      size_t used = 0;
      double d = std::stod(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
      return d;
    } catch (const std::exception&) {
      throw Error(file + ": config '" + key + "' is not a number: '" + v + "'");
    }
  };
  ModelInfo info;
  std::string family = get("family"), task = get("task");
  if (family == family_name(Family::kEdgeNets))
    info.family = Family::kEdgeNets;
  else if (family == family_name(Family::kOriginal))
    info.family = Family::kOriginal;
  else
    throw Error(file + ": unknown model family '" + family + "'");
  if (task == task_name(Task::kClassification))
    info.task = Task::kClassification;
  else if (task == task_name(Task::kSegmentation))
    info.task = Task::kSegmentation;
  else if (task == task_name(Task::kDetection))
    info.task = Task::kDetection;
  else
    throw Error(file + ": unknown task '" + task + "'");
  info.scale = number("scale");
  double classes = number("classes"), size = number("input_size");
  if (classes < 1 || classes > 100000) throw Error(file + ": config 'classes' out of range");
  if (size < 0 || size > 65536) throw Error(file + ": config 'input_size' out of range");
  info.classes = static_cast<int>(classes);
  info.input_size = static_cast<int>(size);
  info.dataset = get("dataset");
  return info;
}

}  // namespace espnet
