// A quantized model's int8 layers as model-file arrays (format version 3): what Model::save
// writes after the fp32 arrays and Model::load reads back, byte for byte.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "espnet/quantize.h"
#include "model_file/model_file.h"
#include "quant/int8_layer.h"

namespace espnet {

/// True for the names of the arrays below ("<layer>@int8-...").
bool is_int8_array_name(const std::string& name);

/// Appends each int8 layer's five arrays, in the plan's order: "<layer>@int8-weight" (int8
/// [groups, out / groups, 4 * quads], the packed codes), "@int8-scale" (float32 [out]),
/// "@int8-compensation" (int32 [out]), "@int8-input-scale" (float32 [in]) and
/// "@int8-zero-point" (int32 [in]). fp32 layers have none.
void append_int8_arrays(const Quantization& plan, const std::vector<Int8Layer>& layers,
                        std::vector<ModelFileTensor>& tensors);

/// The int8 layers of `plan` from a file's arrays (copied; they are small), one per plan entry
/// (empty for fp32 ones), each checked; fills the entries' input scales and zero points.
/// Every int8 layer must have all five arrays with consistent shapes and every array must
/// belong to one: anything else throws espnet::Error naming `file` and the array.
std::vector<Int8Layer> int8_layers_from_arrays(
    Quantization& plan, const std::unordered_map<std::string, ModelFileTensorView>& arrays,
    const std::string& file);

}  // namespace espnet
