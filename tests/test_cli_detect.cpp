// `espnet detect` and `--input-size` on the command line: help, JSON structure on a real photo
// with the random-weight SSD checkpoints (the detections themselves are arbitrary, so only their
// structure is checked), the annotated PNG, usage errors (exit 2) and clear errors (exit 1).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "detection/draw_detections.h"
#include "image/class_names.h"
#include "image/image_decode.h"
#include "support/json.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

using test::Json;

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_path() + " " + arguments, output);
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::string out;
  EXPECT_EQ(test::run_command("rm -rf " + dir + " && mkdir -p " + dir, &out), 0) << out;
  return dir;
}

std::string coco300() {
  return test::ref_path("checkpoints/det_ssd300_coco_s2.0_random.pth");
}
std::string voc512() {
  return test::ref_path("checkpoints/det_ssd512_voc_s1.0_random.pth");
}
std::string photo() {
  return test::ref_path("images/sample11.jpg");
}

TEST(CliDetect, Help) {
  std::string out;
  ASSERT_EQ(cli("detect --help", &out), 0) << out;
  EXPECT_NE(out.find("usage: espnet detect MODEL IMAGE_OR_DIR..."), std::string::npos) << out;
  for (const char* option : {"--threshold", "--iou", "--max", "--output", "--input-size", "--json",
                             "--threads", "--verbose"})
    EXPECT_NE(out.find(option), std::string::npos) << option;
}

TEST(CliDetect, JsonHasBoxesAndThePngIsWritten) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("detect_json");
  std::string out;
  ASSERT_EQ(cli("detect " + coco300() + " " + photo() + " -o " + dir + " --json --threads 1", &out),
            0)
      << out;
  Json json = Json::parse(out);
  ASSERT_EQ(json.size(), 1u);
  const Json& image = json[0];
  EXPECT_EQ(image["image"].str(), photo());
  EXPECT_EQ(image["width"].number(), 750);
  EXPECT_EQ(image["height"].number(), 400);
  EXPECT_EQ(image["input_size"].number(), 300);
  EXPECT_DOUBLE_EQ(image["score_threshold"].number(), 0.3);  // the demo's COCO default
  const Json& dets = image["detections"];
  ASSERT_GT(dets.size(), 0u) << out;
  const std::vector<std::string>& names = coco_class_names();
  for (const Json& d : dets.array()) {
    const int label = static_cast<int>(d["label"].number());
    ASSERT_GE(label, 1);  // never background
    ASSERT_LT(label, 81);
    EXPECT_EQ(d["name"].str(), names[label]);
    EXPECT_GT(d["score"].number(), 0.3);
    EXPECT_LE(d["score"].number(), 1.0);
    EXPECT_LT(d["x1"].number(), d["x2"].number());
    EXPECT_LT(d["y1"].number(), d["y2"].number());
    // Pixels of the photo, not relative coordinates: centres lie inside it.
    const double cx = (d["x1"].number() + d["x2"].number()) / 2;
    const double cy = (d["y1"].number() + d["y2"].number()) / 2;
    EXPECT_GE(cx, 0);
    EXPECT_LE(cx, 750);
    EXPECT_GE(cy, 0);
    EXPECT_LE(cy, 400);
  }
  EXPECT_GE(image["inference_ms"].number(), 0);

  // The PNG: the photo's size, and the box outlines in their class colours. A box's bottom-right
  // corner is a box pixel unless a label or a later box covers it, so most corners inside the
  // photo must have their class colour.
  const std::string png = image["detections_png"].str();
  EXPECT_EQ(png, dir + "/sample11_detections.png");
  Image drawn = decode_image(png);
  ASSERT_EQ(drawn.width, 750);
  ASSERT_EQ(drawn.height, 400);
  int corners = 0, coloured = 0;
  for (const Json& d : dets.array()) {
    const int x = static_cast<int>(std::trunc(d["x2"].number()));
    const int y = static_cast<int>(std::trunc(d["y2"].number()));
    if (x < 0 || x >= 750 || y < 0 || y >= 400) continue;
    ++corners;
    const Rgb c = detection_colour(static_cast<int>(d["label"].number()));
    const uint8_t* p = &drawn.pixels[(static_cast<size_t>(y) * 750 + x) * 3];
    coloured += p[0] == c.r && p[1] == c.g && p[2] == c.b;
  }
  ASSERT_GT(corners, 0);
  EXPECT_GE(coloured * 2, corners) << coloured << " of " << corners;
  Image original = decode_image(photo());
  EXPECT_NE(drawn.pixels, original.pixels);
}

