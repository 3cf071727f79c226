// espnet eval end to end on small datasets built here in each layout (PASCAL VOC segmentation,
// Cityscapes, class folders and list files, VOC detection) from the shared photos, with ground
// truth made from our own predictions plus known perturbations; the expected scores are computed
// here from the predictions and the ground truth, not by the code under test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "file_util.h"
#include "image/class_names.h"
#include "image/labels.h"
#include "image/palette.h"
#include "image/png_write.h"
#include "support/json.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_command() + " " + arguments, output);
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/cli_eval_" + name;
  std::string out;
  EXPECT_EQ(test::run_command("rm -rf '" + dir + "' && mkdir -p '" + dir + "'", &out), 0) << out;
  return dir;
}

void mkdirs(const std::string& dir) {
  std::string out;
  ASSERT_EQ(test::run_command("mkdir -p '" + dir + "'", &out), 0) << out;
}

void copy(const std::string& from, const std::string& to) {
  std::string out;
  ASSERT_EQ(test::run_command("cp '" + from + "' '" + to + "'", &out), 0) << out;
}

void write_text(const std::string& path, const std::string& text) {
  write_file_atomic(path, text.data(), text.size());
}

// The JSON document at the end of the output (the CLI prints it last, on stdout).
test::Json last_json(const std::string& output) {
  const size_t at = output.rfind("\n{");
  return test::Json::parse(at == std::string::npos ? output : output.substr(at + 1));
}

// Per-class IoU from label pairs: classes 0..scored-1, ground truth >= scored ignored, predictions
// >= scored count for no class.
struct ExpectedIou {
  std::vector<std::optional<double>> iou;
  double mean = 0, pixel_accuracy = 0;
};
ExpectedIou expected_iou(const std::vector<std::vector<uint8_t>>& predictions,
                         const std::vector<std::vector<uint8_t>>& truths, int scored) {
  std::vector<double> inter(scored, 0), pred(scored, 0), gt(scored, 0);
  double correct = 0, total = 0;
  for (size_t i = 0; i < truths.size(); ++i)
    for (size_t k = 0; k < truths[i].size(); ++k) {
      const int t = truths[i][k], p = predictions[i][k];
      if (t >= scored) continue;
      total += 1;
      gt[t] += 1;
      if (p < scored) pred[p] += 1;
      if (p == t) inter[t] += 1, correct += 1;
    }
  ExpectedIou e;
  int n = 0;
  for (int c = 0; c < scored; ++c) {
    const double u = gt[c] + pred[c] - inter[c];
    e.iou.push_back(u > 0 ? std::optional<double>(inter[c] / u) : std::nullopt);
    if (u > 0) e.mean += inter[c] / u, ++n;
  }
  e.mean /= n;
  e.pixel_accuracy = correct / total;
  return e;
}

void expect_scores(const test::Json& j, const ExpectedIou& e) {
  EXPECT_NEAR(j["miou"].number(), e.mean, 1e-6);
  EXPECT_NEAR(j["pixel_accuracy"].number(), e.pixel_accuracy, 1e-6);
  ASSERT_EQ(j["iou"].size(), e.iou.size());
  for (size_t c = 0; c < e.iou.size(); ++c) {
    ASSERT_EQ(j["iou"][c].is_null(), !e.iou[c].has_value()) << "class " << c;
    if (e.iou[c]) {
      EXPECT_NEAR(j["iou"][c].number(), *e.iou[c], 1e-6) << "class " << c;
    }
  }
}

void fill_rect(std::vector<uint8_t>* labels, int w, int x0, int y0, int x1, int y1, uint8_t v) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) (*labels)[static_cast<size_t>(y) * w + x] = v;
}

