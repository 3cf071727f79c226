// Strict, non-executing reader for PyTorch state-dict checkpoints (.pth), both the legacy
// format (pickles back to back, then raw storages) and the zip format of torch >= 1.6.
//
// The pickles are interpreted by a small VM that never calls anything: only
// collections.OrderedDict, torch._utils._rebuild_tensor(_v2)/_rebuild_parameter and the
// torch.*Storage types may appear. Every size, offset and stride is checked against the bytes
// that are really there, and the storages a checkpoint declares are capped at 2 GiB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "espnet/tensor.h"

namespace espnet {

/// One tensor of a state dict, converted to float32 (int64 num_batches_tracked included, as float).
struct CheckpointTensor {
  std::string name;           // key with any leading "module." removed
  Shape shape;                // PyTorch sizes
  std::vector<float> values;  // contiguous C-order values (strides applied), unless borrowed
  std::string dtype;          // source dtype: "float32", "int64", "float64", "float16", "int32"
  /// With parse_pth(..., borrow_float32): a contiguous, aligned float32 tensor's values where
  /// they lie in the parsed bytes (which must outlive it); `values` is then empty.
  const float* borrowed = nullptr;
  const float* data() const { return borrowed ? borrowed : values.data(); }
};

struct Checkpoint {
  std::string format;                     // "legacy" or "zip"
  std::vector<CheckpointTensor> tensors;  // in state-dict order
  /// nullptr when absent
  const CheckpointTensor* find(const std::string& name) const;
};

/// Parses a checkpoint held in memory; `name` appears in error messages. With `borrow_float32`,
/// float32 tensors that are contiguous and aligned are not copied (CheckpointTensor::borrowed):
/// the caller keeps `data` alive as long as it uses them.
Checkpoint parse_pth(const uint8_t* data, size_t size, const std::string& name,
                     bool borrow_float32 = false);
Checkpoint read_pth(const std::string& path);
/// True when the bytes start like a .pth (legacy pickle magic or zip local header).
bool looks_like_pth(const uint8_t* data, size_t size);

/// Largest total of declared storage bytes, and separately of converted float32 values, that
/// a checkpoint may need.
constexpr uint64_t kMaxCheckpointBytes = uint64_t{2} << 30;

}  // namespace espnet
