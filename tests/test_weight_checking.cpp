// The checkpoint is checked tensor by tensor against the network it describes: missing,
// mis-shaped and unexpected tensors are all reported by name in one error (the upstream
// loaders silently half-load), and a file whose tensors match no family is refused.
#include <gtest/gtest.h>

#include "checkpoint/pth_reader.h"
#include "espnet/error.h"
#include "espnet/model.h"
#include "model_config_text.h"
#include "model_file/model_file.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

ModelFileContents classifier_contents() {
  Checkpoint c = read_pth(test::ref_path("checkpoints/cls_s0.5_random_legacy.pth"));
  ModelFileContents contents;
  ModelInfo info;
  info.task = Task::kClassification;
  info.scale = 0.5;
  info.classes = 1000;
  info.dataset = "imagenet";
  contents.config = model_info_to_text(info);
  for (CheckpointTensor& t : c.tensors)
    contents.tensors.push_back(float32_tensor(t.name, t.shape, t.values));
  return contents;
}

std::string load_error(const ModelFileContents& contents) {
  const std::string path = ::testing::TempDir() + "/edited.espnet";
  write_model_file(path, contents);
  try {
    Model::load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(WeightChecking, IntactFileLoads) {
  ESPNET_REQUIRE_REF_DATA();
  EXPECT_EQ(load_error(classifier_contents()), "");
}

TEST(WeightChecking, MissingMisshapedAndUnexpectedAreNamed) {
  ESPNET_REQUIRE_REF_DATA();
  ModelFileContents c = classifier_contents();
  std::vector<ModelFileTensor> kept;
  for (ModelFileTensor& t : c.tensors) {
    if (t.name == "level3.1.spp_dw.2.conv.weight") continue;  // missing
    if (t.name == "level4.0.proj_1x1.bn.running_var") t.name = "level4.0.proj_1x1.bn.running_varx";
    if (t.name == "classifier.bias") {  // wrong shape
      t.shape = {999};
      t.values.resize(999);
    }
    kept.push_back(std::move(t));
  }
  c.tensors = std::move(kept);
  const std::string error = load_error(c);
  EXPECT_NE(error.find("missing (2)"), std::string::npos) << error;
  EXPECT_NE(error.find("level3.1.spp_dw.2.conv.weight [16, 1, 3, 3]"), std::string::npos) << error;
  EXPECT_NE(error.find("level4.0.proj_1x1.bn.running_var [32]"), std::string::npos) << error;
  EXPECT_NE(error.find("classifier.bias: expected [1000], found [999]"), std::string::npos)
      << error;
  EXPECT_NE(error.find("unexpected (1)"), std::string::npos) << error;
  EXPECT_NE(error.find("level4.0.proj_1x1.bn.running_varx"), std::string::npos) << error;
}

TEST(WeightChecking, ConfigThatDoesNotMatchTheTensors) {
  ESPNET_REQUIRE_REF_DATA();
  ModelFileContents c = classifier_contents();
  ModelInfo wrong;
  wrong.task = Task::kClassification;
  wrong.scale = 1.0;  // the tensors are s=0.5
  wrong.classes = 1000;
  wrong.dataset = "imagenet";
  c.config = model_info_to_text(wrong);
  const std::string error = load_error(c);
  EXPECT_NE(error.find("wrong shape"), std::string::npos) << error;
  EXPECT_NE(error.find("level1.conv.weight: expected [32, 3, 3, 3], found [16, 3, 3, 3]"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace espnet
