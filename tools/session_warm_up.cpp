#include "session_warm_up.h"

#include <cstdint>
#include <exception>
#include <vector>

#include "file_util.h"
#include "image/image_header_size.h"

namespace espnet::cli {

SessionWarmUp::SessionWarmUp(Session& session, const std::string& path,
                             std::function<Shape(int width, int height)> input_shape,
                             RunOutputs outputs) {
  thread_ = std::thread([&session, path, input_shape = std::move(input_shape), outputs] {
    try {
      // Headers sit at the start of a file, after at most a few EXIF blocks.
      const std::vector<uint8_t> bytes = read_file_bytes(path, uint64_t{1} << 30);
      int64_t width = 0, height = 0;
      const char* format = "";
      if (!read_image_header_size(bytes.data(), bytes.size(), &width, &height, &format)) return;
      if (width <= 0 || height <= 0 || width > (1 << 20) || height > (1 << 20)) return;
      session.prepare(input_shape(int(width), int(height)), outputs);
    } catch (const std::exception&) {
      // The photo's own decode and run report what is wrong with it.
    }
  });
}

}  // namespace espnet::cli
