#include "quant/int8_arrays.h"

#include <cmath>
#include <cstring>

#include "espnet/error.h"
#include "kernels/int8_kernels.h"

namespace espnet {
namespace {

constexpr const char* kWeight = "@int8-weight";
constexpr const char* kScale = "@int8-scale";
constexpr const char* kCompensation = "@int8-compensation";
constexpr const char* kInputScale = "@int8-input-scale";
constexpr const char* kZeroPoint = "@int8-zero-point";

template <typename T>
ModelFileTensor integer_array(const std::string& name, Shape shape, const std::vector<T>& v,
                              ModelFileDType dtype) {
  ModelFileTensor t{name, std::move(shape), {}, dtype, {}};
  t.bytes.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
  return t;
}

// The array `name` with `dtype` and `shape`, copied out as T.
template <typename T>
std::vector<T> read_array(const std::unordered_map<std::string, ModelFileTensorView>& arrays,
                          const std::string& name, ModelFileDType dtype, const Shape& shape,
                          const std::string& file) {
  const auto it = arrays.find(name);
  if (it == arrays.end()) throw Error(file + ": int8 array '" + name + "' is missing");
  const ModelFileTensorView& t = it->second;
  if (t.dtype != dtype || t.shape != shape)
    throw Error(file + ": int8 array '" + name + "' has the wrong type or shape " +
                shape_to_string(t.shape) + " (expected " + shape_to_string(shape) + ")");
  // int8 codes are read four to a word (their row length is a multiple of 4).
  const size_t bytes = size_t(t.numel) * model_file_dtype_bytes(dtype);
  std::vector<T> v(bytes / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), t.bytes, v.size() * sizeof(T));
  return v;
}

}  // namespace

bool is_int8_array_name(const std::string& name) {
  return name.find("@int8-") != std::string::npos;
}

void append_int8_arrays(const Quantization& plan, const std::vector<Int8Layer>& layers,
                        std::vector<ModelFileTensor>& tensors) {
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    if (!plan.layers[i].int8) continue;
    const Int8Layer& l = layers.at(i);
    const std::string& key = plan.layers[i].layer;
    const int64_t row = 4 * int64_t(int8_quads(l.in_channels / l.groups));
    tensors.push_back(integer_array(key + kWeight, {l.groups, l.out_channels / l.groups, row},
                                    l.quads, ModelFileDType::kInt8));
    tensors.push_back(float32_tensor(key + kScale, {l.out_channels}, l.scale));
    tensors.push_back(integer_array(key + kCompensation, {l.out_channels}, l.compensation,
                                    ModelFileDType::kInt32));
    tensors.push_back(
        float32_tensor(key + kInputScale, {l.in_channels}, plan.layers[i].input_scale));
    tensors.push_back(
        integer_array(key + kZeroPoint, {l.in_channels}, l.zero_point, ModelFileDType::kInt32));
  }
}

std::vector<Int8Layer> int8_layers_from_arrays(
    Quantization& plan, const std::unordered_map<std::string, ModelFileTensorView>& arrays,
    const std::string& file) {
  std::vector<Int8Layer> layers(plan.layers.size());
  size_t used = 0;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    LayerQuantization& entry = plan.layers[i];
    if (!entry.int8) continue;
    const std::string& key = entry.layer;
    const auto weight = arrays.find(key + kWeight);
    if (weight == arrays.end())
      throw Error(file + ": int8 array '" + key + kWeight + "' is missing");
    const Shape& ws = weight->second.shape;
    const auto in = arrays.find(key + kInputScale);
    if (ws.size() != 3 || in == arrays.end() || in->second.shape.size() != 1)
      throw Error(file + ": int8 layer '" + key + "': its arrays are missing or mis-shaped");
    // Shapes bounded so that the products below cannot overflow an int.
    const int64_t groups = ws[0], out = ws[0] * ws[1], channels = in->second.shape[0];
    if (groups < 1 || ws[1] < 1 || out > (1 << 20) || channels < 1 || channels > (1 << 20) ||
        channels % groups || ws[2] != 4 * int64_t(int8_quads(int(channels / groups))))
      throw Error(file + ": int8 layer '" + key + "': weight " + shape_to_string(ws) +
                  " does not fit " + std::to_string(channels) + " input channels");
    Int8Layer& l = layers[i];
    l.groups = int(groups);
    l.out_channels = int(out);
    l.in_channels = int(channels);
    l.quads = read_array<uint32_t>(arrays, key + kWeight, ModelFileDType::kInt8, ws, file);
    l.scale = read_array<float>(arrays, key + kScale, ModelFileDType::kFloat32, {out}, file);
    l.compensation =
        read_array<int32_t>(arrays, key + kCompensation, ModelFileDType::kInt32, {out}, file);
    entry.input_scale =
        read_array<float>(arrays, key + kInputScale, ModelFileDType::kFloat32, {channels}, file);
    entry.zero_point =
        read_array<int32_t>(arrays, key + kZeroPoint, ModelFileDType::kInt32, {channels}, file);
    l.zero_point = entry.zero_point;
    if (!(entry.observed_min <= 0 && entry.observed_max >= 0))
      throw Error(file + ": int8 layer '" + key + "': an observed range that does not hold 0");
    l.set_guard(entry.observed_min, entry.observed_max, plan.guard_margin);
    l.inverse_scale.resize(size_t(channels));
    for (size_t c = 0; c < size_t(channels); ++c) {
      const float s = entry.input_scale[c];
      if (!(s > 0) || !(s < 1e30f))
        throw Error(file + ": int8 layer '" + key +
                    "': an input scale that is not finite and "
                    "positive");
      l.inverse_scale[c] = 1.0f / s;
    }
    for (float s : l.scale)
      if (!std::isfinite(s))
        throw Error(file + ": int8 layer '" + key + "': a weight scale that is not finite");
    try {
      l.check(key);
    } catch (const Error& e) {
      throw Error(file + ": " + e.what());
    }
    used += 5;
  }
  if (used != arrays.size()) {
    for (const auto& [name, view] : arrays) {
      bool known = false;
      for (const LayerQuantization& entry : plan.layers)
        known |= entry.int8 && name.rfind(entry.layer + "@int8-", 0) == 0;
      if (!known)
        throw Error(file + ": int8 array '" + name + "' belongs to no int8 layer of the plan");
    }
    throw Error(file + ": int8 arrays that belong to no layer of the plan");
  }
  return layers;
}

}  // namespace espnet
