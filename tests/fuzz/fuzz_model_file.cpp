// libFuzzer target: the model-file loader, then the model-building path (from a state dict or,
// for a converted file, from its packed arrays). A mutated file almost
// never keeps its checksum, so each input is parsed as is and once more resealed (file size and
// checksum rewritten) so that the structural checks behind the checksum are fuzzed too.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "espnet/error.h"
#include "fuzz_network.h"
#include "model_config_text.h"
#include "model_file/model_file.h"
#include "quant/int8_arrays.h"
#include "quant/quant_text.h"

namespace {

void parse_and_build(const uint8_t* data, size_t size) {
  try {
    espnet::ModelFileContents contents = espnet::parse_model_file(data, size, "fuzz.espnet");
    espnet::ModelInfo info = espnet::model_info_from_text(contents.config, "fuzz.espnet");
    // A quantized file's plan and int8 arrays (Model::load reads them the same way).
    if (std::unique_ptr<espnet::Quantization> plan =
            espnet::quantization_from_text(contents.config, "fuzz.espnet")) {
      std::unordered_map<std::string, espnet::ModelFileTensorView> arrays;
      for (const espnet::ModelFileTensor& t : contents.tensors) {
        if (!espnet::is_int8_array_name(t.name)) continue;
        espnet::ModelFileTensorView v;
        v.name = t.name;
        v.shape = t.shape;
        v.dtype = t.dtype;
        v.numel = espnet::shape_numel(t.shape);
        v.bytes = t.dtype == espnet::ModelFileDType::kFloat32
                      ? reinterpret_cast<const uint8_t*>(t.values.data())
                      : t.bytes.data();
        arrays.emplace(t.name, v);
      }
      espnet::int8_layers_from_arrays(*plan, arrays, "fuzz.espnet");
    }
    for (const espnet::ModelFileTensor& t : contents.tensors)
      if (t.dtype != espnet::ModelFileDType::kFloat32) return;  // the loader's int8 arrays
    int64_t params = 0;
    if (espnet::packed_weights_from_text(contents.config, "fuzz.espnet", &params)) {
      // A converted file: the layers take the packed arrays as they are (Model::load's path).
      espnet::PackedSource packed;
      for (const espnet::ModelFileTensor& t : contents.tensors)
        packed.emplace(t.name, espnet::PackedTensorView{t.shape, t.values.data()});
      espnet::WeightReader reader(packed);
      espnet::fuzz::build_and_plan(info, reader);
      return;
    }
    espnet::StateDict weights;
    for (espnet::ModelFileTensor& t : contents.tensors)
      weights.add(t.name, std::move(t.shape), std::move(t.values));
    espnet::fuzz::build_and_plan(info, weights);
  } catch (const espnet::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)espnet::looks_like_model_file(data, size);
  parse_and_build(data, size);
  if (size >= 72) {
    std::vector<uint8_t> resealed(data, data + size);
    espnet::model_file_detail::reseal(resealed);
    parse_and_build(resealed.data(), resealed.size());
  }
  return 0;
}
