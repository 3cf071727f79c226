#include "layers/state_dict.h"

#include <algorithm>
#include <cmath>

#include "checkpoint/pth_reader.h"
#include "espnet/error.h"

namespace espnet {

void StateDict::add(const std::string& name, Shape shape, std::vector<float> values) {
  if (shape_numel(shape) != static_cast<int64_t>(values.size()))
    throw Error("tensor '" + name + "': " + std::to_string(values.size()) + " values for shape " +
                shape_to_string(shape));
  const auto [it, added] =
      tensors_.emplace(name, NamedValues{std::move(shape), std::move(values), {}});
  if (!added) throw Error("duplicate tensor name '" + name + "'");
  it->second.values = FloatSpan(it->second.owned);  // map nodes do not move
}

void StateDict::add_borrowed(const std::string& name, Shape shape, const float* data) {
  const size_t count = static_cast<size_t>(shape_numel(shape));
  if (data == nullptr && count != 0) throw Error("tensor '" + name + "': no values");
  if (!tensors_.emplace(name, NamedValues{std::move(shape), {}, FloatSpan(data, count)}).second)
    throw Error("duplicate tensor name '" + name + "'");
}

StateDict state_dict_from_checkpoint(Checkpoint&& checkpoint) {
  StateDict dict;
  for (CheckpointTensor& t : checkpoint.tensors) {
    if (t.borrowed)
      dict.add_borrowed(t.name, std::move(t.shape), t.borrowed);
    else
      dict.add(t.name, std::move(t.shape), std::move(t.values));
  }
  return dict;
}

const Shape* StateDict::shape_of(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second.shape;
}

std::vector<std::string> StateDict::names() const {
  std::vector<std::string> out;
  for (const auto& kv : tensors_) out.push_back(kv.first);
  return out;
}

namespace {
const StateDict kNoStateDict;
}  // namespace

WeightReader::WeightReader(const PackedSource& packed) : dict_(kNoStateDict), packed_(&packed) {}

const std::vector<float>& WeightReader::zeros(const Shape& shape) {
  placeholders_.emplace_back(size_t(shape_numel(shape)), 0.0f);
  return placeholders_.back();
}

const PackedTensorView* WeightReader::find_packed(const std::string& name, const Shape& shape) {
  auto it = packed_->find(name);
  if (it == packed_->end()) {
    missing_.push_back(name + " " + shape_to_string(shape));
    return nullptr;
  }
  taken_.insert(name);
  if (it->second.shape != shape) {
    misshaped_.push_back(name + ": expected " + shape_to_string(shape) + ", found " +
                         shape_to_string(it->second.shape));
    return nullptr;
  }
  return &it->second;
}

Tensor WeightReader::packed_tensor(const std::string& name, const Shape& shape,
                                   const std::function<Tensor()>& compute) {
  if (packed_) {
    const PackedTensorView* view = find_packed(name, shape);
    if (!view) return Tensor(shape);  // zeros; finish() reports the problem
    // The kernels only read weights; the model that owns the mapping is immutable.
    return Tensor::view(const_cast<float*>(view->data), shape);
  }
  Tensor t = compute();
  if (t.shape() != shape)
    throw Error("internal: packed array '" + name + "' computed as " + shape_to_string(t.shape()) +
                ", declared " + shape_to_string(shape));
  if (record_)
    record_->push_back({name, shape, std::vector<float>(t.data(), t.data() + t.numel())});
  return t;
}

std::vector<float> WeightReader::packed_values(const std::string& name, int64_t count,
                                               const std::function<std::vector<float>()>& compute) {
  if (packed_) {
    const PackedTensorView* view = find_packed(name, {count});
    if (!view) return std::vector<float>(size_t(count), 0.0f);
    return std::vector<float>(view->data, view->data + count);
  }
  std::vector<float> v = compute();
  if (static_cast<int64_t>(v.size()) != count)
    throw Error("internal: packed array '" + name + "' computed with " + std::to_string(v.size()) +
                " values, declared " + std::to_string(count));
  if (record_) record_->push_back({name, {count}, v});
  return v;
}

const std::vector<float>& WeightReader::synthesize(const std::string& name, const Shape& shape) {
  const int64_t n = shape_numel(shape);
  int64_t fan_in = 1;
  for (size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
  const float conv_scale = 1.7f / std::sqrt(float(std::max<int64_t>(1, fan_in)));
  auto uniform = [this] {  // xorshift32 in [-1, 1)
    rng_state_ ^= rng_state_ << 13;
    rng_state_ ^= rng_state_ >> 17;
    rng_state_ ^= rng_state_ << 5;
    return float(rng_state_ >> 8) / float(1 << 23) - 1.0f;
  };
  auto ends = [&name](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    const float u = uniform();
    if (ends("running_var"))
      x = 1.0f + 0.5f * u;
    else if (ends("running_mean") || ends(".bias"))
      x = 0.1f * u;
    else if (ends("num_batches_tracked"))
      x = 0.0f;
    else if (shape.size() == 1)
      x = ends("act.weight") || name.find(".act") != std::string::npos ? 0.25f : 1.0f + 0.1f * u;
    else
      x = conv_scale * u;
  }
  synthesized_->add(name, shape, std::move(v));
  return synthesized_->tensors().at(name).owned;
}

FloatSpan WeightReader::take(const std::string& name, const Shape& shape) {
  if (synthesized_) {
    taken_.insert(name);
    return synthesize(name, shape);
  }
  auto it = dict_.tensors().find(name);
  if (it == dict_.tensors().end()) {
    missing_.push_back(name + " " + shape_to_string(shape));
    return zeros(shape);
  }
  taken_.insert(name);
  if (it->second.shape != shape) {
    misshaped_.push_back(name + ": expected " + shape_to_string(shape) + ", found " +
                         shape_to_string(it->second.shape));
    return zeros(shape);
  }
  return it->second.values;
}

Tensor WeightReader::take_tensor(const std::string& name, const Shape& shape) {
  const FloatSpan v = take(name, shape);
  Tensor t = Tensor::uninitialized(shape);  // every element is written next
  std::copy(v.begin(), v.end(), t.data());
  return t;
}

const NamedValues* WeightReader::take_any(const std::string& name) {
  auto it = dict_.tensors().find(name);
  if (it == dict_.tensors().end()) {
    missing_.push_back(name);
    return nullptr;
  }
  taken_.insert(name);
  return &it->second;
}

void WeightReader::skip(const std::string& name, const Shape& shape) {
  if (synthesized_) {
    synthesize(name, shape);
    return;
  }
  if (dict_.contains(name)) taken_.insert(name);
}

int64_t WeightReader::dim_of(const std::string& name, int axis) const {
  const Shape* s = dict_.shape_of(name);
  if (!s || axis >= static_cast<int>(s->size())) return -1;
  return (*s)[axis];
}

void WeightReader::finish(const std::string& what) const {
  std::vector<std::string> unexpected;
  for (const auto& kv : dict_.tensors())
    if (!taken_.count(kv.first)) unexpected.push_back(kv.first);
  if (packed_)
    for (const auto& kv : *packed_)
      if (!taken_.count(kv.first)) unexpected.push_back(kv.first);
  if (missing_.empty() && misshaped_.empty() && unexpected.empty()) return;
  std::string msg = "the weights do not fit " + what + ":";
  auto list = [&msg](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    msg += std::string("\n  ") + title + " (" + std::to_string(items.size()) + "):";
    for (size_t i = 0; i < items.size() && i < 20; ++i) msg += "\n    " + items[i];
    if (items.size() > 20) msg += "\n    ... and " + std::to_string(items.size() - 20) + " more";
  };
  list("missing", missing_);
  list("wrong shape", misshaped_);
  list("unexpected", unexpected);
  throw Error(msg);
}

}  // namespace espnet