TEST(CliEval, PascalVocSegmentationLayout) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("pascal"), voc = dir + "/VOCdevkit/VOC2012";
  mkdirs(voc + "/JPEGImages");
  mkdirs(voc + "/SegmentationClass");
  mkdirs(voc + "/ImageSets/Segmentation");
  const std::string model_path = test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  auto model = Model::load(model_path);
  Session session(model, SessionOptions{1});
  const std::vector<std::string> photos = {"sample11", "sample6", "sample8", "sample4"};
  std::vector<std::vector<uint8_t>> predictions, truths;
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::string jpeg = test::ref_path("images/" + photos[i] + ".jpg");
    copy(jpeg, voc + "/JPEGImages/" + photos[i] + ".jpg");
    const Image photo = decode_image(jpeg);
    // The size the model zoo measured at (384x384, from the file name), as eval's default.
    const SegmentationResult r = segment(session, photo, SegmentOptions{384, 384});
    std::vector<uint8_t> gt = r.labels;
    const int w = photo.width, h = photo.height;
    if (i == 0) fill_rect(&gt, w, 0, 0, w / 2, h / 2, 15);   // a person where we see other things
    if (i == 1) fill_rect(&gt, w, w / 4, 0, w, h / 3, 255);  // boundary: ignored
    if (i == 2) std::fill(gt.begin(), gt.end(), 12);         // all dog: mostly wrong
    write_png_palette(voc + "/SegmentationClass/" + photos[i] + ".png", gt.data(), w, h,
                      voc_palette(), 256);
    if (i < 3) predictions.push_back(r.labels), truths.push_back(gt);
  }
  // val.txt names three of the four images.
  write_text(voc + "/ImageSets/Segmentation/val.txt", "sample11\nsample6\nsample8\n");
  std::string out;
  ASSERT_EQ(cli("eval " + model_path + " " + dir + " --json --threads 1", &out), 0) << out;
  const test::Json j = last_json(out);
  EXPECT_EQ(j["task"].str(), "segmentation");
  EXPECT_EQ(j["layout"].str(), "pascal-voc");
  EXPECT_EQ(j["images"].number(), 3);
  EXPECT_EQ(j["network_width"].number(), 384);
  EXPECT_EQ(j["class_names"].size(), 21u);
  EXPECT_EQ(j["class_names"][15].str(), "person");
  const ExpectedIou e = expected_iou(predictions, truths, 21);
  expect_scores(j, e);
  EXPECT_LT(e.mean, 0.99);  // the perturbations do show

  // Without val.txt: every image with a label PNG (4); --limit 2 takes the first two sorted.
  std::remove((voc + "/ImageSets/Segmentation/val.txt").c_str());
  ASSERT_EQ(cli("eval " + model_path + " " + dir + " --json --threads 1 --limit 2", &out), 0)
      << out;
  const test::Json limited = last_json(out);
  EXPECT_EQ(limited["images"].number(), 2);
  // Sorted ids: sample11, sample4.
  const Image photo4 = decode_image(test::ref_path("images/sample4.jpg"));
  std::vector<std::vector<uint8_t>> p2 = {
      predictions[0], segment(session, photo4, SegmentOptions{384, 384}).labels};
  std::vector<std::vector<uint8_t>> t2 = {truths[0], p2[1]};
  expect_scores(limited, expected_iou(p2, t2, 21));
  // People get a table.
  ASSERT_EQ(cli("eval " + model_path + " " + dir + " --threads 1 --limit 1", &out), 0) << out;
  EXPECT_NE(out.find("PASCAL VOC segmentation layout"), std::string::npos) << out;
  EXPECT_NE(out.find("mIoU"), std::string::npos) << out;
}

