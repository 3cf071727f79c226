// Reading ground truth in the datasets' own formats: PASCAL VOC palette PNGs (class = palette
// index), grey label PNGs (Cityscapes *_labelIds.png, SegmentationClassAug), Cityscapes labelId ->
// trainId, and PASCAL VOC annotation XML files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/detection_metrics.h"

namespace espnet::eval {

/// A label map: one class index per pixel, row-major.
struct LabelMap {
  int width = 0, height = 0;
  std::vector<uint8_t> labels;
};

/// Reads a label PNG. A grey file gives its values as they are. A colour or palette file
/// (stb_image expands palettes to RGB) is mapped back to palette indices through the PASCAL VOC
/// colour map, which gives each of the 256 indices a distinct colour (255, the boundary, is
/// (224, 224, 192)); a colour outside that map is an espnet::Error naming the file and pixel.
LabelMap read_label_png(const std::string& path);

/// Cityscapes labelId -> trainId (0 road .. 18 bicycle) as cityscapesScripts' labels.py; every
/// other id (void, license plate, ...) -> 255 (ignored).
uint8_t cityscapes_label_id_to_train_id(uint8_t label_id);

/// In place over a whole map.
void cityscapes_label_ids_to_train_ids(std::vector<uint8_t>* labels);

/// The objects of a PASCAL VOC annotation file (<object>: <name>, <difficult>, <bndbox> with
/// xmin/ymin/xmax/ymax; <part> elements ignored). `class_names` maps a name (compared by letters
/// and digits only, case-insensitive: "tvmonitor" is "tv/monitor") to its label; boxes are made
/// 0-based (minus 1), as EdgeNets' VOC loader does. Throws espnet::Error naming the file for a
/// missing field, a malformed number or an unknown class.
std::vector<GroundTruthBox> read_voc_annotation(const std::string& path,
                                                const std::vector<std::string>& class_names);

}  // namespace espnet::eval
