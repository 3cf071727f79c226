#include "image_inputs.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>

#include "espnet/error.h"
#include "file_util.h"

namespace espnet::cli {
namespace {

bool has_image_extension(const std::string& name) {
  size_t dot = name.find_last_of('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* known : {"jpg", "jpeg", "png", "bmp", "tga", "gif", "ppm", "pgm"})
    if (ext == known) return true;
  return false;
}

}  // namespace

std::vector<std::string> expand_image_arguments(const std::vector<std::string>& arguments) {
  std::vector<std::string> files;
  for (const std::string& arg : arguments) {
    if (is_directory(arg)) {
      DIR* dir = opendir(arg.c_str());
      if (!dir) throw Error("cannot read directory '" + arg + "'");
      std::vector<std::string> found;
      while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name[0] != '.' && has_image_extension(name))
          found.push_back(arg.back() == '/' ? arg + name : arg + "/" + name);
      }
      closedir(dir);
      std::sort(found.begin(), found.end());
      if (found.empty()) throw Error("no images in directory '" + arg + "'");
      files.insert(files.end(), found.begin(), found.end());
    } else if (path_exists(arg)) {
      files.push_back(arg);
    } else {
      throw Error("cannot open '" + arg + "': no such file or directory");
    }
  }
  return files;
}

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace espnet::cli
