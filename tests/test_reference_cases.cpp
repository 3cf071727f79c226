// Parity with PyTorch on every shared reference case: outputs, label maps, traced
// intermediates, parameter and multiply-add counts, each within the manifest's tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "espnet/npy.h"
#include "espnet/session.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace espnet {
namespace {

using test::Json;

class ReferenceCase : public ::testing::TestWithParam<std::string> {};

// "cls_s0.5_224x224" -> "cls_s0_5_224x224" (gtest names allow only letters, digits and _).
std::string case_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

// Compares one float output against its reference file (sampled with the entry's stride).
void expect_output_matches(const Tensor& actual, const Json& entry) {
  Tensor expected = read_npy(test::ref_path(entry["file"].str())).to_tensor();
  Tensor got =
      entry.has("stride") ? test::subsample(actual, int(entry["stride"].number())) : actual;
  if (got.shape() != expected.shape() && got.numel() == expected.numel())
    got.reshape(expected.shape());
  const Json& tol = entry["tolerance"];
  EXPECT_TRUE(test::all_close(got, expected, tol["abs"].number(), tol["rel"].number()))
      << entry["file"].str();
}

void expect_labels_match(const Tensor& logits, const Json& entry) {
  NpyArray expected = read_npy(test::ref_path(entry["file"].str()));
  std::vector<uint8_t> labels = test::argmax_labels(logits);
  ASSERT_EQ(labels.size(), expected.bytes.size()) << entry["file"].str();
  size_t mismatched = 0;
  for (size_t i = 0; i < labels.size(); ++i) mismatched += labels[i] != expected.bytes[i];
  const double allowed = entry["tolerance"]["max_mismatch_fraction"].number();
  EXPECT_LE(double(mismatched) / labels.size(), allowed)
      << mismatched << " of " << labels.size() << " labels differ in " << entry["file"].str();
}

TEST_P(ReferenceCase, MatchesPyTorch) {
  ESPNET_REQUIRE_REF_DATA();
  const Json& c = test::manifest_case(GetParam());
  auto model = test::load_reference_model(c["checkpoint"].str());
  const ModelInfo& info = model->info();
  EXPECT_NEAR(info.scale, c["s"].number(), 1e-9);
  EXPECT_EQ(info.classes, int(c["classes"].number()));
  EXPECT_NEAR(info.params / 1e6, c["params_M"].number(), 5e-7);
  const int h = int(c["input_size"]["h"].number()), w = int(c["input_size"]["w"].number());
  EXPECT_NEAR(model->conv_mmacs(h, w), c["mflops_per_image"].number(), 5e-4);

  std::map<std::string, const Json*> wanted;
  if (c.has("intermediates"))
    for (const Json& t : c["intermediates"].array()) wanted[t["name"].str()] = &t;
  Tensor input = read_npy_f32(test::ref_path(c["input"]["file"].str()));
  // Outputs of an untraced run, the one users get (tracing switches the fused paths off: an
  // epilogue cannot show what it fused away), and of a traced run, which also gives the
  // intermediates.
  // Small networks too run on every thread the case asks for (the *_2t cases test the threaded
  // kernels), not on one as SessionOptions::single_thread_below_macs would have them.
  SessionOptions options;
  options.single_thread_below_macs = 0;
  Session session(model, options);
  const std::vector<NamedTensor> untraced_outputs = session.run(input);
  std::map<std::string, Tensor> traced;
  Session traced_session(model, options);
  traced_session.set_trace([&](const std::string& name, const Tensor& value) {
    if (wanted.count(name)) traced[name] = value;
  });
  const std::vector<NamedTensor> traced_outputs = traced_session.run(input);
  int compared = 0;
  for (const std::vector<NamedTensor>* run : {&untraced_outputs, &traced_outputs}) {
    SCOPED_TRACE(run == &untraced_outputs ? "untraced run" : "traced run");
    const std::vector<NamedTensor>& outputs = *run;
    ASSERT_FALSE(outputs.empty());
    auto output_named = [&](const std::string& name) -> const Tensor* {
      for (const NamedTensor& o : outputs)
        if (o.name == name) return &o.value;
      return nullptr;
    };
    for (const Json& entry : c["outputs"].array()) {
      if (!entry.has("file")) continue;  // counts-only entries
      const std::string& file = entry["file"].str();
      const std::string stem = file.substr(file.find_last_of('/') + 1);
      if (stem == "labels.npy") {
        expect_labels_match(outputs[0].value, entry);
      } else if (stem.rfind("confidences", 0) == 0 || stem.rfind("locations", 0) == 0) {
        const Tensor* t = output_named(stem.substr(0, stem.find('.')));
        ASSERT_NE(t, nullptr) << "no output for " << file;
        expect_output_matches(*t, entry);
      } else if (stem.rfind("logits", 0) == 0 || stem.rfind("output", 0) == 0) {
        expect_output_matches(outputs[0].value, entry);
      } else {
        continue;  // priors, decoded boxes, detections: test_detection_end_to_end
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
  for (const auto& kv : wanted) {
    auto it = traced.find(kv.first);
    if (it == traced.end()) {
      ADD_FAILURE() << "intermediate '" << kv.first << "' was not produced";
      continue;
    }
    expect_output_matches(it->second, *kv.second);
  }
}

INSTANTIATE_TEST_SUITE_P(Classification, ReferenceCase,
                         ::testing::Values("cls_s0.5_224x224", "cls_s1.0_224x224",
                                           "cls_s1.25_224x224", "cls_s1.5_224x224",
                                           "cls_s2.0_224x224", "cls_s1.0_256x192",
                                           "cls_s1.0_224x224_batch2", "cls_s0.5_161x97"),
                         case_test_name);

INSTANTIATE_TEST_SUITE_P(Segmentation, ReferenceCase,
                         ::testing::Values("seg_pascal_s0.5_384x384", "seg_pascal_s1.0_384x384",
                                           "seg_pascal_s2.0_384x384", "seg_pascal_s1.0_320x240",
                                           "seg_city_s0.5_1024x512", "seg_city_s2.0_256x128",
                                           "seg_pascal_s0.5_64x48", "segorig_city_s0.5_1024x512",
                                           "segorig_city_s1.0_512x256"),
                         case_test_name);

INSTANTIATE_TEST_SUITE_P(Detection, ReferenceCase,
                         ::testing::Values("det_ssd300_coco_s2.0", "det_ssd512_voc_s1.0"),
                         case_test_name);

}  // namespace
}  // namespace espnet
