// Folder runs of segment / classify / detect (issue 11 items 2-3): a run killed for real
// (SIGKILL after a few outputs) and resumed with --resume leaves exactly what an uninterrupted run
// leaves (same files, same bytes, same JSONL records, no temporaries); the N shards of --shard
// partition the sorted list and together equal one run; -o DIR is created; a bad photo is
// reported and the others are processed.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "espnet/image.h"
#include "file_util.h"
#include "support/json.h"
#include "support/ref_data.h"

extern char** environ;

namespace espnet {
namespace {

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_path() + " " + arguments, output);
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/cli_folder_" + name;
  std::string out;
  EXPECT_EQ(test::run_command("rm -rf '" + dir + "' && mkdir -p '" + dir + "'", &out), 0) << out;
  return dir;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<uint8_t> bytes_of(const std::string& path) {
  return read_file_bytes(path);
}

// Records of a JSONL file with the run-specific parts taken out (times, the output folder).
std::vector<std::string> records(const std::string& path, const std::string& out_dir) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    const size_t times = line.find(", \"times_ms\"");
    if (times != std::string::npos) line.resize(times);
    for (size_t at; (at = line.find(out_dir)) != std::string::npos;)
      line.replace(at, out_dir.size(), "OUT");
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// A folder of `count` photos of various sizes cut from the shared photos, as PNG and JPEG.
std::string make_photo_folder(const std::string& name, int count) {
  const std::string dir = fresh_dir(name);
  const std::vector<std::string> sources = {"sample11", "sample4", "sample6", "sample8"};
  std::vector<Image> photos;
  for (const std::string& s : sources)
    photos.push_back(decode_image(test::ref_path("images/" + s + ".jpg")));
  for (int i = 0; i < count; ++i) {
    const Image& src = photos[i % photos.size()];
    const int w = std::min(src.width, 96 + 37 * (i % 7)),
              h = std::min(src.height, 64 + 29 * (i % 5));
    Image crop;
    crop.width = w, crop.height = h, crop.channels = 3;
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = src.pixels.data() + (static_cast<size_t>(y) * src.width) * 3;
      crop.pixels.insert(crop.pixels.end(), row, row + w * 3);
    }
    char file[64];
    std::snprintf(file, sizeof file, "/photo_%03d.png", i);
    write_png(dir + file, crop);
  }
  return dir;
}

