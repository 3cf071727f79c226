// The engine's own model file (.espnet): a text config and named float32 tensors, written by the
// converter and read strictly at load time. The byte layout is documented in FORMAT.md beside
// this header; the loader validates every field before it trusts it (see parse_model_file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "espnet/tensor.h"

namespace espnet {

/// One named float32 tensor in a model file.
struct ModelFileTensor {
  std::string name;
  Shape shape;
  std::vector<float> values;  // C order
};

/// Contents of a model file: a small text config (UTF-8 "key=value" lines written by the caller;
/// the format treats it as an opaque string but bounds its size) and named tensors in order.
struct ModelFileContents {
  std::string config;
  std::vector<ModelFileTensor> tensors;
};

/// Serialises `contents` to bytes; refuses contents the loader would refuse (bad or duplicate
/// names, rank > 8, negative dims, value count != element count, limits). `name` prefixes errors.
std::vector<uint8_t> encode_model_file(const ModelFileContents& contents,
                                       const std::string& name = "model file");

/// Encodes and writes atomically (temporary file + rename).
void write_model_file(const std::string& path, const ModelFileContents& contents);

/// Validates and decodes a whole model file held in memory; `name` (usually the path) prefixes
/// every error message. Throws espnet::Error on any malformed input.
ModelFileContents parse_model_file(const uint8_t* data, size_t size, const std::string& name);

/// Reads and parses the file at `path`.
ModelFileContents read_model_file(const std::string& path);

/// True when the bytes start with the model file magic.
bool looks_like_model_file(const uint8_t* data, size_t size);

namespace model_file_detail {
/// FNV-1a 64 of `size` bytes: the checksum the format stores in its last 8 bytes.
uint64_t fnv1a64(const uint8_t* data, size_t size);
/// For tests that forge malformed files: rewrites the header's file-size field and the trailing
/// checksum so that only the structural checks can catch the forgery. Needs >= 72 bytes.
void reseal(std::vector<uint8_t>& bytes);
}  // namespace model_file_detail

}  // namespace espnet