TEST(CliEval, CityscapesLayout) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("city");
  mkdirs(dir + "/leftImg8bit/val/aachen");
  mkdirs(dir + "/gtFine/val/aachen");
  const std::string model_path = test::ref_path("checkpoints/espnetv2_s_0.5_city_1024x512.pth");
  auto model = Model::load(model_path);
  Session session(model, SessionOptions{1});
  // cityscapesScripts labels.py: the labelIds of trainIds 0..18.
  const int label_id_of[19] = {7,  8,  11, 12, 13, 17, 19, 20, 21, 22,
                               23, 24, 25, 26, 27, 28, 31, 32, 33};
  std::vector<std::vector<uint8_t>> predictions, truths;
  const std::vector<std::string> photos = {"sample4", "sample11"};
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::string stem =
        dir + "/leftImg8bit/val/aachen/aachen_00000" + std::to_string(i) + "_000019";
    const Image photo = decode_image(test::ref_path("images/" + photos[i] + ".jpg"));
    write_png(stem + "_leftImg8bit.png", photo);
    const SegmentationResult r = segment(session, photo, SegmentOptions{512, 256});
    const int w = photo.width, h = photo.height;
    // Ground truth as labelIds: our trainIds mapped back (background 19 -> 0 "unlabeled"), then a
    // block of "car" (26) and a block of "ego vehicle" (1, ignored).
    std::vector<uint8_t> ids(r.labels.size()), train(r.labels.size());
    for (size_t k = 0; k < ids.size(); ++k)
      ids[k] = r.labels[k] < 19 ? static_cast<uint8_t>(label_id_of[r.labels[k]]) : 0;
    fill_rect(&ids, w, 0, h / 2, w / 3, h, 26);
    fill_rect(&ids, w, w / 2, 0, w, h / 4, 1);
    for (size_t k = 0; k < ids.size(); ++k) {
      train[k] = 255;
      for (int t = 0; t < 19; ++t)
        if (label_id_of[t] == ids[k]) train[k] = static_cast<uint8_t>(t);
    }
    const std::string gt =
        dir + "/gtFine/val/aachen/aachen_00000" + std::to_string(i) + "_000019_gtFine_labelIds.png";
    write_png_gray(gt, ids.data(), w, h);
    predictions.push_back(r.labels);
    truths.push_back(train);
  }
  std::string out;
  ASSERT_EQ(cli("eval " + model_path + " " + dir + " --size 512x256 --json --threads 1", &out), 0)
      << out;
  const test::Json j = last_json(out);
  EXPECT_EQ(j["layout"].str(), "cityscapes");
  EXPECT_EQ(j["images"].number(), 2);
  EXPECT_EQ(j["iou"].size(), 19u);  // 19 trainIds; the background output is not scored
  EXPECT_EQ(j["class_names"][13].str(), "car");
  expect_scores(j, expected_iou(predictions, truths, 19));
  // A Cityscapes model on a PASCAL folder (and the reverse) is refused with the reason.
  EXPECT_EQ(
      cli("eval " + test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth") + " " + dir,
          &out),
      1);
  EXPECT_NE(out.find("is a PASCAL VOC model, but Cityscapes layout"), std::string::npos) << out;
}

TEST(CliEval, ClassificationListFileAndClassFolders) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("classification");
  const std::string model_path = test::ref_path("checkpoints/cls_s0.5_random_legacy.pth");
  auto model = Model::load(model_path);
  Session session(model, SessionOptions{1});
  const std::vector<std::string> photos = {"sample11", "sample4", "sample6", "sample8"};
  // Labels: 1st ranked (top-1), 5th (top-5 only), 6th (neither), 2nd (top-5 only).
  const int rank_of_label[4] = {0, 4, 5, 1};
  std::string list;
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::string jpeg = test::ref_path("images/" + photos[i] + ".jpg");
    const std::vector<ClassScore> ranked = classify(session, decode_image(jpeg), 10);
    ASSERT_GT(ranked[5].probability, 0.0f);
    ASSERT_LT(ranked[5].probability, ranked[4].probability);  // no tie at the top-5 border
    const int label = ranked[rank_of_label[i]].index;
    list += "images/" + photos[i] + ".jpg " + std::to_string(label) + "\n";
    mkdirs(dir + "/images");
    copy(jpeg, dir + "/images/" + photos[i] + ".jpg");
    mkdirs(dir + "/folders/" + std::to_string(label));
    copy(jpeg, dir + "/folders/" + std::to_string(label) + "/" + photos[i] + ".jpg");
    // ImageNet's layout: folders named by WordNet id, here 4 (at most) of the 1000 classes.
    const std::string wordnet_folder = dir + "/wordnet/" + imagenet_wordnet_ids().at(label);
    mkdirs(wordnet_folder);
    copy(jpeg, wordnet_folder + "/" + photos[i] + ".jpg");
  }
  write_text(dir + "/val.txt", list);
  std::string out;
  for (const std::string& dataset : {dir + "/val.txt", dir + "/folders", dir + "/wordnet"}) {
    ASSERT_EQ(cli("eval " + model_path + " " + dataset + " --json --threads 1", &out), 0) << out;
    const test::Json j = last_json(out);
    EXPECT_EQ(j["task"].str(), "classification");
    EXPECT_EQ(j["images"].number(), 4);
    EXPECT_NEAR(j["top1"].number(), 0.25, 1e-9) << dataset;
    EXPECT_NEAR(j["top5"].number(), 0.75, 1e-9) << dataset;
  }
}

