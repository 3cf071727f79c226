// A dense float32 tensor in NCHW (PyTorch) order with 64-byte-aligned storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "espnet/export.h"
#include "espnet/shape.h"

namespace espnet {

namespace detail {
class TensorPool;
}

/// Number of elements of a shape; throws espnet::Error on a negative extent or on overflow.
ESPNET_API int64_t shape_numel(const Shape& shape);

/// "[1, 3, 224, 224]"
ESPNET_API std::string shape_to_string(const Shape& shape);

/// Owning (or, for views into an arena, non-owning) float32 tensor. Copying shares nothing:
/// the copy constructor deep-copies so that a tensor is a plain value.
class ESPNET_API Tensor {
 public:
  /// Storage alignment in bytes, enough for an AVX-512 aligned load.
  static constexpr size_t kAlignment = 64;

  /// An empty tensor (no elements, no storage).
  Tensor() = default;
  /// Allocates zero-initialised storage for `shape`.
  explicit Tensor(Shape shape);
  /// Allocates storage for `shape` without initialising it (the caller overwrites every
  /// element). Inside a session run the storage comes from the session's pool.
  static Tensor uninitialized(Shape shape);
  /// Wraps memory the caller owns (must outlive the tensor and hold shape_numel(shape) floats);
  /// nothing is copied or freed. Any float alignment works (the kernels use unaligned loads),
  /// so data() of a view is only as aligned as `data`. For Session::run's input this is the
  /// zero-copy path (the Python module wraps numpy arrays so).
  static Tensor view(float* data, Shape shape);

  /// Deep copies (a view's copy owns its own storage).
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  /// Moves take the storage over.
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  /// Extents, outermost first.
  const Shape& shape() const { return shape_; }
  /// Number of dimensions.
  int rank() const { return static_cast<int>(shape_.size()); }
  /// Extent of dimension `i`; negative `i` counts from the end.
  int64_t dim(int i) const;
  /// Number of elements.
  int64_t numel() const { return numel_; }
  /// True when there are no elements.
  bool empty() const { return numel_ == 0; }

  /// The elements, row-major (C order), 64-byte aligned (a view: as aligned as its memory).
  float* data() { return data_; }
  const float* data() const { return data_; }

  /// Same elements, another shape of the same element count.
  void reshape(Shape shape);

 private:
  struct AlignedFree {
    AlignedFree() : pool(nullptr) {}
    explicit AlignedFree(detail::TensorPool* owner) : pool(owner) {}
    void operator()(float* p) const;
    detail::TensorPool* pool;  // storage to hand back, or null for the heap
  };
  void allocate(bool zero);
  std::unique_ptr<float, AlignedFree> storage_;
  float* data_ = nullptr;
  Shape shape_;
  int64_t numel_ = 0;
};

}  // namespace espnet
