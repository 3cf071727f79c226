#include "eval/ground_truth.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "espnet/error.h"
#include "file_util.h"
#include "image/image_decode.h"
#include "image/palette.h"
#include "image/stb_hazards.h"

namespace espnet::eval {
namespace {

struct StbiFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

// A label PNG or an annotation XML larger than this is not one.
constexpr uint64_t kMaxGroundTruthBytes = uint64_t{256} << 20;

std::string lower_trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string out = s.substr(b, e - b);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The text between <tag> and </tag> in `xml` from `from`; npos-based "not found" via `found`.
std::string element_text(const std::string& xml, const std::string& tag, bool* found) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  const size_t b = xml.find(open);
  *found = false;
  if (b == std::string::npos) return "";
  const size_t e = xml.find(close, b + open.size());
  if (e == std::string::npos) return "";
  *found = true;
  return xml.substr(b + open.size(), e - b - open.size());
}

// Removes every <tag>...</tag> element (VOC's <part> boxes inside a person).
std::string without_elements(std::string xml, const std::string& tag) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t b; (b = xml.find(open)) != std::string::npos;) {
    const size_t e = xml.find(close, b);
    if (e == std::string::npos) break;
    xml.erase(b, e + close.size() - b);
  }
  return xml;
}

float parse_coordinate(const std::string& object, const std::string& tag, const std::string& path) {
  bool found = false;
  const std::string text = lower_trimmed(element_text(object, tag, &found));
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (!found || text.empty() || *end != '\0' || !(v > -1e7 && v < 1e7))
    throw Error("annotation '" + path + "': " + (found ? "malformed" : "missing") + " <" + tag +
                ">" + (found ? " '" + text + "'" : ""));
  return static_cast<float>(v);
}

// Class names compared by their letters and digits only, lower case: the VOC files' "pottedplant"
// and "tvmonitor" are our "potted-plant" and "tv/monitor".
std::string name_key(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

LabelMap read_label_png(const std::string& path) {
  if (!path_exists(path)) throw Error("cannot open label image '" + path + "': no such file");
  const std::vector<uint8_t> bytes = read_file_bytes(path, kMaxGroundTruthBytes);
  if (bytes.empty() || bytes.size() > static_cast<size_t>(INT_MAX))
    throw Error("cannot decode label image '" + path + "': empty or too large");
  refuse_stb_hazards(bytes.data(), bytes.size(), path);
  const int length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels))
    throw Error("cannot decode label image '" + path + "': not a readable PNG");
  if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide ||
      int64_t{width} * height > kMaxImagePixels)
    throw Error("label image '" + path + "' has an unsupported size " + std::to_string(width) +
                "x" + std::to_string(height));
  const bool grey = channels <= 2;
  int w = 0, h = 0, ignored = 0;
  std::unique_ptr<unsigned char, StbiFree> pixels(
      stbi_load_from_memory(bytes.data(), length, &w, &h, &ignored, grey ? 1 : 3));
  if (!pixels || w != width || h != height)
    throw Error("cannot decode label image '" + path +
                "': " + (stbi_failure_reason() ? stbi_failure_reason() : "decoder failure"));
  LabelMap map;
  map.width = width;
  map.height = height;
  const size_t count = static_cast<size_t>(width) * height;
  if (grey) {
    map.labels.assign(pixels.get(), pixels.get() + count);
    return map;
  }
  static const std::unordered_map<uint32_t, uint8_t> index_of_colour = [] {
    std::unordered_map<uint32_t, uint8_t> m;
    const Palette p = voc_palette();
    for (int i = 0; i < 256; ++i) m[(p[3 * i] << 16) | (p[3 * i + 1] << 8) | p[3 * i + 2]] = i;
    return m;
  }();
  map.labels.resize(count);
  const unsigned char* rgb = pixels.get();
  for (size_t i = 0; i < count; ++i) {
    const uint32_t key = (rgb[3 * i] << 16) | (rgb[3 * i + 1] << 8) | rgb[3 * i + 2];
    auto it = index_of_colour.find(key);
    if (it == index_of_colour.end())
      throw Error("label image '" + path + "': pixel (" + std::to_string(i % width) + ", " +
                  std::to_string(i / width) + ") has colour (" + std::to_string(rgb[3 * i]) + ", " +
                  std::to_string(rgb[3 * i + 1]) + ", " + std::to_string(rgb[3 * i + 2]) +
                  "), which is not in the PASCAL VOC palette (is it a photo, not a label PNG?)");
    map.labels[i] = it->second;
  }
  return map;
}

uint8_t cityscapes_label_id_to_train_id(uint8_t label_id) {
  static const uint8_t table[34] = {255, 255, 255, 255, 255, 255, 255, 0,  1,  255, 255, 2,
                                    3,   4,   255, 255, 255, 5,   255, 6,  7,  8,   9,   10,
                                    11,  12,  13,  14,  15,  255, 255, 16, 17, 18};
  return label_id < 34 ? table[label_id] : 255;
}

void cityscapes_label_ids_to_train_ids(std::vector<uint8_t>* labels) {
  for (uint8_t& v : *labels) v = cityscapes_label_id_to_train_id(v);
}

std::vector<GroundTruthBox> read_voc_annotation(const std::string& path,
                                                const std::vector<std::string>& class_names) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, kMaxGroundTruthBytes);
  const std::string xml(bytes.begin(), bytes.end());
  std::vector<GroundTruthBox> boxes;
  const std::string open = "<object>", close = "</object>";
  for (size_t at = 0;;) {
    const size_t b = xml.find(open, at);
    if (b == std::string::npos) break;
    const size_t e = xml.find(close, b);
    if (e == std::string::npos) throw Error("annotation '" + path + "': unclosed <object>");
    at = e + close.size();
    const std::string object = without_elements(xml.substr(b, e - b), "part");
    bool found = false;
    const std::string name = lower_trimmed(element_text(object, "name", &found));
    if (!found) throw Error("annotation '" + path + "': an <object> without <name>");
    int label = -1;
    for (size_t c = 0; c < class_names.size(); ++c)
      if (name_key(class_names[c]) == name_key(name)) label = static_cast<int>(c);
    if (label < 0) throw Error("annotation '" + path + "': unknown class '" + name + "'");
    const std::string difficult = lower_trimmed(element_text(object, "difficult", &found));
    const std::string box = element_text(object, "bndbox", &found);
    if (!found) throw Error("annotation '" + path + "': object '" + name + "' without <bndbox>");
    GroundTruthBox g;
    // VOC coordinates are 1-based (MATLAB); EdgeNets' loader subtracts 1.
    g.x1 = parse_coordinate(box, "xmin", path) - 1;
    g.y1 = parse_coordinate(box, "ymin", path) - 1;
    g.x2 = parse_coordinate(box, "xmax", path) - 1;
    g.y2 = parse_coordinate(box, "ymax", path) - 1;
    g.label = label;
    g.difficult = !difficult.empty() && difficult != "0";
    boxes.push_back(g);
  }
  return boxes;
}

}  // namespace espnet::eval
