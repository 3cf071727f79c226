// Converted model files hold the arrays the layers keep (BatchNorm folded, heads packed), and a
// loaded file uses them in place: the outputs must be bit-identical to the .pth's, saving a
// loaded file must reproduce it byte for byte, and a packed file is checked as strictly as a
// checkpoint (missing, mis-shaped and unexpected arrays named).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "espnet/model.h"
#include "espnet/npy.h"
#include "espnet/session.h"
#include "file_util.h"
#include "mapped_file.h"
#include "model_config_text.h"
#include "model_file/model_file.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

std::vector<Tensor> run_once(const std::shared_ptr<const Model>& model, const Tensor& input) {
  Session session(model, SessionOptions{1});
  std::vector<Tensor> out;
  for (const NamedTensor& t : session.run(input)) out.push_back(t.value);
  return out;
}

void expect_bit_identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b,
                          const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].shape(), b[i].shape()) << what;
    EXPECT_EQ(std::memcmp(a[i].data(), b[i].data(), size_t(a[i].numel()) * sizeof(float)), 0)
        << what << ": output " << i << " differs";
  }
}

struct Case {
  const char* checkpoint;
  const char* input;
};

// One network of every kind of layer that keeps packed arrays: the classifier head, the EdgeNets
// decoder (followed_by, input_slice), the original family's PSP decoder (input_slice), the SSD
// heads (pointwise rows).
TEST(ModelPacked, ConvertedFileRunsBitIdenticalToThePth) {
  ESPNET_REQUIRE_REF_DATA();
  const Case cases[] = {
      {"checkpoints/cls_s0.5_random_legacy.pth", "cases/cls_s0.5_224x224/input.npy"},
      {"checkpoints/espnetv2_s_2.0_pascal_384x384.pth", "cases/seg_pascal_s2.0_384x384/input.npy"},
      {"checkpoints/espnetv2orig_seg_city_s0.5.pth", "images/segorig_sample4/input.npy"},
      {"checkpoints/det_ssd300_coco_s2.0_random.pth", "cases/det_ssd300_coco_s2.0/input.npy"},
  };
  for (const Case& c : cases) {
    const std::string pth = test::ref_path(c.checkpoint);
    const Tensor input = read_npy_f32(test::ref_path(c.input));
    auto from_pth = Model::load(pth);
    const std::string converted = ::testing::TempDir() + "/packed.espnet";
    from_pth->save(converted);
    auto from_file = Model::load(converted);
    EXPECT_EQ(from_file->info().params, from_pth->info().params) << c.checkpoint;
    EXPECT_EQ(from_file->info().classes, from_pth->info().classes) << c.checkpoint;
    expect_bit_identical(run_once(from_pth, input), run_once(from_file, input), c.checkpoint);

    // Saving a loaded converted file writes the same bytes.
    const std::string again = ::testing::TempDir() + "/packed_again.espnet";
    from_file->save(again);
    EXPECT_EQ(read_file_bytes(converted), read_file_bytes(again)) << c.checkpoint;
  }
}

// The names of the packed arrays a random model of `info` saves (checked to be packed arrays).
std::vector<std::string> packed_names(const ModelInfo& info) {
  const std::string path = ::testing::TempDir() + "/random_packed.espnet";
  Model::random(info, 3)->save(path);
  const ModelFileContents contents = read_model_file(path);
  int64_t params = 0;
  EXPECT_TRUE(packed_weights_from_text(contents.config, path, &params));
  EXPECT_EQ(params, Model::random(info, 3)->info().params);
  std::vector<std::string> names;
  for (const ModelFileTensor& t : contents.tensors) {
    EXPECT_NE(t.name.find('@'), std::string::npos) << t.name << " is not a packed array";
    EXPECT_EQ(t.name.find("running_var"), std::string::npos) << t.name;
    names.push_back(t.name);
  }
  return names;
}

