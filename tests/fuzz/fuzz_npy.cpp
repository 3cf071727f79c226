// libFuzzer target: the .npy reader and the conversion of what it accepts to a float32 tensor.
#include <cstdint>

#include "espnet/error.h"
#include "espnet/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    espnet::NpyArray array = espnet::parse_npy(data, size, "fuzz.npy");
    espnet::Tensor tensor = array.to_tensor();
    (void)tensor;
  } catch (const espnet::Error&) {
  }
  return 0;
}
