// Expanding IMAGE_OR_DIR arguments into image files, and naming outputs after them.
#pragma once

#include <string>
#include <vector>

namespace espnet::cli {

/// Files as given; a directory contributes its images (jpg, jpeg, png, bmp, tga, gif, ppm,
/// pgm; sorted by name). A missing path is an espnet::Error.
std::vector<std::string> expand_image_arguments(const std::vector<std::string>& arguments);

/// "dir/photo.jpg" -> "photo"
std::string file_stem(const std::string& path);

}  // namespace espnet::cli