// An independent VOC AP: greedy matching per image in score order (first best IoU, VOC +1
// pixels), then the precision envelope summed at each rank where recall grows.
struct Pred {
  int image;
  float score, x1, y1, x2, y2;
};
struct Obj {
  int image;
  float x1, y1, x2, y2;
  bool difficult;
};
double iou_plus_one(const Pred& p, const Obj& g) {
  const double iw = std::min<double>(p.x2, g.x2) + 1 - std::max<double>(p.x1, g.x1);
  const double ih = std::min<double>(p.y2, g.y2) + 1 - std::max<double>(p.y1, g.y1);
  const double inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const double a = (p.x2 - p.x1 + 1.0) * (p.y2 - p.y1 + 1.0);
  const double b = (g.x2 - g.x1 + 1.0) * (g.y2 - g.y1 + 1.0);
  return inter / (a + b - inter);
}
std::pair<double, double> expected_ap(std::vector<Pred> preds, const std::vector<Obj>& objs) {
  int positives = 0;
  for (const Obj& o : objs) positives += !o.difficult;
  // Per image in score order (stable), first maximum IoU.
  std::stable_sort(preds.begin(), preds.end(), [](const Pred& a, const Pred& b) {
    return a.image < b.image || (a.image == b.image && a.score > b.score);
  });
  std::vector<int> outcome(preds.size());  // 1 TP, 0 FP, -1 ignored
  std::vector<bool> taken(objs.size(), false);
  for (size_t i = 0; i < preds.size(); ++i) {
    int best = -1;
    double best_iou = 0;
    for (size_t g = 0; g < objs.size(); ++g) {
      if (objs[g].image != preds[i].image) continue;
      const double v = iou_plus_one(preds[i], objs[g]);
      if (best < 0 || v > best_iou) best = static_cast<int>(g), best_iou = v;
    }
    if (best < 0 || best_iou < 0.5) {
      outcome[i] = 0;
    } else if (objs[best].difficult) {
      outcome[i] = -1;
      taken[best] = true;
    } else {
      outcome[i] = taken[best] ? 0 : 1;
      taken[best] = true;
    }
  }
  std::vector<size_t> order(preds.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return preds[a].score > preds[b].score; });
  std::vector<double> precision, recall;
  int tp = 0, fp = 0;
  for (size_t i : order) {
    tp += outcome[i] == 1;
    fp += outcome[i] == 0;
    precision.push_back(tp + fp ? static_cast<double>(tp) / (tp + fp) : 0);
    recall.push_back(static_cast<double>(tp) / positives);
  }
  double all = 0, eleven = 0, previous_recall = 0;
  for (size_t k = 0; k < precision.size(); ++k) {
    if (recall[k] <= previous_recall) continue;
    double best = 0;
    for (size_t m = k; m < precision.size(); ++m) best = std::max(best, precision[m]);
    all += (recall[k] - previous_recall) * best;
    previous_recall = recall[k];
  }
  for (int t = 0; t <= 10; ++t) {
    double best = 0;
    for (size_t k = 0; k < precision.size(); ++k)
      if (recall[k] >= t * 0.1) best = std::max(best, precision[k]);
    eleven += best / 11;
  }
  return {all, eleven};
}

