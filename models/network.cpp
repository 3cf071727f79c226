#include "models/network.h"

#include <cmath>

#include "espnet/error.h"
#include "models/classifier.h"
#include "models/scale_table.h"
#include "models/segmentation_edgenets.h"
#include "models/segmentation_original.h"
#include "models/ssd.h"
#include "ops.h"

namespace espnet {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double scale_from(const StateDict& w, const std::string& level2_act) {
  const Shape* shape = w.shape_of(level2_act);
  if (!shape || shape->size() != 1)
    throw Error("cannot tell the scale s: '" + level2_act + "' is missing");
  double s = scale_from_level2_channels(static_cast<int>((*shape)[0]));
  if (s == 0.0)
    throw Error("level 2 has " + std::to_string((*shape)[0]) +
                " channels, which matches no supported scale s (0.5, 1.0, 1.25, 1.5, 2.0)");
  return s;
}

int rows_of(const StateDict& w, const std::string& name) {
  const Shape* shape = w.shape_of(name);
  if (!shape || shape->empty())
    throw Error("cannot tell the class count: '" + name + "' is missing");
  return static_cast<int>((*shape)[0]);
}

}  // namespace

NamedTensor segmentation_output(ExecContext& ctx, const Tensor& logits, int height, int width) {
  if (ctx.segmentation_labels)
    return {"labels", ops::resize_bilinear_argmax(ctx, logits, height, width)};
  return {"output", ops::resize_bilinear(ctx, logits, height, width)};
}

const char* task_name(Task task) {
  switch (task) {
    case Task::kClassification:
      return "classification";
    case Task::kSegmentation:
      return "segmentation";
    case Task::kDetection:
      return "detection";
  }
  return "?";
}

const char* family_name(Family family) {
  return family == Family::kEdgeNets ? "edgenets" : "espnetv2-original";
}

ModelInfo infer_model_info(const StateDict& w) {
  ModelInfo info;
  if (w.contains("classifier.weight") && w.contains("level1.conv.weight")) {
    info.task = Task::kClassification;
    info.scale = scale_from(w, "level2_0.act.weight");
    info.classes = rows_of(w, "classifier.weight");
    info.dataset = info.classes == 1000 ? "imagenet" : "custom";
  } else if (w.contains("base_net.level1.conv.weight") &&
             w.contains("bu_dec_l1.merge_layer.3.weight")) {
    info.task = Task::kSegmentation;
    info.scale = scale_from(w, "base_net.level2_0.act.weight");
    info.classes = rows_of(w, "bu_dec_l4.merge_layer.3.weight");
    info.dataset = info.classes == 21 ? "pascal" : info.classes == 20 ? "city" : "custom";
  } else if (w.contains("net.level1.conv.weight") && w.contains("pspMod.1.project.conv.weight")) {
    info.family = Family::kOriginal;
    info.task = Task::kSegmentation;
    info.scale = scale_from(w, "net.level2_0.act.weight");
    info.classes = rows_of(w, "project_l1.1.conv.weight");
    info.dataset = info.classes == 20 ? "city" : "custom";
  } else if (w.contains("base_net.basenet.level1.conv.weight")) {
    info.task = Task::kDetection;
    info.scale = scale_from(w, "base_net.basenet.level2_0.act.weight");
    const Shape* cls = w.shape_of("cls_layers.0.weight");
    if (!cls || cls->empty() || (*cls)[0] % SsdDetector::kAnchorsPerCell)
      throw Error("SSD checkpoint: 'cls_layers.0.weight' is missing or not 6 anchors x classes");
    info.classes = static_cast<int>((*cls)[0] / SsdDetector::kAnchorsPerCell);
    info.dataset = info.classes == 81 ? "coco" : info.classes == 21 ? "voc" : "custom";
  } else {
    throw Error(
        "unrecognised checkpoint: not an ESPNetv2 classifier (level1.*, classifier.*), EdgeNets "
        "segmentation (base_net.*, bu_dec_l*), original ESPNetv2 segmentation (net.*, pspMod.*) "
        "or SSD detector (base_net.basenet.*)");
  }
  info.params = count_parameters(w);
  return info;
}

int64_t count_parameters(const StateDict& w) {
  int64_t n = 0;
  for (const auto& kv : w.tensors()) {
    const std::string& name = kv.first;
    if (ends_with(name, ".running_mean") || ends_with(name, ".running_var") ||
        ends_with(name, ".num_batches_tracked"))
      continue;
    n += static_cast<int64_t>(kv.second.values.size());
  }
  return n;
}

std::unique_ptr<Network> build_network(const ModelInfo& info, const StateDict& weights) {
  WeightReader reader(weights);
  return build_network(info, reader);
}

std::unique_ptr<Network> build_network(const ModelInfo& info, WeightReader& reader) {
  std::unique_ptr<Network> net;
  std::string what;
  if (info.task == Task::kClassification) {
    what = "the ESPNetv2 classifier (s=" + std::to_string(info.scale) + ")";
    net = std::make_unique<Classifier>(reader, info.scale, info.classes);
  } else if (info.task == Task::kSegmentation && info.family == Family::kEdgeNets) {
    what = "the EdgeNets ESPNetv2 segmentation network (s=" + std::to_string(info.scale) + ")";
    net = std::make_unique<SegmentationEdgeNets>(reader, info.scale, info.classes);
  } else if (info.task == Task::kSegmentation && info.family == Family::kOriginal) {
    what = "the original ESPNetv2 segmentation network (s=" + std::to_string(info.scale) + ")";
    net = std::make_unique<SegmentationOriginal>(reader, info.scale, info.classes);
  } else if (info.task == Task::kDetection) {
    what = "the ESPNetv2 SSD detector (s=" + std::to_string(info.scale) + ")";
    net = std::make_unique<SsdDetector>(reader, info.scale, info.classes);
  } else {
    throw Error(std::string(task_name(info.task)) + " networks are not supported");
  }
  reader.finish(what);
  return net;
}

}  // namespace espnet