TEST(CliDetect, TableThresholdAndMax) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("detect_table");
  std::string out;
  ASSERT_EQ(cli("detect " + coco300() + " " + photo() + " -o " + dir, &out), 0) << out;
  const std::string table = out;
  EXPECT_NE(out.find("(750x400, SSD300)"), std::string::npos) << out;
  EXPECT_NE(out.find("class"), std::string::npos) << out;
  EXPECT_NE(out.find("wrote " + dir + "/sample11_detections.png"), std::string::npos) << out;
  EXPECT_EQ(out.find("background"), std::string::npos) << out;
  // Nothing scores above 1; --max caps the list.
  ASSERT_EQ(
      cli("detect " + coco300() + " " + photo() + " -o " + dir + " --json --threshold 1", &out), 0)
      << out;
  EXPECT_EQ(Json::parse(out)[0]["detections"].size(), 0u);
  ASSERT_EQ(cli("detect " + coco300() + " " + photo() + " -o " + dir + " --json --max 2", &out), 0)
      << out;
  EXPECT_EQ(Json::parse(out)[0]["detections"].size(), 2u);
  // A lower threshold and a looser IoU keep more than the defaults (the table run above).
  const size_t at = table.find(" object");
  ASSERT_NE(at, std::string::npos) << table;
  const size_t base = std::stoul(table.substr(table.rfind(' ', at - 1) + 1));
  ASSERT_EQ(
      cli("detect " + coco300() + " " + photo() + " -o " + dir + " --json --threshold 0.2", &out),
      0);
  EXPECT_GT(Json::parse(out)[0]["detections"].size(), base);
  ASSERT_EQ(cli("detect " + coco300() + " " + photo() + " -o " + dir + " --json --iou 0.9", &out),
            0);
  EXPECT_GT(Json::parse(out)[0]["detections"].size(), base);
}

TEST(CliDetect, VocModelUsesVocNamesAndTheDemoThreshold) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("detect_voc");
  std::string out;
  ASSERT_EQ(cli("detect " + voc512() + " " + photo() + " -o " + dir + " --json", &out), 0) << out;
  const Json json = Json::parse(out);
  const Json& image = json[0];
  EXPECT_EQ(image["input_size"].number(), 512);
  EXPECT_DOUBLE_EQ(image["score_threshold"].number(), 0.4);
  for (const Json& d : image["detections"].array()) {
    const int label = static_cast<int>(d["label"].number());
    ASSERT_GE(label, 1);
    ASSERT_LT(label, 21);
    EXPECT_EQ(d["name"].str(), voc_class_names()[label]);
    EXPECT_GT(d["score"].number(), 0.4);
  }
}

TEST(CliDetect, FolderShowsProgressAndWritesOnePngPerImage) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string in = fresh_dir("detect_folder_in"), dir = fresh_dir("detect_folder_out");
  std::string out;
  ASSERT_EQ(test::run_command(
                "cp " + photo() + " " + in + "/a.jpg && cp " + photo() + " " + in + "/b.jpg", &out),
            0);
  ASSERT_EQ(cli("detect " + coco300() + " " + in + " -o " + dir, &out), 0) << out;
  EXPECT_NE(out.find("[1/2] " + in + "/a.jpg"), std::string::npos) << out;
  EXPECT_NE(out.find("[2/2] " + in + "/b.jpg"), std::string::npos) << out;
  EXPECT_EQ(decode_image(dir + "/a_detections.png").width, 750);
  EXPECT_EQ(decode_image(dir + "/b_detections.png").height, 400);
}

TEST(CliDetect, UsageErrors) {
  std::string out;
  // Usage errors come before the model is read, so these need no reference data.
  EXPECT_EQ(cli("detect model.pth photo.jpg --threshold 2", &out), 2);
  EXPECT_NE(out.find("--threshold"), std::string::npos) << out;
  EXPECT_EQ(cli("detect model.pth photo.jpg --threshold -0.1", &out), 2);
  EXPECT_EQ(cli("detect model.pth photo.jpg --threshold abc", &out), 2);
  EXPECT_EQ(cli("detect model.pth photo.jpg --iou 1.5", &out), 2);
  EXPECT_EQ(cli("detect model.pth photo.jpg --max -1", &out), 2);
  EXPECT_EQ(cli("detect model.pth photo.jpg --input-size 416", &out), 2);
  EXPECT_NE(out.find("300 or 512"), std::string::npos) << out;
  EXPECT_EQ(cli("detect model.pth", &out), 2);
  EXPECT_NE(out.find("expected MODEL"), std::string::npos) << out;
  EXPECT_EQ(cli("detect model.pth photo.jpg --no-such-option", &out), 2);
}