TEST(CliEval, VocDetectionLayoutWithDifficultAndMissedObjects) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("detection"), voc = dir + "/VOC2007";
  mkdirs(voc + "/JPEGImages");
  mkdirs(voc + "/Annotations");
  const std::string model_path = test::ref_path("checkpoints/det_ssd512_voc_s1.0_random.pth");
  auto model = Model::load(model_path);
  Session session(model, SessionOptions{1});
  const std::vector<std::string> names = class_names(*model);
  DetectOptions options;
  options.score_threshold = 0.01f;
  options.iou_threshold = 0.45f;
  options.top_k_per_class = 200;
  std::vector<std::vector<Pred>> preds(21);
  std::vector<std::vector<Obj>> objs(21);
  const std::vector<std::string> photos = {"sample11", "sample6", "sample8"};
  int used_class = -1;
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::string jpeg = test::ref_path("images/" + photos[i] + ".jpg");
    copy(jpeg, voc + "/JPEGImages/" + photos[i] + ".jpg");
    const std::vector<Detection> found = detect(session, decode_image(jpeg), options);
    ASSERT_FALSE(found.empty());
    if (used_class < 0) used_class = found[0].label;
    for (const Detection& d : found)
      preds[d.label].push_back({static_cast<int>(i), d.score, d.x1, d.y1, d.x2, d.y2});
    // Objects: the first two detections of `used_class` here (VOC 1-based integers, so the
    // rounding matters), the second marked difficult; one object nobody found; one "person".
    std::string xml = "<annotation>";
    auto object = [&](int label, float x1, float y1, float x2, float y2, bool difficult) {
      const int ix1 = static_cast<int>(std::lround(x1)) + 1,
                iy1 = static_cast<int>(std::lround(y1)) + 1;
      const int ix2 = static_cast<int>(std::lround(x2)) + 1,
                iy2 = static_cast<int>(std::lround(y2)) + 1;
      xml += "<object><name>" + names[label] + "</name><difficult>" + (difficult ? "1" : "0") +
             "</difficult><bndbox><xmin>" + std::to_string(ix1) + "</xmin><ymin>" +
             std::to_string(iy1) + "</ymin><xmax>" + std::to_string(ix2) + "</xmax><ymax>" +
             std::to_string(iy2) + "</ymax></bndbox></object>\n";
      objs[label].push_back(
          {static_cast<int>(i), ix1 - 1.0f, iy1 - 1.0f, ix2 - 1.0f, iy2 - 1.0f, difficult});
    };
    int taken = 0;
    for (const Detection& d : found)
      if (d.label == used_class && taken < 2) object(d.label, d.x1, d.y1, d.x2, d.y2, taken++ == 1);
    object(used_class, 1, 1, 11, 11, false);  // missed (unless a box happens to be there)
    object(15, 20, 20, 60, 90, false);        // a person
    write_text(voc + "/Annotations/" + photos[i] + ".xml", xml + "</annotation>");
  }
  std::string out;
  ASSERT_EQ(cli("eval " + model_path + " " + dir + " --json --threads 1", &out), 0) << out;
  const test::Json j = last_json(out);
  EXPECT_EQ(j["task"].str(), "detection");
  EXPECT_EQ(j["layout"].str(), "voc-detection");
  EXPECT_EQ(j["images"].number(), 3);
  ASSERT_EQ(j["ap"].size(), 21u);
  double sum = 0, sum07 = 0;
  int counted = 0;
  for (int c = 0; c < 21; ++c) {
    int positives = 0;
    for (const Obj& o : objs[c]) positives += !o.difficult;
    if (positives == 0) {
      EXPECT_TRUE(j["ap"][c].is_null()) << "class " << c;
      continue;
    }
    const std::pair<double, double> e = expected_ap(preds[c], objs[c]);
    ASSERT_FALSE(j["ap"][c].is_null()) << "class " << c;
    EXPECT_NEAR(j["ap"][c].number(), e.first, 1e-6) << "class " << c;
    EXPECT_NEAR(j["ap_voc07"][c].number(), e.second, 1e-6) << "class " << c;
    sum += e.first, sum07 += e.second, ++counted;
  }
  EXPECT_GE(counted, 1);
  EXPECT_NEAR(j["map"].number(), sum / counted, 1e-6);
  EXPECT_NEAR(j["map_voc07"].number(), sum07 / counted, 1e-6);
  EXPECT_GT(j["ap"][used_class].number(), 0.0);
}

// Reads a whole text file.
std::string read_text(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t at; (at = text.find('\n', start)) != std::string::npos; start = at + 1)
    lines.push_back(text.substr(start, at - start));
  return lines;
}

