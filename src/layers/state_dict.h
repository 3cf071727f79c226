// The named tensors a network is built from (a PyTorch state dict, from a .pth or our model file),
// with strict bookkeeping: every tensor must be taken exactly once with the expected shape, and
// whatever is missing, mis-shaped or left over is reported by name in one error.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "espnet/tensor.h"

namespace espnet {

/// Read-only float values held elsewhere: a state dict's own vector, or a checkpoint's storage
/// inside the mapped file, read where it lies.
class FloatSpan {
 public:
  FloatSpan() = default;
  FloatSpan(const float* data, size_t size) : data_(data), size_(size) {}
  FloatSpan(const std::vector<float>& v) : data_(v.data()), size_(v.size()) {}  // NOLINT: a view
  const float* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const float& operator[](size_t i) const { return data_[i]; }
  const float* begin() const { return data_; }
  const float* end() const { return data_ + size_; }
  std::vector<float> to_vector() const { return std::vector<float>(begin(), end()); }

 private:
  const float* data_ = nullptr;
  size_t size_ = 0;
};

struct NamedValues {
  Shape shape;
  std::vector<float> owned;  ///< the values, unless borrowed
  FloatSpan values;          ///< owned's, or the borrowed memory
};

class StateDict {
 public:
  /// Adds a tensor; a duplicate name is an error.
  void add(const std::string& name, Shape shape, std::vector<float> values);
  /// Adds a tensor whose shape_numel(shape) values stay at `data`, which must outlive the dict
  /// (a checkpoint's float32 storage in its mapped file: no copy).
  void add_borrowed(const std::string& name, Shape shape, const float* data);

  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  /// Shape of a tensor, or an empty shape with `found` false.
  const Shape* shape_of(const std::string& name) const;
  /// All names in sorted order.
  std::vector<std::string> names() const;
  const std::map<std::string, NamedValues>& tensors() const { return tensors_; }

 private:
  std::map<std::string, NamedValues> tensors_;
};

struct Checkpoint;

/// A parsed .pth as a state dict: the tensors parse_pth borrowed stay where they lie (the caller
/// keeps the parsed bytes alive as long as the dict), the others are moved in.
StateDict state_dict_from_checkpoint(Checkpoint&& checkpoint);

/// An array a layer keeps exactly as its kernels read it (BatchNorm folded in, heads packed),
/// named after the state-dict key it derives from plus "@what" (e.g. "level1.conv.weight@folded").
/// Model::save stores these, so that loading a converted file computes nothing.
struct PackedTensor {
  std::string name;
  Shape shape;
  std::vector<float> values;
};

/// A packed array where it lies (in a mapped model file): no copy.
struct PackedTensorView {
  Shape shape;
  const float* data = nullptr;
};
using PackedSource = std::map<std::string, PackedTensorView>;

/// Hands out tensors of a StateDict to the layers being built and records every problem.
class WeightReader {
 public:
  explicit WeightReader(const StateDict& dict) : dict_(dict) {}
  /// Synthesis mode: every tensor asked for is made up (deterministic pseudo-random values of
  /// plausible scale, BatchNorm variances positive) and added to `synthesized`, so a network can
  /// be built for a configuration without published weights (benchmarks, size tables).
  WeightReader(const StateDict& empty, StateDict* synthesized, uint32_t seed)
      : dict_(empty), synthesized_(synthesized), rng_state_(seed * 2654435761u + 12345u) {}
  /// Packed mode: the layers' arrays come ready from `packed` (views, which must outlive the
  /// network built), every one of them must be used, and nothing is computed.
  explicit WeightReader(const PackedSource& packed);

  /// Raw or synthesis mode: keep a copy of every packed array the layers compute, in order,
  /// for Model::save.
  void record_packed(std::vector<PackedTensor>* out) { record_ = out; }

  /// The array `name` of `shape` as a layer keeps it. Packed mode: a view of the stored array
  /// (read-only: the model is immutable). Otherwise: compute() from the state dict (recorded).
  Tensor packed_tensor(const std::string& name, const Shape& shape,
                       const std::function<Tensor()>& compute);
  /// As packed_tensor, for small per-channel arrays kept as vectors (bias, scale, slopes).
  std::vector<float> packed_values(const std::string& name, int64_t count,
                                   const std::function<std::vector<float>()>& compute);

  /// The values of `name`, which must have `shape` (valid while the reader lives). On a missing
  /// or mis-shaped tensor, records the problem and returns zeros so building can go on and
  /// report everything at once.
  FloatSpan take(const std::string& name, const Shape& shape);
  /// As take(), as a tensor.
  Tensor take_tensor(const std::string& name, const Shape& shape);
  /// Takes a tensor whose shape the caller does not know yet (returns null when missing).
  const NamedValues* take_any(const std::string& name);
  /// Marks a tensor as known but unused (num_batches_tracked, of `shape`), if present.
  void skip(const std::string& name, const Shape& shape);
  /// True when the tensor exists (does not consume it).
  bool has(const std::string& name) const { return dict_.contains(name); }
  /// Extent `axis` of a tensor's shape, or -1 when absent.
  int64_t dim_of(const std::string& name, int axis) const;

  /// Throws one espnet::Error listing missing, mis-shaped and unexpected tensors, if any.
  void finish(const std::string& what) const;

 private:
  const std::vector<float>& synthesize(const std::string& name, const Shape& shape);
  const std::vector<float>& zeros(const Shape& shape);
  const PackedTensorView* find_packed(const std::string& name, const Shape& shape);

  const StateDict& dict_;
  const PackedSource* packed_ = nullptr;
  std::vector<PackedTensor>* record_ = nullptr;
  std::deque<std::vector<float>> placeholders_;  // zeros handed out for missing tensors
  StateDict* synthesized_ = nullptr;
  uint32_t rng_state_ = 0;
  std::set<std::string> taken_;
  std::vector<std::string> missing_, misshaped_;
};

}  // namespace espnet