TEST(CliDetect, ClearErrors) {
  ESPNET_REQUIRE_REF_DATA();
  std::string out;
  const std::string dir = fresh_dir("detect_errors");
  // Not a detection model.
  EXPECT_EQ(cli("detect " + test::ref_path("checkpoints/cls_s0.5_random_legacy.pth") + " " +
                    photo() + " -o " + dir,
                &out),
            1);
  EXPECT_NE(out.find("is a classification model; detect needs a detection (SSD) model"),
            std::string::npos)
      << out;
  // An output directory that cannot be created, missing image, not an image.
  EXPECT_EQ(cli("detect " + coco300() + " " + photo() + " -o " + photo() + "/sub", &out), 1);
  EXPECT_NE(out.find("cannot create output directory"), std::string::npos) << out;
  EXPECT_EQ(cli("detect " + coco300() + " /nonexistent/photo.jpg -o " + dir, &out), 1);
  EXPECT_NE(out.find("/nonexistent/photo.jpg"), std::string::npos) << out;
  // Never writes over an input: the output name is a link to the photo.
  ASSERT_EQ(
      test::run_command(
          "cp " + photo() + " " + dir + "/p.jpg && ln -s p.jpg " + dir + "/p_detections.png", &out),
      0);
  EXPECT_EQ(cli("detect " + coco300() + " " + dir + "/p.jpg -o " + dir, &out), 1);
  EXPECT_NE(out.find("refusing to overwrite"), std::string::npos) << out;
}

TEST(CliInputSize, NeededWhenTheFileNameDoesNotSay) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("input_size");
  std::string out;
  const std::string unnamed = dir + "/detector.pth";
  ASSERT_EQ(test::run_command("cp " + coco300() + " " + unnamed, &out), 0);
  // Without the size: a clear error naming the option, from every subcommand that loads.
  for (const std::string& command :
       {"info " + unnamed, "convert " + unnamed + " " + dir + "/d.espnet",
        "bench " + unnamed + " --runs 1 --warmup 0",
        "detect " + unnamed + " " + photo() + " -o " + dir,
        "run " + unnamed + " " + test::ref_path("cases/det_ssd300_coco_s2.0/input.npy") + " " +
            dir}) {
    EXPECT_EQ(cli(command, &out), 1) << command << ": " << out;
    EXPECT_NE(out.find("cannot tell whether this SSD checkpoint is SSD300 or SSD512"),
              std::string::npos)
        << command << ": " << out;
    EXPECT_NE(out.find("--input-size 300|512"), std::string::npos) << out;
  }
  // With it: info, run and bench work; convert records it in the model file.
  ASSERT_EQ(cli("info " + unnamed + " --input-size 300 --json", &out), 0) << out;
  EXPECT_EQ(Json::parse(out)["input"]["width"].number(), 300);
  ASSERT_EQ(cli("run " + unnamed + " " + test::ref_path("cases/det_ssd300_coco_s2.0/input.npy") +
                    " " + dir + " --input-size 300",
                &out),
            0)
      << out;
  EXPECT_NE(out.find("confidences.npy [1, 11640, 81]"), std::string::npos) << out;
  ASSERT_EQ(cli("bench " + unnamed + " --input-size 512 --runs 1 --warmup 0 --json", &out), 0)
      << out;
  EXPECT_EQ(Json::parse(out)["input"][2].number(), 512);
  ASSERT_EQ(cli("convert " + unnamed + " " + dir + "/d.espnet --input-size 512", &out), 0) << out;
  ASSERT_EQ(cli("info " + dir + "/d.espnet", &out), 0) << out;
  EXPECT_NE(out.find("input size: 512 x 512"), std::string::npos) << out;
  ASSERT_EQ(cli("detect " + dir + "/d.espnet " + photo() + " -o " + dir + " --json", &out), 0)
      << out;
  EXPECT_EQ(Json::parse(out)[0]["input_size"].number(), 512);
  // A size for a model that has none is an error; a bad size is a usage error.
  EXPECT_EQ(
      cli("info " + test::ref_path("checkpoints/cls_s0.5_random_legacy.pth") + " --input-size 300",
          &out),
      1);
  EXPECT_NE(out.find("an SSD input size was given for a classification model"), std::string::npos)
      << out;
  for (const char* command : {"info", "convert", "run", "bench"}) {
    EXPECT_EQ(cli(std::string(command) + " a b c --input-size 1024", &out), 2) << command << out;
  }
}

}  // namespace
}  // namespace espnet