// The JSON scores line (the last line of stdout).
std::string scores_line(const std::string& output) {
  const size_t at = output.rfind("\n{");
  std::string line = at == std::string::npos ? output : output.substr(at + 1);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

TEST(CliEval, ShardsMergeIntoOneRunAndKilledRunsResume) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("shards"), voc = dir + "/data/VOC2012";
  mkdirs(voc + "/JPEGImages");
  mkdirs(voc + "/SegmentationClass");
  const std::string model_path = test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  auto model = Model::load(model_path);
  Session session(model, SessionOptions{1});
  // Five photos: the four shared ones and a second copy of one.
  const std::vector<std::string> photos = {"sample11", "sample4", "sample6", "sample8", "zcopy"};
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::string jpeg = test::ref_path("images/" + (i < 4 ? photos[i] : photos[1]) + ".jpg");
    copy(jpeg, voc + "/JPEGImages/" + photos[i] + ".jpg");
    const Image photo = decode_image(jpeg);
    std::vector<uint8_t> gt = segment(session, photo, SegmentOptions{256, 256}).labels;
    fill_rect(&gt, photo.width, 0, 0, photo.width / (i + 2), photo.height / 3,
              static_cast<uint8_t>(3 * i + 1));
    write_png_palette(voc + "/SegmentationClass/" + photos[i] + ".png", gt.data(), photo.width,
                      photo.height, voc_palette(), 256);
  }
  const std::string common =
      "eval " + model_path + " " + dir + "/data --json --threads 1 --size 256x256";
  std::string out;
  ASSERT_EQ(cli(common + " --jsonl " + dir + "/all.jsonl", &out), 0) << out;
  const std::string one_run = scores_line(out);
  ASSERT_NE(one_run.find("\"images\": 5"), std::string::npos) << one_run;
  const std::vector<std::string> all_records = lines_of(read_text(dir + "/all.jsonl"));
  ASSERT_EQ(all_records.size(), 5u);

  // Three shards (in a new folder, as on another machine) partition the sorted list; their
  // records, merged in any order, give exactly the scores of one run.
  std::vector<std::string> seen;
  for (int k = 0; k < 3; ++k) {
    const std::string records = dir + "/shards/" + std::to_string(k) + ".jsonl";
    ASSERT_EQ(cli(common + " --shard " + std::to_string(k) + "/3 --jsonl " + records, &out), 0)
        << out;
    EXPECT_NE(out.find("\"images\": " + std::to_string(k == 0 ? 1 : 2)), std::string::npos) << out;
    for (const std::string& line : lines_of(read_text(records)))
      seen.push_back(test::Json::parse(line)["id"].str());
  }
  std::vector<std::string> expected_ids;
  for (const std::string& p : photos) expected_ids.push_back("JPEGImages/" + p + ".jpg");
  std::sort(expected_ids.begin(), expected_ids.end());
  EXPECT_EQ(seen, expected_ids);  // disjoint, complete, in list order
  ASSERT_EQ(cli(common + " --merge " + dir + "/shards/2.jsonl " + dir + "/shards/0.jsonl " + dir +
                    "/shards/1.jsonl",
                &out),
            0)
      << out;
  EXPECT_EQ(scores_line(out), one_run);

  // A missing shard is an error that names what is missing.
  EXPECT_EQ(cli(common + " --merge " + dir + "/shards/0.jsonl " + dir + "/shards/2.jsonl", &out),
            1);
  EXPECT_NE(out.find("2 of 5 images"), std::string::npos) << out;
  EXPECT_NE(out.find("--resume"), std::string::npos) << out;
  // Records of another network size are not mixed in.
  EXPECT_EQ(cli("eval " + model_path + " " + dir +
                    "/data --json --threads 1 --size 320x320 --merge " + dir + "/all.jsonl",
                &out),
            1);
  EXPECT_NE(out.find("network size 256x256"), std::string::npos) << out;

  // A run killed after two records and half of the third resumes to the same scores, with one
  // record per image.
  const std::string killed = dir + "/killed.jsonl";
  write_text(killed, all_records[0] + "\n" + all_records[1] + "\n" +
                         all_records[2].substr(0, all_records[2].size() / 2));
  ASSERT_EQ(cli(common + " --resume --jsonl " + killed, &out), 0) << out;
  EXPECT_EQ(scores_line(out), one_run);
  std::vector<std::string> resumed_ids;
  for (const std::string& line : lines_of(read_text(killed)))
    resumed_ids.push_back(test::Json::parse(line)["id"].str());
  EXPECT_EQ(resumed_ids, expected_ids);
  // Resuming a finished run runs nothing and prints the same scores.
  ASSERT_EQ(cli(common + " --resume --jsonl " + killed, &out), 0) << out;
  EXPECT_EQ(scores_line(out), one_run);
  EXPECT_EQ(lines_of(read_text(killed)).size(), 5u);

  // Usage mistakes.
  EXPECT_EQ(cli(common + " --resume", &out), 2);
  EXPECT_NE(out.find("--resume needs --jsonl"), std::string::npos) << out;
  EXPECT_EQ(cli(common + " --merge", &out), 2);
  EXPECT_EQ(cli(common + " --merge " + killed + " --shard 0/2", &out), 2);
}