bool has_name(const std::vector<std::string>& names, const std::string& part) {
  for (const std::string& n : names)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

TEST(ModelPacked, FileHoldsPackedArraysNotTheStateDict) {
  ModelInfo pascal;
  pascal.task = Task::kSegmentation;
  pascal.scale = 0.5;
  pascal.classes = 21;
  pascal.dataset = "pascal";
  const std::vector<std::string> a = packed_names(pascal);
  EXPECT_TRUE(has_name(a, "base_net.level1.conv.weight@folded"));
  EXPECT_TRUE(has_name(a, "base_net.level1.act.weight@slopes"));
  EXPECT_TRUE(has_name(a, ".spp_dw@concat"));
  EXPECT_TRUE(has_name(a, "@then-bn"));  // EfficientPyrPool's 1x1 with its BatchNorm folded in
  ModelInfo original = pascal;
  original.family = Family::kOriginal;
  original.classes = 20;
  original.dataset = "city";
  EXPECT_TRUE(has_name(packed_names(original), "@inputs-"));  // the PSP decoder's split 1x1
}

std::string load_error(const ModelFileContents& contents) {
  const std::string path = ::testing::TempDir() + "/edited_packed.espnet";
  write_model_file(path, contents);
  try {
    Model::load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

ModelFileContents packed_classifier() {
  ModelInfo info;
  info.task = Task::kClassification;
  info.scale = 0.5;
  info.classes = 10;
  info.dataset = "imagenet";
  const std::string path = ::testing::TempDir() + "/random_cls.espnet";
  Model::random(info, 5)->save(path);
  return read_model_file(path);
}

TEST(ModelPacked, MissingMisshapedAndUnexpectedArraysAreNamed) {
  ModelFileContents c = packed_classifier();
  EXPECT_EQ(load_error(c), "");
  std::vector<ModelFileTensor> kept;
  for (ModelFileTensor& t : c.tensors) {
    if (t.name == "level2_0.eesp.spp_dw@concat") continue;  // missing
    if (t.name == "classifier.bias@values") {               // wrong shape
      t.shape = {11};
      t.values.resize(11);
    }
    kept.push_back(std::move(t));
  }
  kept.push_back(float32_tensor("level9.conv.weight@folded", {2}, {1.0f, 2.0f}));  // unexpected
  c.tensors = std::move(kept);
  const std::string error = load_error(c);
  EXPECT_NE(error.find("level2_0.eesp.spp_dw@concat"), std::string::npos) << error;
  EXPECT_NE(error.find("classifier.bias@values: expected [10], found [11]"), std::string::npos)
      << error;
  EXPECT_NE(error.find("level9.conv.weight@folded"), std::string::npos) << error;
}

TEST(ModelPacked, ConfigMustBeConsistent) {
  ModelFileContents c = packed_classifier();
  const std::string config = c.config;
  c.config = config.substr(0, config.find("params="));  // weights=packed without params
  EXPECT_NE(load_error(c).find("no 'params'"), std::string::npos) << load_error(c);
  c.config = config;
  c.config.replace(c.config.find("weights=packed"), 14, "weights=folded");
  EXPECT_NE(load_error(c).find("config 'weights' is 'folded'"), std::string::npos);
  c.config = config;
  c.config.replace(c.config.find("params="), 7, "params=-");
  EXPECT_NE(load_error(c).find("config 'params'"), std::string::npos);
}

TEST(MappedFile, HoldsTheFileOrSaysWhatIsWrong) {
  const std::string path = ::testing::TempDir() + "/mapped.bin";
  std::vector<uint8_t> bytes(100003);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 1);
  write_file_atomic(path, bytes.data(), bytes.size());
  auto file = MappedFile::open(path);
  ASSERT_EQ(file->size(), bytes.size());
  EXPECT_EQ(std::memcmp(file->data(), bytes.data(), bytes.size()), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(file->data()) % 64, 0u);  // page aligned

  const std::string empty = ::testing::TempDir() + "/mapped_empty.bin";
  write_file_atomic(empty, nullptr, 0);
  EXPECT_EQ(MappedFile::open(empty)->size(), 0u);

  auto message = [](const std::string& p, uint64_t limit) {
    try {
      MappedFile::open(p, limit);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(path + ".missing", 1 << 20).find("mapped.bin.missing"), std::string::npos);
  EXPECT_NE(message(::testing::TempDir(), 1 << 20).find("not a regular file"), std::string::npos);
  EXPECT_NE(message(path, 1000).find("too large"), std::string::npos);
}

}  // namespace
}  // namespace espnet
