#include "image/image_decode.h"

#include <stb/stb_image.h>

#include <climits>
#include <cstring>
#include <memory>

#include "espnet/error.h"
#include "file_util.h"
#include "image/image_header_size.h"
#include "image/stb_hazards.h"

namespace espnet {
namespace {

struct StbiFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

// Never more than a few hundred MB of file: an encoded image larger than this is not a photo.
constexpr uint64_t kMaxEncodedBytes = uint64_t{1} << 30;

std::string failure_reason() {
  const char* reason = stbi_failure_reason();
  return reason ? reason : "unknown reason";
}

}  // namespace

Image decode_image_memory(const uint8_t* data, size_t size, const std::string& name) {
  if (data == nullptr || size == 0) throw Error("cannot decode image '" + name + "': it is empty");
  if (size > static_cast<size_t>(INT_MAX))
    throw Error("cannot decode image '" + name + "': larger than 2 GiB");
  const int length = static_cast<int>(size);

  // Inputs on which stb_image 2.27 corrupts memory or hits undefined behaviour: refused first.
  refuse_stb_hazards(data, size, name);
  // Read the header first so that absurd dimensions are refused before any pixel allocation.
  int width = 0, height = 0, file_channels = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &file_channels)) {
    int64_t header_width = 0, header_height = 0;
    const char* format = "";
    // stb_image refuses images over 2^30 bytes of decoded pixels (and then reports an
    // "unknown image type"): say what it really is.
    // Header fields are 32-bit (up to 2^32 each in a PNG): compare by division, a product of
    // two of them times 4 can overflow int64_t.
    constexpr int64_t kStbMaxDecodedBytes = int64_t{1} << 30;
    if (read_image_header_size(data, size, &header_width, &header_height, &format) &&
        header_width > 0 && header_height > 0 &&
        header_width > kStbMaxDecodedBytes / 4 / header_height)
      throw Error("cannot decode image '" + name + "': it is a " + format + " of " +
                  std::to_string(header_width) + "x" + std::to_string(header_height) +
                  " pixels, larger than the image decoder (stb_image) can read (at most 2^30 "
                  "bytes of decoded pixels) and than this program accepts (at most " +
                  std::to_string(kMaxImageSide) + " per side and " +
                  std::to_string(kMaxImagePixels) + " pixels)");
    throw Error("cannot decode image '" + name + "': " + failure_reason() +
                " (not a readable JPEG, PNG, BMP, GIF, TGA or PNM file)");
  }
  if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide ||
      int64_t{width} * height > kMaxImagePixels)
    throw Error("cannot decode image '" + name + "': its size " + std::to_string(width) + "x" +
                std::to_string(height) + " is outside the supported range (at most " +
                std::to_string(kMaxImageSide) + " per side and " + std::to_string(kMaxImagePixels) +
                " pixels)");

  int decoded_width = 0, decoded_height = 0, ignored = 0;
  std::unique_ptr<unsigned char, StbiFree> pixels(stbi_load_from_memory(
      data, length, &decoded_width, &decoded_height, &ignored, /*req_comp=*/3));
  if (!pixels) throw Error("cannot decode image '" + name + "': " + failure_reason());
  if (decoded_width != width || decoded_height != height)
    throw Error("cannot decode image '" + name + "': the decoder returned another size than the " +
                "header states");

  Image image;
  image.width = width;
  image.height = height;
  image.channels = 3;
  const size_t bytes = static_cast<size_t>(width) * height * 3;
  image.pixels.assign(pixels.get(), pixels.get() + bytes);
  return image;
}

Image decode_image(const std::string& path) {
  if (!path_exists(path)) throw Error("cannot open image '" + path + "': no such file");
  if (is_directory(path)) throw Error("cannot open image '" + path + "': it is a directory");
  const std::vector<uint8_t> bytes = read_file_bytes(path, kMaxEncodedBytes);
  return decode_image_memory(bytes.data(), bytes.size(), path);
}

}  // namespace espnet