// Detection AP depends on the order in which equal scores were added; merged records rank them as
// one run over the sorted list does, whatever order the files come in.
TEST(CliEval, MergedDetectionRecordsRankTiesInListOrder) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("ties"), voc = dir + "/VOC2007";
  mkdirs(voc + "/JPEGImages");
  mkdirs(voc + "/Annotations");
  const std::string model_path = test::ref_path("checkpoints/det_ssd512_voc_s1.0_random.pth");
  for (const char* name : {"a", "b"}) {
    copy(test::ref_path("images/sample11.jpg"), voc + "/JPEGImages/" + name + ".jpg");
    write_text(voc + "/Annotations/" + name + ".xml", "<annotation></annotation>");
  }
  // Image a: a false positive of class 1 at 0.5; image b: a true positive at 0.5, its only box.
  const std::string model = "\"model\": \"det_ssd512_voc_s1.0_random.pth\"";
  write_text(dir + "/a.jsonl", "{\"id\": \"JPEGImages/a.jpg\", " + model +
                                   ", \"positives\": [], \"matches\": [[1, 0.5, 0]]}\n");
  write_text(dir + "/b.jsonl", "{\"id\": \"JPEGImages/b.jpg\", " + model +
                                   ", \"positives\": [[1, 1]], \"matches\": [[1, 0.5, 1]]}\n");
  // List order a, b: ranks FP then TP, precision 0 then 1/2 at recall 1: AP 0.5 (b first: 1.0).
  std::string out;
  for (const std::string& files :
       {"/a.jsonl " + dir + "/b.jsonl", "/b.jsonl " + dir + "/a.jsonl"}) {
    ASSERT_EQ(cli("eval " + model_path + " " + dir + " --json --merge " + dir + files, &out), 0)
        << out;
    const test::Json j = last_json(out);
    EXPECT_NEAR(j["ap"][1].number(), 0.5, 1e-12) << files;
    EXPECT_NEAR(j["map"].number(), 0.5, 1e-12) << files;
  }
  // A damaged record is an error naming the file and line.
  write_text(dir + "/bad.jsonl", "{\"id\": \"JPEGImages/b.jpg\", " + model +
                                     ", \"positives\": [[1, 1]], \"matches\": [[99, 0.5, 1]]}\n");
  EXPECT_EQ(
      cli("eval " + model_path + " " + dir + " --merge " + dir + "/a.jsonl " + dir + "/bad.jsonl",
          &out),
      1);
  EXPECT_NE(out.find("bad.jsonl:1:"), std::string::npos) << out;
}

TEST(CliEval, ClearErrors) {
  ESPNET_REQUIRE_REF_DATA();
  std::string out;
  const std::string dir = fresh_dir("errors");
  EXPECT_EQ(
      cli("eval " + test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth") + " " + dir,
          &out),
      1);
  EXPECT_NE(out.find("neither a PASCAL VOC segmentation layout"), std::string::npos) << out;
  EXPECT_EQ(cli("eval model.pth", &out), 2);
  EXPECT_NE(out.find("expected MODEL and DATASET"), std::string::npos) << out;
  EXPECT_EQ(cli("eval --help", &out), 0);
  EXPECT_NE(out.find("left out of the mean"), std::string::npos) << out;
}

}  // namespace
}  // namespace espnet
