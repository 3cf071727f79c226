// Class names of the datasets the ESPNetv2 models were trained on, indexed by network output.
#pragma once

#include <string>
#include <vector>

namespace espnet {

/// 1000 ImageNet-1k names, short human form ("tench", "goldfish", ..., "toilet tissue").
const std::vector<std::string>& imagenet_class_names();
/// The 1000 ImageNet-1k WordNet ids in class order ("n01440764", ..., "n15075141"): the same
/// classes as imagenet_class_names(), index by index.
const std::vector<std::string>& imagenet_wordnet_ids();
/// 21 PASCAL VOC names, "background" first.
const std::vector<std::string>& voc_class_names();
/// 20 Cityscapes names by trainId (road .. bicycle), then "background".
const std::vector<std::string>& cityscapes_class_names();
/// 81 names: "background" then the 80 COCO categories in the standard order.
const std::vector<std::string>& coco_class_names();

}  // namespace espnet
