// The engine's own model file (.espnet): a text config and named float32 tensors, written by the
// converter and read strictly at load time. The byte layout is documented in FORMAT.md beside
// this header; the loader validates every field before it trusts it (see parse_model_file_view).
// The container does not care what the tensors mean: Model::save stores the arrays the layers
// keep (folded and packed), so that loading uses them where they lie (see src/model.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "espnet/tensor.h"

namespace espnet {

/// What a tensor's elements are. Files of version 2 hold float32 only; version 3 adds the
/// integer types of a quantized model (written only when a model has them).
enum class ModelFileDType : uint32_t { kFloat32 = 0, kInt8 = 1, kInt32 = 2 };

/// Bytes per element of `dtype`.
size_t model_file_dtype_bytes(ModelFileDType dtype);

/// One named tensor in a model file.
struct ModelFileTensor {
  std::string name;
  Shape shape;
  std::vector<float> values;  // C order (float32 tensors)
  ModelFileDType dtype = ModelFileDType::kFloat32;
  std::vector<uint8_t> bytes;  // C order, little-endian (integer tensors; `values` empty)
};

/// A float32 tensor of the file.
inline ModelFileTensor float32_tensor(std::string name, Shape shape, std::vector<float> values) {
  return {std::move(name), std::move(shape), std::move(values), ModelFileDType::kFloat32, {}};
}

/// Contents of a model file: a small text config (UTF-8 "key=value" lines written by the caller;
/// the format treats it as an opaque string but bounds its size) and named tensors in order.
struct ModelFileContents {
  std::string config;
  std::vector<ModelFileTensor> tensors;
};

/// One tensor of a validated model file, where it lies in the file's bytes (no copy).
struct ModelFileTensorView {
  std::string name;
  Shape shape;
  const float* data = nullptr;  // 64-byte aligned relative to the file's start (float32 only)
  int64_t numel = 0;
  ModelFileDType dtype = ModelFileDType::kFloat32;
  const uint8_t* bytes = nullptr;  // the elements of any type, where `data` points for float32
};

struct ModelFileView {
  std::string config;
  std::vector<ModelFileTensorView> tensors;
};

/// Serialises `contents` to bytes; refuses contents the loader would refuse (bad or duplicate
/// names, rank > 8, negative dims, value count != element count, limits). `name` prefixes errors.
std::vector<uint8_t> encode_model_file(const ModelFileContents& contents,
                                       const std::string& name = "model file");

/// Encodes and writes atomically (temporary file + rename).
void write_model_file(const std::string& path, const ModelFileContents& contents);

/// Validates a whole model file held in memory and returns its tensors as views into `data`,
/// which must stay alive and unchanged while they are used, and be 4-byte aligned (a mapping
/// or heap buffer is). `name` (usually the path) prefixes every error message. Throws
/// espnet::Error on any malformed input.
ModelFileView parse_model_file_view(const uint8_t* data, size_t size, const std::string& name);

/// As parse_model_file_view, with the tensors copied out (any alignment of `data`).
ModelFileContents parse_model_file(const uint8_t* data, size_t size, const std::string& name);

/// Reads and parses the file at `path`.
ModelFileContents read_model_file(const std::string& path);

/// True when the bytes start with the model file magic.
bool looks_like_model_file(const uint8_t* data, size_t size);

namespace model_file_detail {
/// The checksum the format stores in its last 8 bytes: zlib's CRC-32 of `size` bytes.
uint64_t checksum(const uint8_t* data, size_t size);
/// For tests that forge malformed files: rewrites the header's file-size field and the trailing
/// checksum so that only the structural checks can catch the forgery. Needs >= 72 bytes.
void reseal(std::vector<uint8_t>& bytes);
}  // namespace model_file_detail

}  // namespace espnet
