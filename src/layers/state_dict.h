// The named tensors a network is built from (a PyTorch state dict, from a .pth or our model file),
// with strict bookkeeping: every tensor must be taken exactly once with the expected shape, and
// whatever is missing, mis-shaped or left over is reported by name in one error.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "espnet/tensor.h"

namespace espnet {

struct NamedValues {
  Shape shape;
  std::vector<float> values;
};

class StateDict {
 public:
  /// Adds a tensor; a duplicate name is an error.
  void add(const std::string& name, Shape shape, std::vector<float> values);

  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  /// Shape of a tensor, or an empty shape with `found` false.
  const Shape* shape_of(const std::string& name) const;
  /// All names in sorted order.
  std::vector<std::string> names() const;
  const std::map<std::string, NamedValues>& tensors() const { return tensors_; }

 private:
  std::map<std::string, NamedValues> tensors_;
};

/// Hands out tensors of a StateDict to the layers being built and records every problem.
class WeightReader {
 public:
  explicit WeightReader(const StateDict& dict) : dict_(dict) {}
  /// Synthesis mode: every tensor asked for is made up (deterministic pseudo-random values of
  /// plausible scale, BatchNorm variances positive) and added to `synthesized`, so a network can
  /// be built for a configuration without published weights (benchmarks, size tables).
  WeightReader(const StateDict& empty, StateDict* synthesized, uint32_t seed)
      : dict_(empty), synthesized_(synthesized), rng_state_(seed * 2654435761u + 12345u) {}

  /// The values of `name`, which must have `shape`. On a missing or mis-shaped tensor, records
  /// the problem and returns zeros so building can go on and report everything at once.
  std::vector<float> take(const std::string& name, const Shape& shape);
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
  std::vector<float> synthesize(const std::string& name, const Shape& shape);

  const StateDict& dict_;
  StateDict* synthesized_ = nullptr;
  uint32_t rng_state_ = 0;
  std::set<std::string> taken_;
  std::vector<std::string> missing_, misshaped_;
};

}  // namespace espnet
