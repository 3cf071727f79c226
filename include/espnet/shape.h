// A tensor shape: up to 8 extents stored inline, so creating a tensor allocates nothing but its
// data (a session run then makes no heap allocation at all). Behaves like a small std::vector.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "espnet/export.h"

namespace espnet {

/// Extents of a tensor, outermost first (N, C, H, W for images).
class ESPNET_API Shape {
 public:
  /// Largest rank a tensor may have.
  static constexpr size_t kMaxRank = 8;
  using value_type = int64_t;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;

  /// Rank 0 (no extents).
  Shape() = default;
  /// From a list of extents, e.g. Shape{1, 3, 224, 224}.
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  template <typename It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
  }
  Shape(const std::vector<int64_t>& dims) { assign(dims.data(), dims.data() + dims.size()); }

  /// Rank and element access as std::vector.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t& operator[](size_t i) { return dims_[i]; }
  int64_t operator[](size_t i) const { return dims_[i]; }
  int64_t back() const { return dims_[size_ - 1]; }
  int64_t* data() { return dims_; }
  const int64_t* data() const { return dims_; }
  iterator begin() { return dims_; }
  iterator end() { return dims_ + size_; }
  const_iterator begin() const { return dims_; }
  const_iterator end() const { return dims_ + size_; }
  /// Throws espnet::Error past kMaxRank.
  void push_back(int64_t d);
  void clear() { size_ = 0; }
  /// The extents as a std::vector.
  std::vector<int64_t> to_vector() const { return std::vector<int64_t>(begin(), end()); }

  /// Same rank and extents.
  friend bool operator==(const Shape& a, const Shape& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  void assign(const int64_t* first, const int64_t* last) {
    for (; first != last; ++first) push_back(*first);
  }

  int64_t dims_[kMaxRank] = {};
  size_t size_ = 0;
};

}  // namespace espnet