// Starts the CLI (output to /dev/null) and returns its pid.
pid_t spawn_cli(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv_strings = {test::cli_path()};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

size_t count_suffix(const std::string& dir, const std::string& suffix) {
  size_t n = 0;
  for (const std::string& name : list_dir(dir))
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      ++n;
  return n;
}

const char* kModel = "checkpoints/espnetv2_s_0.5_pascal_384x384.pth";

TEST(CliFolderRuns, KilledAndResumedSegmentEqualsAnUninterruptedRun) {
  ESPNET_REQUIRE_REF_DATA();
  const int count = 40;
  const std::string photos = make_photo_folder("kill_photos", count);
  const std::string base = fresh_dir("kill_runs");
  const std::string model = test::ref_path(kModel);
  std::string out;
  // Uninterrupted; the output folder does not exist yet (created, parents too).
  ASSERT_EQ(cli("segment " + model + " " + photos + " -o " + base + "/a/out --jsonl " + base +
                    "/a.jsonl --threads 1",
                &out),
            0)
      << out;
  const std::vector<std::string> expected_files = list_dir(base + "/a/out");
  ASSERT_EQ(expected_files.size(), 2u * count);

  // Killed for real after a few outputs, then resumed.
  const std::string b = base + "/b";
  const pid_t pid = spawn_cli(
      {"segment", model, photos, "-o", b, "--jsonl", base + "/b.jsonl", "--threads", "1"});
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (count_suffix(b, "_overlay.png") < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it could be killed";
  const size_t finished_before = count_suffix(b, "_overlay.png");
  ASSERT_LT(finished_before, static_cast<size_t>(count)) << "killed too late to test --resume";
  // Every file under an output name is complete: it decodes.
  for (const std::string& name : list_dir(b))
    if (name.find(".tmp") == std::string::npos) {
      EXPECT_NO_THROW(decode_image(b + "/" + name)) << name;
    }

  ASSERT_EQ(cli("segment " + model + " " + photos + " -o " + b + " --jsonl " + base +
                    "/b.jsonl --resume --threads 1",
                &out),
            0)
      << out;
  EXPECT_NE(out.find("already done (--resume)"), std::string::npos) << out;
  EXPECT_EQ(list_dir(b), expected_files);  // no temporaries left, nothing missing
  for (const std::string& name : expected_files)
    EXPECT_EQ(bytes_of(b + "/" + name), bytes_of(base + "/a/out/" + name)) << name;
  const std::vector<std::string> a_records = records(base + "/a.jsonl", base + "/a/out");
  const std::vector<std::string> b_records = records(base + "/b.jsonl", b);
  ASSERT_EQ(a_records.size(), static_cast<size_t>(count));
  EXPECT_EQ(b_records, a_records);  // each photo once, same content

  // A second --resume has nothing left to do and changes nothing.
  ASSERT_EQ(cli("segment " + model + " " + photos + " -o " + b + " --jsonl " + base +
                    "/b.jsonl --resume --threads 1",
                &out),
            0)
      << out;
  EXPECT_NE(out.find("segment: 0 photos, " + std::to_string(count) + " already done"),
            std::string::npos)
      << out;
  EXPECT_EQ(records(base + "/b.jsonl", b), a_records);
}

TEST(CliFolderRuns, ShardsPartitionTheSortedListAndTogetherEqualOneRun) {
  ESPNET_REQUIRE_REF_DATA();
  const int count = 10;
  const std::string photos = make_photo_folder("shard_photos", count);
  const std::string base = fresh_dir("shard_runs");
  const std::string model = test::ref_path(kModel);
  std::string out;
  ASSERT_EQ(cli("segment " + model + " " + photos + " -o " + base + "/all --jsonl " + base +
                    "/all.jsonl --threads 1",
                &out),
            0)
      << out;
  std::set<std::string> seen;
  std::vector<std::string> union_records;
  const int shards = 3;
  for (int k = 0; k < shards; ++k) {
    const std::string dir = base + "/shard" + std::to_string(k);
    ASSERT_EQ(
        cli("segment " + model + " " + photos + " -o " + dir + " --shard " + std::to_string(k) +
                "/" + std::to_string(shards) + " --jsonl " + dir + ".jsonl --threads 1",
            &out),
        0)
        << out;
    const std::vector<std::string> files = list_dir(dir);
    EXPECT_GE(files.size(), 2u * (count / shards));
    for (const std::string& f : files) {
      EXPECT_TRUE(seen.insert(f).second) << f << " in two shards";
      EXPECT_EQ(bytes_of(dir + "/" + f), bytes_of(base + "/all/" + f)) << f;
    }
    for (const std::string& r : records(dir + ".jsonl", dir)) union_records.push_back(r);
  }
  const std::vector<std::string> all = list_dir(base + "/all");
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.end()), all);
  std::sort(union_records.begin(), union_records.end());
  EXPECT_EQ(union_records, records(base + "/all.jsonl", base + "/all"));
  // Contiguous slices of the sorted list: shard 0 of 3 holds photos 0..2.
  EXPECT_EQ(count_suffix(base + "/shard0", "_labels.png"), 3u);
  EXPECT_TRUE(path_exists(base + "/shard0/photo_000_labels.png"));
  EXPECT_TRUE(path_exists(base + "/shard2/photo_009_labels.png"));
  // More shards than photos: some are empty, which is not an error.
  ASSERT_EQ(cli("segment " + model + " " + photos + "/photo_001.png -o " + base +
                    "/tiny --shard 1/4 --threads 1",
                &out),
            0)
      << out;
  EXPECT_TRUE(list_dir(base + "/tiny").empty());
  for (const char* bad : {"3/3", "1", "-1/2", "a/b", "0/0"}) {
    EXPECT_EQ(cli("segment " + model + " " + photos + " --shard " + std::string(bad), &out), 2)
        << bad;
    EXPECT_NE(out.find("K/N"), std::string::npos) << out;
  }
}

