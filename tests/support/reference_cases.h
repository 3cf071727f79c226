// Running the shared reference cases (manifest.json "cases") through the engine and comparing
// every output and traced intermediate with its stated tolerance.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "espnet/model.h"
#include "espnet/tensor.h"
#include "json.h"

namespace espnet::test {

/// The parsed manifest (cached for the process).
const Json& manifest();
/// The case object named `name`; throws when absent.
const Json& manifest_case(const std::string& name);
/// Loads (and caches for the process) a model from a path relative to the reference folder.
std::shared_ptr<const Model> load_reference_model(const std::string& relative_path);

/// Every `stride`-th row and column of an NCHW tensor, starting at 0 (out[:, :, ::s, ::s]).
Tensor subsample(const Tensor& t, int stride);
/// Argmax over the channel axis (first maximum wins) -> [N, H, W] labels.
std::vector<uint8_t> argmax_labels(const Tensor& logits);

}  // namespace espnet::test
