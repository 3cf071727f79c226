// Finding the images and ground truth of a dataset from its folder layout:
// - PASCAL VOC segmentation: JPEGImages/, SegmentationClass/ (palette PNGs) and, when present,
//   ImageSets/Segmentation/<split>.txt (else every image with a label PNG);
// - Cityscapes: leftImg8bit/<split>/<city>/*_leftImg8bit.png with
//   gtFine/<split>/<city>/*_gtFine_labelIds.png;
// - classification: class sub-folders named by class index, or (1000-class models) by ImageNet
//   WordNet id, any subset of either; otherwise one folder per class whose sorted names are the
//   class order; or a list file of "path label" lines (relative paths from the list's folder);
// - PASCAL VOC detection: Annotations/*.xml with JPEGImages/<id>.jpg and, when present,
//   ImageSets/Main/<split>.txt.
// The VOC layouts are also found one level down (VOC2012/, VOC2007/, VOCdevkit/VOC20xx/).
#pragma once

#include <string>
#include <vector>

namespace espnet::eval {

struct DatasetSample {
  std::string image;  ///< photo
  std::string truth;  ///< label PNG or annotation XML ("" for classification)
  int label = -1;     ///< class index (classification)
};

struct Dataset {
  std::string layout;  ///< "pascal-voc", "cityscapes", "imagenet-folders", "list", "voc-detection"
  std::string description;  ///< what was found, for the progress line
  std::string
      root;  ///< the layout's own folder (the VOC20xx/ found under DATASET; a list's folder)
  std::vector<DatasetSample> samples;  ///< sorted by image path
};

/// `split`: "" takes the layout's default (val; detection: test, else val, else everything).
/// Throws espnet::Error saying which layouts were looked for and what is missing.
Dataset find_segmentation_dataset(const std::string& root, const std::string& split);
Dataset find_classification_dataset(const std::string& root, int classes);
Dataset find_detection_dataset(const std::string& root, const std::string& split);

}  // namespace espnet::eval
