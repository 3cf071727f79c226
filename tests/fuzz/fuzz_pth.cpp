// libFuzzer target: the .pth reader (legacy pickles and zip archives), then the model-building
// path. Any exception other than espnet::Error, any sanitizer report, is a finding.
#include <zlib.h>
#include <cstdint>
#include <cstring>
#include <vector>

#include "checkpoint/pth_reader.h"
#include "checkpoint/zip_archive.h"
#include "espnet/error.h"
#include "fuzz_network.h"

namespace {

uint32_t read_u32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// Zip entries carry CRC-32s, which a mutation almost always breaks, hiding the pickle inside from
// the fuzzer. Rewrite each central-directory CRC to match the entry's bytes as the archive reader
// locates them, so mutated pickles reach the pickle VM. Returns false when nothing was patched.
bool fix_zip_crcs(std::vector<uint8_t>& bytes) {
  std::vector<espnet::ZipEntry> entries;
  try {
    espnet::ZipArchive zip(bytes.data(), bytes.size(), "fuzz");
    entries = zip.entries();
  } catch (const espnet::Error&) {
    return false;
  }
  bool patched = false;
  for (size_t p = 0; p + 46 <= bytes.size(); ++p) {
    if (read_u32(&bytes[p]) != 0x02014b50u) continue;
    const size_t name_length = bytes[p + 28] | (bytes[p + 29] << 8);
    if (p + 46 + name_length > bytes.size()) continue;
    const std::string name(reinterpret_cast<const char*>(&bytes[p + 46]), name_length);
    for (const espnet::ZipEntry& e : entries) {
      if (e.name != name) continue;
      const uint32_t crc = static_cast<uint32_t>(crc32_z(0, bytes.data() + e.data_offset, e.size));
      for (int i = 0; i < 4; ++i) bytes[p + 16 + i] = static_cast<uint8_t>(crc >> (8 * i));
      patched = true;
    }
  }
  return patched;
}

void parse_and_build(const uint8_t* data, size_t size) {
  try {
    // As Model::load: float32 storages borrowed from the input, read in place by the layers.
    const espnet::StateDict weights =
        espnet::state_dict_from_checkpoint(espnet::parse_pth(data, size, "fuzz.pth", true));
    espnet::fuzz::build_and_plan(espnet::infer_model_info(weights), weights);
  } catch (const espnet::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)espnet::looks_like_pth(data, size);
  if (size >= 4 && std::memcmp(data, "PK\x03\x04", 4) == 0) {
    std::vector<uint8_t> copy(data, data + size);
    if (fix_zip_crcs(copy)) {
      parse_and_build(copy.data(), copy.size());
      return 0;
    }
  }
  parse_and_build(data, size);
  return 0;
}
