// The class names of a model by task and dataset, as every subcommand and task call shows them.
#include "image/class_names.h"
#include "espnet/tasks.h"

namespace espnet {

std::vector<std::string> class_names(const Model& model) {
  const ModelInfo& info = model.info();
  auto fits = [&](const std::vector<std::string>& names) {
    return info.classes == static_cast<int>(names.size());
  };
  switch (info.task) {
    case Task::kClassification:
      return fits(imagenet_class_names()) ? imagenet_class_names() : std::vector<std::string>{};
    case Task::kSegmentation:
      // The segment subcommand's choice: Cityscapes colours and names for "city", VOC otherwise.
      return info.dataset == "city" ? cityscapes_class_names() : voc_class_names();
    case Task::kDetection: {
      if (fits(coco_class_names())) return coco_class_names();
      if (fits(voc_class_names())) return voc_class_names();
      std::vector<std::string> names;
      for (int c = 0; c < info.classes; ++c)
        names.push_back(c ? "class " + std::to_string(c) : "background");
      return names;
    }
  }
  return {};
}

}  // namespace espnet
