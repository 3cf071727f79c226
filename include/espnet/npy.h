// Reading and writing NumPy .npy files (format 1.0/2.0, little-endian, C order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "espnet/export.h"
#include "espnet/tensor.h"

namespace espnet {

/// Element types a .npy file may hold.
enum class NpyType { kFloat32, kFloat64, kUInt8, kInt32, kInt64 };

/// An array as stored in a .npy file: element type, shape and raw little-endian bytes.
struct NpyArray {
  NpyType type = NpyType::kFloat32;
  Shape shape;
  std::vector<uint8_t> bytes;

  int64_t numel() const { return shape_numel(shape); }
  /// Elements converted to float32 (any supported type).
  ESPNET_API Tensor to_tensor() const;
};

/// Largest .npy file read_npy accepts. A parsed array never holds more elements than its data
/// bytes allow, so what a file can make us allocate is bounded by its size (at most 4x, for uint8
/// converted to float32).
constexpr uint64_t kMaxNpyFileBytes = uint64_t{4} << 30;

/// Parses a .npy file held in memory; `name` is used in error messages.
ESPNET_API NpyArray parse_npy(const uint8_t* data, size_t size, const std::string& name);
/// Reads a .npy file; throws espnet::Error naming the file and the problem.
ESPNET_API NpyArray read_npy(const std::string& path);
/// Reads a float32 .npy file as a tensor (refuses other dtypes).
ESPNET_API Tensor read_npy_f32(const std::string& path);

/// Writes atomically (a temporary file beside `path`, then rename).
ESPNET_API void write_npy(const std::string& path, const Tensor& tensor);
/// Writes `shape` elements of `type` from `data` (little-endian), atomically.
ESPNET_API void write_npy(const std::string& path, NpyType type, const Shape& shape,
                          const void* data);

}  // namespace espnet
