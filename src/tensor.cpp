#include "espnet/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>

#include "espnet/error.h"
#include "tensor_pool.h"

namespace espnet {

void Shape::push_back(int64_t d) {
  if (size_ == kMaxRank)
    throw Error("a tensor may have at most " + std::to_string(kMaxRank) + " dimensions");
  dims_[size_++] = d;
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error("negative extent in shape " + shape_to_string(shape));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error("shape " + shape_to_string(shape) + " has too many elements");
    n *= d;
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

void Tensor::AlignedFree::operator()(float* p) const {
  if (pool)
    pool->release(p);
  else
    std::free(p);
}

Tensor::Tensor(Shape shape) : shape_(std::move(shape)) {
  allocate(true);
}

Tensor Tensor::uninitialized(Shape shape) {
  Tensor t;
  t.shape_ = std::move(shape);
  t.allocate(false);
  return t;
}

void Tensor::allocate(bool zero) {
  numel_ = shape_numel(shape_);
  if (numel_ == 0) return;
  if (static_cast<uint64_t>(numel_) > (uint64_t{1} << 40))
    throw Error("tensor " + shape_to_string(shape_) + " is too large");
  size_t bytes = static_cast<size_t>(numel_) * sizeof(float);
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  detail::TensorPool* pool = detail::TensorPool::current();
  void* p = pool ? pool->acquire(bytes) : std::aligned_alloc(kAlignment, bytes);
  if (!p) throw Error("out of memory allocating tensor " + shape_to_string(shape_));
  // A planning run's addresses are not memory (and nothing reads its tensors).
  if (zero && !(pool && pool->recording())) std::memset(p, 0, bytes);
  storage_ = std::unique_ptr<float, AlignedFree>(static_cast<float*>(p), AlignedFree(pool));
  data_ = storage_.get();
}

Tensor Tensor::view(float* data, Shape shape) {
  Tensor t;
  t.numel_ = shape_numel(shape);
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_) {
  allocate(false);
  if (numel_) std::memcpy(data_, other.data_, static_cast<size_t>(numel_) * sizeof(float));
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) *this = Tensor(other);
  return *this;
}

int64_t Tensor::dim(int i) const {
  int r = rank();
  int j = i < 0 ? i + r : i;
  if (j < 0 || j >= r)
    throw Error("dimension " + std::to_string(i) + " out of range for tensor " +
                shape_to_string(shape_));
  return shape_[j];
}

void Tensor::reshape(Shape shape) {
  if (shape_numel(shape) != numel_)
    throw Error("cannot reshape " + shape_to_string(shape_) + " to " + shape_to_string(shape));
  shape_ = std::move(shape);
}

}  // namespace espnet