TEST(CliFolderRuns, ClassifyAndDetectJsonlResumeAndBadPhotos) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string photos = make_photo_folder("mixed_photos", 5);
  const std::string base = fresh_dir("mixed_runs");
  {
    std::ofstream bad(photos + "/photo_002b.png");
    bad << "not a png";
  }
  const std::string classifier = test::ref_path("checkpoints/cls_s0.5_random_legacy.pth");
  std::string out;
  // A bad photo is reported by name; the other five are classified; exit status 1.
  EXPECT_EQ(cli("classify " + classifier + " " + photos + " --jsonl " + base + "/c.jsonl", &out),
            1);
  EXPECT_NE(out.find("photo_002b.png"), std::string::npos) << out;
  EXPECT_NE(out.find("1 of 6 photos failed"), std::string::npos) << out;
  std::vector<std::string> first = records(base + "/c.jsonl", base);
  EXPECT_EQ(first.size(), 5u);
  // A torn last record (a run killed inside a write) is cut off by --resume; the records as
  // outputs: only the bad photo is tried again.
  {
    std::ofstream torn(base + "/c.jsonl", std::ios::app);
    torn << "{\"file\": \"" << photos << "/photo_0";
  }
  EXPECT_EQ(
      cli("classify " + classifier + " " + photos + " --jsonl " + base + "/c.jsonl --resume", &out),
      1);
  EXPECT_NE(out.find("1 photo, 5 already done"), std::string::npos) << out;
  EXPECT_EQ(records(base + "/c.jsonl", base), first);
  EXPECT_EQ(cli("classify " + classifier + " " + photos + " --resume", &out), 2);
  EXPECT_NE(out.find("--resume needs --jsonl"), std::string::npos) << out;
  std::remove((photos + "/photo_002b.png").c_str());

  // Detection: --jsonl records the boxes; --resume skips photos whose drawing exists.
  const std::string detector = test::ref_path("checkpoints/det_ssd300_coco_s2.0_random.pth");
  ASSERT_EQ(cli("detect " + detector + " " + photos + " -o " + base + "/det/x --jsonl " + base +
                    "/d.jsonl",
                &out),
            0)
      << out;
  EXPECT_EQ(count_suffix(base + "/det/x", "_detections.png"), 5u);
  EXPECT_EQ(records(base + "/d.jsonl", base).size(), 5u);
  std::remove((base + "/det/x/photo_003_detections.png").c_str());
  ASSERT_EQ(cli("detect " + detector + " " + photos + " -o " + base + "/det/x --jsonl " + base +
                    "/d.jsonl --resume",
                &out),
            0)
      << out;
  EXPECT_NE(out.find("1 photo, 4 already done"), std::string::npos) << out;
  EXPECT_EQ(count_suffix(base + "/det/x", "_detections.png"), 5u);
  // The old record of the redone photo was dropped: one record per photo.
  EXPECT_EQ(records(base + "/d.jsonl", base).size(), 5u);
}

TEST(CliFolderRuns, JsonStaysValidWhenTheFirstPhotoFails) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string photos = make_photo_folder("json_photos", 2);
  {
    std::ofstream bad(photos + "/a_bad.png");  // sorts first
    bad << "not a png";
  }
  const std::string base = fresh_dir("json_runs");
  std::string out;
  // stdout (the JSON) to a file, stderr (the error) to `out`.
  EXPECT_EQ(
      test::run_command("(" + test::cli_path() + " segment " + test::ref_path(kModel) + " " +
                            photos + " -o " + base + " --json --threads 1 > " + base + "/out.json)",
                        &out),
      1);
  EXPECT_NE(out.find("a_bad.png"), std::string::npos) << out;
  const test::Json j = test::Json::parse_file(base + "/out.json");
  ASSERT_EQ(j.size(), 2u);
  EXPECT_NE(j[0]["image"].str().find("photo_000.png"), std::string::npos);
}

}  // namespace
}  // namespace espnet
