#include "eval/dataset_layout.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "espnet/error.h"
#include "file_util.h"
#include "image/class_names.h"

namespace espnet::eval {
namespace {

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  return a.back() == '/' ? a + b : a + "/" + b;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Entries of a directory (no hidden ones), sorted.
std::vector<std::string> list_dir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) throw Error("cannot read directory '" + dir + "'");
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Lines of a split file (one image id per line; anything after the first blank ignored).
std::vector<std::string> read_ids(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read '" + path + "'");
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string id;
    if (words >> id) ids.push_back(id);
  }
  return ids;
}

// root itself, or the VOC folder one or two levels down.
std::string find_voc_root(const std::string& root, const std::string& needed) {
  std::vector<std::string> candidates = {root};
  for (const char* sub : {"VOC2012", "VOC2007", "VOCdevkit/VOC2012", "VOCdevkit/VOC2007"})
    candidates.push_back(join(root, sub));
  for (const std::string& c : candidates)
    if (is_directory(join(c, "JPEGImages")) && is_directory(join(c, needed))) return c;
  return "";
}

std::string stem_of(const std::string& name) {
  const size_t dot = name.find_last_of('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

bool is_integer(const std::string& s) {
  if (s.empty() || s.size() > 6) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

Dataset pascal_segmentation(const std::string& voc, const std::string& split) {
  Dataset d;
  d.layout = "pascal-voc";
  d.root = voc;
  const std::string images = join(voc, "JPEGImages"), labels = join(voc, "SegmentationClass");
  const std::string list = join(voc, "ImageSets/Segmentation/" + split + ".txt");
  std::vector<std::string> ids;
  if (path_exists(list)) {
    ids = read_ids(list);
    d.description = "PASCAL VOC segmentation layout in '" + voc + "', " + split + ".txt";
  } else {
    for (const std::string& name : list_dir(labels))
      if (ends_with(name, ".png") && path_exists(join(images, stem_of(name) + ".jpg")))
        ids.push_back(stem_of(name));
    d.description = "PASCAL VOC segmentation layout in '" + voc + "' (no ImageSets/Segmentation/" +
                    split + ".txt: every image with a label PNG)";
  }
  for (const std::string& id : ids) {
    DatasetSample s;
    s.image = join(images, id + ".jpg");
    s.truth = join(labels, id + ".png");
    if (!path_exists(s.image))
      throw Error("'" + list + "' names '" + id + "', but " + s.image + " does not exist");
    if (!path_exists(s.truth))
      throw Error("no ground truth for '" + id + "': " + s.truth + " does not exist");
    d.samples.push_back(s);
  }
  return d;
}

Dataset cityscapes(const std::string& root, const std::string& split) {
  Dataset d;
  d.layout = "cityscapes";
  d.root = root;
  const std::string images = join(root, "leftImg8bit/" + split),
                    truth = join(root, "gtFine/" + split);
  if (!is_directory(images)) throw Error("Cityscapes layout: '" + images + "' does not exist");
  if (!is_directory(truth)) throw Error("Cityscapes layout: '" + truth + "' does not exist");
  const std::string suffix = "_leftImg8bit.png";
  for (const std::string& city : list_dir(images)) {
    if (!is_directory(join(images, city))) continue;
    for (const std::string& name : list_dir(join(images, city))) {
      if (!ends_with(name, suffix)) continue;
      DatasetSample s;
      s.image = join(join(images, city), name);
      s.truth = join(join(truth, city),
                     name.substr(0, name.size() - suffix.size()) + "_gtFine_labelIds.png");
      if (!path_exists(s.truth))
        throw Error("no ground truth for '" + s.image + "': " + s.truth + " does not exist");
      d.samples.push_back(s);
    }
  }
  d.description = "Cityscapes layout in '" + root + "', split " + split;
  return d;
}

}  // namespace

Dataset find_segmentation_dataset(const std::string& root, const std::string& split_option) {
  if (!is_directory(root)) throw Error("dataset '" + root + "' is not a directory");
  const std::string split = split_option.empty() ? "val" : split_option;
  Dataset d;
  if (is_directory(join(root, "leftImg8bit"))) {
    d = cityscapes(root, split);
  } else {
    const std::string voc = find_voc_root(root, "SegmentationClass");
    if (voc.empty())
      throw Error("'" + root + "' is neither a PASCAL VOC segmentation layout (JPEGImages/ and " +
                  "SegmentationClass/, also under VOC2012/ or VOCdevkit/VOC2012/) nor a " +
                  "Cityscapes layout (leftImg8bit/ and gtFine/)");
    d = pascal_segmentation(voc, split);
  }
  if (d.samples.empty()) throw Error(d.description + ": no images found");
  return d;
}

Dataset find_classification_dataset(const std::string& root, int classes) {
  Dataset d;
  if (path_exists(root) && !is_directory(root)) {
    d.layout = "list";
    d.description = "list file '" + root + "'";
    const size_t slash = root.find_last_of('/');
    const std::string base = slash == std::string::npos ? "" : root.substr(0, slash);
    d.root = base.empty() ? "." : base;
    std::ifstream in(root);
    if (!in) throw Error("cannot read list file '" + root + "'");
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      const size_t end = line.find_last_not_of(" \t\r");
      if (end == std::string::npos) continue;
      line.resize(end + 1);
      const size_t space = line.find_last_of(" \t");
      const std::string label = space == std::string::npos ? "" : line.substr(space + 1);
      if (!is_integer(label) || std::atoi(label.c_str()) >= classes)
        throw Error("list file '" + root + "' line " + std::to_string(number) +
                    ": expected 'PATH LABEL' with LABEL 0.." + std::to_string(classes - 1));
      DatasetSample s;
      std::string path = line.substr(0, line.find_last_not_of(" \t", space) + 1);
      s.image = path[0] == '/' ? path : join(base, path);
      s.label = std::atoi(label.c_str());
      d.samples.push_back(s);
    }
  } else if (is_directory(root)) {
    d.layout = "imagenet-folders";
    d.root = root;
    std::vector<std::string> folders;
    for (const std::string& name : list_dir(root))
      if (is_directory(join(root, name))) folders.push_back(name);
    const bool numbered =
        !folders.empty() && std::all_of(folders.begin(), folders.end(), is_integer);
    // ImageNet-1k folders named by WordNet id: any subset, each labelled by its id's class.
    std::map<std::string, int> wordnet_class;
    if (classes == 1000)
      for (size_t c = 0; c < imagenet_wordnet_ids().size(); ++c)
        wordnet_class[imagenet_wordnet_ids()[c]] = static_cast<int>(c);
    const bool wordnet = !numbered && !folders.empty() &&
                         std::all_of(folders.begin(), folders.end(), [&](const std::string& f) {
                           return wordnet_class.count(f) != 0;
                         });
    if (!numbered && !wordnet && static_cast<int>(folders.size()) != classes)
      throw Error("'" + root + "' has " + std::to_string(folders.size()) +
                  " class folders; the model has " + std::to_string(classes) +
                  " classes. Name folders by class index 0.." + std::to_string(classes - 1) +
                  (classes == 1000 ? ", by ImageNet-1k WordNet id (n01440764...)" : "") +
                  " or, for all classes, by names that sort in class order; or use a list file");
    d.description = "class folders in '" + root + "' (" + std::to_string(folders.size()) +
                    (numbered  ? ", named by class index)"
                     : wordnet ? ", named by ImageNet WordNet id)"
                               : ", sorted names in class order)");
    for (size_t f = 0; f < folders.size(); ++f) {
      const int label = numbered  ? std::atoi(folders[f].c_str())
                        : wordnet ? wordnet_class[folders[f]]
                                  : static_cast<int>(f);
      if (label >= classes)
        throw Error("class folder '" + folders[f] + "' in '" + root + "': the model has " +
                    std::to_string(classes) + " classes");
      for (const std::string& name : list_dir(join(root, folders[f]))) {
        DatasetSample s;
        s.image = join(join(root, folders[f]), name);
        s.label = label;
        if (!is_directory(s.image)) d.samples.push_back(s);
      }
    }
  } else {
    throw Error("dataset '" + root + "': no such file or directory");
  }
  std::stable_sort(
      d.samples.begin(), d.samples.end(),
      [](const DatasetSample& a, const DatasetSample& b) { return a.image < b.image; });
  if (d.samples.empty()) throw Error(d.description + ": no images found");
  return d;
}

Dataset find_detection_dataset(const std::string& root, const std::string& split_option) {
  const std::string voc = find_voc_root(root, "Annotations");
  if (voc.empty())
    throw Error("'" + root + "' is not a PASCAL VOC detection layout (JPEGImages/ and " +
                "Annotations/, also under VOC2007/ or VOCdevkit/VOC2007/)");
  Dataset d;
  d.layout = "voc-detection";
  d.root = voc;
  std::string split = split_option;
  if (split.empty())
    for (const char* s : {"test", "val"})
      if (split.empty() && path_exists(join(voc, std::string("ImageSets/Main/") + s + ".txt")))
        split = s;
  const std::string list = join(voc, "ImageSets/Main/" + split + ".txt");
  std::vector<std::string> ids;
  if (!split.empty() && path_exists(list)) {
    ids = read_ids(list);
    d.description = "PASCAL VOC detection layout in '" + voc + "', " + split + ".txt";
  } else if (!split_option.empty()) {
    throw Error("'" + list + "' does not exist");
  } else {
    for (const std::string& name : list_dir(join(voc, "Annotations")))
      if (ends_with(name, ".xml")) ids.push_back(stem_of(name));
    d.description = "PASCAL VOC detection layout in '" + voc + "' (every annotation)";
  }
  for (const std::string& id : ids) {
    DatasetSample s;
    s.image = join(voc, "JPEGImages/" + id + ".jpg");
    s.truth = join(voc, "Annotations/" + id + ".xml");
    if (!path_exists(s.image)) throw Error("image '" + s.image + "' does not exist");
    if (!path_exists(s.truth)) throw Error("annotation '" + s.truth + "' does not exist");
    d.samples.push_back(s);
  }
  if (d.samples.empty()) throw Error(d.description + ": no images found");
  return d;
}

}  // namespace espnet::eval
