// From the JPEG to the label PNGs through `espnet segment`, against the reference demo outputs:
// the EdgeNets PASCAL demo (labels.png at the photo's size, >= 99.5 % of pixels) and the
// original repository's Cityscapes script (labelids.png, >= 99 %). Also the logits of the
// image cases from their input.npy, and the size-policy errors.
#include <gtest/gtest.h>

#include <cstdio>

#include "espnet/error.h"
#include "espnet/npy.h"
#include "espnet/session.h"
#include "image/image_decode.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace espnet {
namespace {

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_path() + " " + arguments, output);
}

// Fraction of pixels whose decoded colours are equal.
double agreement(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels) return 0.0;
  const size_t pixels = size_t(a.width) * a.height;
  size_t same = 0;
  for (size_t i = 0; i < pixels; ++i) {
    bool equal = true;
    for (int c = 0; c < a.channels; ++c)
      equal = equal && a.pixels[i * a.channels + c] == b.pixels[i * b.channels + c];
    same += equal;
  }
  return double(same) / double(pixels);
}

class SegmentImage : public ::testing::TestWithParam<std::string> {};

TEST_P(SegmentImage, LabelsFromTheJpegMatchTheDemo) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string stem = GetParam();
  const std::string dir = ::testing::TempDir() + "/seg_e2e_" + stem;
  std::string out;
  ASSERT_EQ(test::run_command("mkdir -p " + dir, &out), 0);
  const std::string model = test::ref_path("checkpoints/espnetv2_s_2.0_pascal_384x384.pth");
  ASSERT_EQ(cli("segment " + model + " " + test::ref_path("images/" + stem + ".jpg") + " -o " + dir,
                &out),
            0)
      << out;
  Image ours = decode_image(dir + "/" + stem + "_labels.png");
  Image reference = decode_image(test::ref_path("images/" + stem + "/labels.png"));
  const double agree = agreement(ours, reference);
  RecordProperty("agreement", std::to_string(agree));
  EXPECT_GE(agree, 0.995) << stem << ": " << agree;
  Image overlay = decode_image(dir + "/" + stem + "_overlay.png");
  EXPECT_EQ(overlay.width, reference.width);
  EXPECT_EQ(overlay.height, reference.height);
}

INSTANTIATE_TEST_SUITE_P(Pascal, SegmentImage, ::testing::Values("sample8", "sample11", "sample6"));

TEST(SegmentImage, OriginalFamilyLabelIdsFromTheJpeg) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = ::testing::TempDir() + "/seg_e2e_orig";
  std::string out;
  ASSERT_EQ(test::run_command("mkdir -p " + dir, &out), 0);
  const std::string model = test::ref_path("checkpoints/espnetv2orig_seg_city_s1.0.pth");
  ASSERT_EQ(
      cli("segment " + model + " " + test::ref_path("images/sample4.jpg") + " --labelids -o " + dir,
          &out),
      0)
      << out;
  Image ours = decode_image(dir + "/sample4_labelids.png");
  Image reference = decode_image(test::ref_path("images/segorig_sample4/labelids.png"));
  const double agree = agreement(ours, reference);
  RecordProperty("agreement", std::to_string(agree));
  EXPECT_GE(agree, 0.99) << agree;
}

TEST(SegmentImage, ImageCaseLogitsFromInputNpy) {
  ESPNET_REQUIRE_REF_DATA();
  const test::Json& images = test::manifest()["images"];
  for (const test::Json& entry : images.array()) {
    auto model = test::load_reference_model(entry["checkpoint"].str());
    Session session(model);
    Tensor input = read_npy_f32(test::ref_path(entry["input"]["file"].str()));
    const Tensor& logits = session.run(input)[0].value;
    const test::Json& ref = entry["logits"];
    Tensor expected = read_npy_f32(test::ref_path(ref["file"].str()));
    Tensor got = ref.has("stride") ? test::subsample(logits, int(ref["stride"].number())) : logits;
    EXPECT_TRUE(test::all_close(got, expected, ref["tolerance"]["abs"].number(),
                                ref["tolerance"]["rel"].number()))
        << entry["image"].str();
    NpyArray labels = read_npy(test::ref_path(entry["labels_network"]["file"].str()));
    std::vector<uint8_t> ours = test::argmax_labels(logits);
    ASSERT_EQ(ours.size(), labels.bytes.size());
    size_t differ = 0;
    for (size_t i = 0; i < ours.size(); ++i) differ += ours[i] != labels.bytes[i];
    EXPECT_LE(double(differ) / ours.size(), 1e-4) << entry["image"].str();
  }
}

TEST(SegmentSizePolicy, LibraryRefusesSizesNotMultipleOf16) {
  ESPNET_REQUIRE_REF_DATA();
  for (const char* checkpoint : {"checkpoints/espnetv2_s_0.5_pascal_384x384.pth",
                                 "checkpoints/espnetv2orig_seg_city_s0.5.pth"}) {
    auto model = test::load_reference_model(checkpoint);
    Session session(model);
    Tensor odd({1, 3, 289, 417});
    try {
      session.run(odd);
      ADD_FAILURE() << checkpoint << ": 417x289 accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("multiples of 16"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(model->check_input_size(48, 64));
  }
}

TEST(SegmentSizePolicy, CliSizeFlag) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string model = test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  const std::string image = test::ref_path("images/sample8.jpg");
  std::string out;
  EXPECT_EQ(
      cli("segment " + model + " " + image + " --size 100x64 -o " + ::testing::TempDir(), &out), 1);
  EXPECT_NE(out.find("multiples of 16"), std::string::npos) << out;
  EXPECT_EQ(
      cli("segment " + model + " " + image + " --size 64x48 --json -o " + ::testing::TempDir(),
          &out),
      0)
      << out;
  test::Json json = test::Json::parse(out);
  EXPECT_EQ(json[0]["network_width"].number(), 64);
  EXPECT_EQ(json[0]["network_height"].number(), 48);
  EXPECT_EQ(cli("segment " + model + " " + image + " --size 64 -o /tmp", &out), 2);
  // A missing output directory is created; one that cannot be (a file is in the way) is an error.
  EXPECT_EQ(cli("segment " + model + " " + image + " -o " + image + "/out", &out), 1);
  EXPECT_NE(out.find("out"), std::string::npos) << out;
  const std::string cls = test::ref_path("checkpoints/cls_s0.5_random_legacy.pth");
  EXPECT_EQ(cli("segment " + cls + " " + image, &out), 1);
  EXPECT_NE(out.find("needs a segmentation model"), std::string::npos) << out;
}

}  // namespace
}  // namespace espnet
