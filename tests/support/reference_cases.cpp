#include "reference_cases.h"

#include <mutex>

#include "postprocess/segmentation_labels.h"
#include "ref_data.h"

namespace espnet::test {

const Json& manifest() {
  static const Json json = Json::parse_file(ref_path("manifest.json"));
  return json;
}

const Json& manifest_case(const std::string& name) {
  for (const Json& c : manifest()["cases"].array())
    if (c["name"].str() == name) return c;
  throw std::runtime_error("manifest has no case '" + name + "'");
}

std::shared_ptr<const Model> load_reference_model(const std::string& relative_path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Model>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(relative_path);
  if (it != cache.end()) return it->second;
  auto model = Model::load(ref_path(relative_path));
  cache[relative_path] = model;
  return model;
}

Tensor subsample(const Tensor& t, int stride) {
  const int64_t n = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3);
  const int64_t oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
  Tensor out({n, c, oh, ow});
  for (int64_t p = 0; p < n * c; ++p)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        out.data()[(p * oh + y) * ow + x] = t.data()[(p * h + y * stride) * w + x * stride];
  return out;
}

std::vector<uint8_t> argmax_labels(const Tensor& logits) {
  std::vector<uint8_t> all;
  for (int64_t b = 0; b < logits.dim(0); ++b) {
    std::vector<uint8_t> one = espnet::argmax_labels(logits, b);
    all.insert(all.end(), one.begin(), one.end());
  }
  return all;
}

}  // namespace espnet::test
