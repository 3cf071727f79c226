// Writes small valid seed files for the fuzz targets into OUT_DIR/{pth,model_file,npy,image}:
// checkpoints too big to mutate usefully (the zip ones are 5-24 MB) are cut down to a few
// tensors and re-saved in both .pth formats, one whole small model is kept so that mutations
// reach the network builder, and tiny images of every format stb writes are added.
// usage: make_fuzz_seeds REF_DIR OUT_DIR
#include <stb/stb_image_write.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "checkpoint/pth_reader.h"
#include "checkpoint/zip_archive.h"
#include "espnet/error.h"
#include "espnet/model.h"
#include "espnet/npy.h"
#include "file_util.h"
#include "image/png_write.h"
#include "layers/state_dict.h"
#include "model_config_text.h"
#include "model_file/model_file.h"
#include "models/network.h"

namespace {

using Bytes = std::vector<uint8_t>;
using espnet::CheckpointTensor;

void put_le(Bytes& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_text(Bytes& out, const std::string& s) {
  out.insert(out.end(), s.begin(), s.end());
}
void put_unicode(Bytes& out, const std::string& s) {
  out.push_back('X');
  put_le(out, s.size(), 4);
  put_text(out, s);
}
void put_int(Bytes& out, int64_t v) {
  out.push_back('J');  // BININT: every seed value fits in 31 bits
  put_le(out, static_cast<uint64_t>(v), 4);
}

// A protocol-2 state dict pickle as torch.save writes it: OrderedDict of _rebuild_tensor_v2
// calls on persistent storage ids (legacy ids end with a None view field). Storage i is the
// float32 data of tensor i, except that int64 tensors (num_batches_tracked) use LongStorage.
Bytes state_dict_pickle(const std::vector<CheckpointTensor>& tensors, bool legacy) {
  Bytes p = {0x80, 2};
  put_text(p, "ccollections\nOrderedDict\n");
  p.push_back('q');  // BINPUT 0, reused through BINGET for every hooks dict
  p.push_back(0);
  p.insert(p.end(), {')', 'R', '('});
  for (size_t i = 0; i < tensors.size(); ++i) {
    const CheckpointTensor& t = tensors[i];
    put_unicode(p, t.name);
    put_text(p, "ctorch._utils\n_rebuild_tensor_v2\n(");
    p.push_back('(');
    put_unicode(p, "storage");
    put_text(p, t.dtype == "int64" ? "ctorch\nLongStorage\n" : "ctorch\nFloatStorage\n");
    put_unicode(p, std::to_string(i));
    put_unicode(p, "cpu");
    put_int(p, static_cast<int64_t>(t.values.size()));
    if (legacy) p.push_back('N');
    p.insert(p.end(), {'t', 'Q'});
    put_int(p, 0);
    p.push_back('(');
    for (int64_t d : t.shape) put_int(p, d);
    p.push_back('t');
    p.push_back('(');
    int64_t stride = 1;
    std::vector<int64_t> strides(t.shape.size());
    for (size_t d = t.shape.size(); d-- > 0;) strides[d] = stride, stride *= t.shape[d];
    for (int64_t s : strides) put_int(p, s);
    p.push_back('t');
    p.push_back(0x89);  // requires_grad False
    p.insert(p.end(), {'h', 0, ')', 'R', 't', 'R'});
  }
  p.insert(p.end(), {'u', '.'});
  return p;
}

Bytes storage_bytes(const CheckpointTensor& t) {
  Bytes out;
  for (float v : t.values) {
    if (t.dtype == "int64") {
      put_le(out, static_cast<uint64_t>(static_cast<int64_t>(v)), 8);
    } else {
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      put_le(out, bits, 4);
    }
  }
  return out;
}

Bytes legacy_pth(const std::vector<CheckpointTensor>& tensors) {
  Bytes out = {0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};
  out.insert(out.end(), {0x80, 2, 'M', 0xe9, 0x03, '.'});  // protocol 1001
  out.insert(out.end(), {0x80, 2, '}'});
  put_unicode(out, "little_endian");
  out.insert(out.end(), {0x88, 's', '.'});
  Bytes state = state_dict_pickle(tensors, true);
  out.insert(out.end(), state.begin(), state.end());
  out.insert(out.end(), {0x80, 2, ']', '('});
  for (size_t i = 0; i < tensors.size(); ++i) put_unicode(out, std::to_string(i));
  out.insert(out.end(), {'e', '.'});
  for (const CheckpointTensor& t : tensors) {
    put_le(out, t.values.size(), 8);
    Bytes data = storage_bytes(t);
    out.insert(out.end(), data.begin(), data.end());
  }
  return out;
}

Bytes zip_pth(const std::vector<CheckpointTensor>& tensors, const std::string& root) {
  std::vector<std::pair<std::string, Bytes>> entries;
  entries.push_back({root + "/data.pkl", state_dict_pickle(tensors, false)});
  for (size_t i = 0; i < tensors.size(); ++i)
    entries.push_back({root + "/data/" + std::to_string(i), storage_bytes(tensors[i])});
  entries.push_back({root + "/version", {'3', '\n'}});
  Bytes out, central;
  for (const auto& [name, data] : entries) {
    const uint32_t crc = static_cast<uint32_t>(crc32_z(0, data.data(), data.size()));
    const uint64_t local_at = out.size();
    put_le(out, 0x04034b50, 4);
    put_le(out, 20, 2), put_le(out, 0, 2), put_le(out, 0, 2), put_le(out, 0, 4);
    put_le(out, crc, 4), put_le(out, data.size(), 4), put_le(out, data.size(), 4);
    put_le(out, name.size(), 2), put_le(out, 0, 2);
    put_text(out, name);
    out.insert(out.end(), data.begin(), data.end());
    put_le(central, 0x02014b50, 4);
    put_le(central, 20, 2), put_le(central, 20, 2), put_le(central, 0, 2), put_le(central, 0, 2);
    put_le(central, 0, 4), put_le(central, crc, 4);
    put_le(central, data.size(), 4), put_le(central, data.size(), 4);
    put_le(central, name.size(), 2), put_le(central, 0, 2), put_le(central, 0, 2);
    put_le(central, 0, 2), put_le(central, 0, 2), put_le(central, 0, 4);
    put_le(central, local_at, 4);
    put_text(central, name);
  }
  const uint64_t cd_at = out.size();
  out.insert(out.end(), central.begin(), central.end());
  put_le(out, 0x06054b50, 4), put_le(out, 0, 2), put_le(out, 0, 2);
  put_le(out, entries.size(), 2), put_le(out, entries.size(), 2);
  put_le(out, central.size(), 4), put_le(out, cd_at, 4), put_le(out, 0, 2);
  return out;
}

void write(const std::string& path, const Bytes& bytes) {
  espnet::write_file_atomic(path, bytes.data(), bytes.size());
}

void write_to_vector(void* context, void* data, int size) {
  auto* out = static_cast<Bytes*>(context);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_fuzz_seeds REF_DIR OUT_DIR\n");
    return 2;
  }
  const std::string ref = argv[1], out = argv[2];
  try {
    // Checkpoints: a whole small model (reaches build_network) in both formats, and the first
    // tensors of a zip classifier with its int64 num_batches_tracked.
    espnet::Checkpoint small =
        espnet::read_pth(ref + "/checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
    write(out + "/pth/seg_s0.5_zip.pth", zip_pth(small.tensors, "seg_s0.5"));
    espnet::Checkpoint cls = espnet::read_pth(ref + "/checkpoints/cls_s1.0_random.pth");
    std::vector<CheckpointTensor> few;
    for (const CheckpointTensor& t : cls.tensors)
      if (few.size() < 6 && t.values.size() <= 4096) few.push_back(t);
    write(out + "/pth/few_legacy.pth", legacy_pth(few));
    write(out + "/pth/few_zip.pth", zip_pth(few, "archive"));

    // Model files: the same small model, and a three-tensor file.
    espnet::StateDict weights;
    for (const CheckpointTensor& t : small.tensors) weights.add(t.name, t.shape, t.values);
    espnet::ModelFileContents model;
    model.config = espnet::model_info_to_text(espnet::infer_model_info(weights));
    for (const CheckpointTensor& t : small.tensors)
      model.tensors.push_back(espnet::float32_tensor(t.name, t.shape, t.values));
    write(out + "/model_file/seg_s0.5.espnet", espnet::encode_model_file(model));
    model.tensors.resize(3);
    write(out + "/model_file/three_tensors.espnet", espnet::encode_model_file(model));
    // The same model as `espnet convert` writes it: packed arrays (reaches the packed reader).
    espnet::Model::load(ref + "/checkpoints/espnetv2_s_0.5_pascal_384x384.pth")
        ->save(out + "/model_file/seg_s0.5_packed.espnet");

    // .npy: every dtype, ranks 0 to 4.
    const float f[6] = {0.5f, -1, 2, 1e-38f, 3, 4};
    const double d[3] = {1, -2, 3};
    const int32_t i32[2] = {7, -7};
    const int64_t i64[2] = {1, 2};
    const uint8_t u8[4] = {0, 1, 2, 255};
    espnet::write_npy(out + "/npy/f4.npy", espnet::NpyType::kFloat32, {1, 2, 3, 1}, f);
    espnet::write_npy(out + "/npy/f8.npy", espnet::NpyType::kFloat64, {3}, d);
    espnet::write_npy(out + "/npy/i4.npy", espnet::NpyType::kInt32, {2, 1}, i32);
    espnet::write_npy(out + "/npy/i8.npy", espnet::NpyType::kInt64, {2}, i64);
    espnet::write_npy(out + "/npy/u1.npy", espnet::NpyType::kUInt8, {2, 2}, u8);
    espnet::write_npy(out + "/npy/scalar.npy", espnet::NpyType::kFloat32, {}, f);

    // Images: 13x7 RGB in PNG (ours, and stb's), JPEG, BMP, TGA, PPM; grey and palette PNGs; GIF.
    const int w = 13, h = 7;
    std::vector<uint8_t> rgb(w * h * 3);
    for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 37);
    write(out + "/image/rgb.png", espnet::encode_png(rgb.data(), w, h, 3));
    write(out + "/image/grey.png", espnet::encode_png(rgb.data(), w, h, 1));
    espnet::Palette palette{};
    for (size_t i = 0; i < palette.size(); ++i) palette[i] = static_cast<uint8_t>(i);
    write(out + "/image/palette.png", espnet::encode_png(rgb.data(), w, h, 1, &palette, 256));
    Bytes bytes;
    stbi_write_jpg_to_func(write_to_vector, &bytes, w, h, 3, rgb.data(), 90);
    write(out + "/image/rgb.jpg", bytes);
    bytes.clear();
    stbi_write_bmp_to_func(write_to_vector, &bytes, w, h, 3, rgb.data());
    write(out + "/image/rgb.bmp", bytes);
    bytes.clear();
    stbi_write_tga_to_func(write_to_vector, &bytes, w, h, 3, rgb.data());
    write(out + "/image/rgb.tga", bytes);
    bytes.clear();
    stbi_write_png_to_func(write_to_vector, &bytes, w, h, 3, rgb.data(), w * 3);
    write(out + "/image/stb_rgb.png", bytes);
    const Bytes gif = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
                       0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04,
                       0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
                       0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};  // 1x1
    write(out + "/image/tiny.gif", gif);
    Bytes ppm;
    put_text(ppm, "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n");
    ppm.insert(ppm.end(), rgb.begin(), rgb.end());
    write(out + "/image/rgb.ppm", ppm);
  } catch (const espnet::Error& e) {
    std::fprintf(stderr, "make_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
