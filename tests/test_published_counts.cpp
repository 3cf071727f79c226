// Parameters and conv multiply-adds equal to the published tables for every model in the
// manifest and the published PASCAL s=1.5 row (no checkpoint shipped), from networks built with
// made-up weights: the count depends only on the architecture, so this also checks that the
// set of tensors we build is exactly upstream's.
#include <gtest/gtest.h>

#include "espnet/error.h"
#include "espnet/model.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace espnet {
namespace {

ModelInfo describe(const test::Json& m) {
  ModelInfo info;
  const std::string task = m["task"].str();
  info.task = task == "classification" ? Task::kClassification
              : task == "segmentation" ? Task::kSegmentation
                                       : Task::kDetection;
  info.family = m.has("family") && m["family"].str() == "espnetv2-original" ? Family::kOriginal
                                                                            : Family::kEdgeNets;
  info.scale = m["s"].number();
  info.classes = int(m["classes"].number());
  info.dataset = m["dataset"].is_null() ? "imagenet" : m["dataset"].str();
  if (info.task == Task::kDetection)
    info.input_size = m["model"].str().find("ssd512") != std::string::npos ? 512 : 300;
  return info;
}

TEST(PublishedCounts, EveryManifestModel) {
  ESPNET_REQUIRE_REF_DATA();
  int checked = 0;
  for (const test::Json& m : test::manifest()["models"].array()) {
    auto model = Model::random(describe(m));
    EXPECT_NEAR(model->info().params / 1e6, m["params_M"].number(), 5e-7) << m["model"].str();
    for (const auto& kv : m["mflops"].object()) {
      const std::string& size = kv.first;
      const int w = std::stoi(size.substr(0, size.find('x')));
      const int h = std::stoi(size.substr(size.find('x') + 1));
      EXPECT_NEAR(model->conv_mmacs(h, w), kv.second.number(), 5e-4)
          << m["model"].str() << " " << size;
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);
}

TEST(PublishedCounts, PascalScale1_5) {
  ModelInfo info;
  info.task = Task::kSegmentation;
  info.scale = 1.5;
  info.classes = 21;
  info.dataset = "pascal";
  auto model = Model::random(info);
  EXPECT_NEAR(model->info().params / 1e6, 0.468, 0.0005);  // published 0.47 M (0.468)
  EXPECT_NEAR(model->conv_mmacs(384, 384), 482.63, 0.005);
}

TEST(PublishedCounts, RandomModelsRunAndAreDeterministic) {
  ModelInfo info;
  info.task = Task::kSegmentation;
  info.scale = 1.0;
  info.classes = 20;
  info.dataset = "city";
  auto a = Model::random(info, 7), b = Model::random(info, 7);
  EXPECT_EQ(a->info().params, b->info().params);
  EXPECT_THROW(Model::random(ModelInfo{Family::kEdgeNets, Task::kDetection, 1.0, 21, "voc", 416}),
               Error);
}

}  // namespace
}  // namespace espnet
