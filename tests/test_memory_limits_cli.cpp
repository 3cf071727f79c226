// Memory as users see it: big photos under segment()'s default cap (and the demo's exact size
// refused cleanly by the memory limit), images over the decoder's size limit named as such,
// and the memory keys of `espnet bench --json` and `espnet info --json`.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "asan_regions.h"
#include "espnet/error.h"
#include "espnet/image.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "image/labels.h"
#include "support/json.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace espnet {
namespace {

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_command() + " " + arguments, output);
}

// This process's peak resident set (VmHWM), in bytes. ctest runs every test in a process of
// its own, so it is this test's peak.
size_t peak_resident_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return size_t(std::stoull(line.substr(6))) * 1024;
  return 0;
}

// A smooth 8-bit photo-like picture (gradients and a bright disc).
Image synthetic_photo(int width, int height) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = 3;
  image.pixels.resize(size_t(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int dx = x - width / 2, dy = y - height / 3;
      const bool disc = int64_t(dx) * dx + int64_t(dy) * dy < int64_t(height / 5) * (height / 5);
      uint8_t* p = &image.pixels[(size_t(y) * width + x) * 3];
      p[0] = disc ? 230 : uint8_t(x * 255 / width);
      p[1] = disc ? 200 : uint8_t(y * 255 / height);
      p[2] = uint8_t((x + y) * 255 / (width + height));
    }
  return image;
}

// A 48-megapixel photo (8000x6000): the network runs with its longer side capped at 2048, the
// label map comes back at the photo's full size, and the whole test stays well under 1.5 GB.
TEST(BigPhoto, SegmentCapsTheNetworkSizeAndKeepsThePhotoSize) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = test::load_reference_model("checkpoints/espnetv2_s_2.0_pascal_384x384.pth");
  Session session(model);
  const Image photo = synthetic_photo(8000, 6000);
  const SegmentationResult result = segment(session, photo);
  EXPECT_EQ(result.network_width, 2048);
  EXPECT_EQ(result.network_height, 1536);
  ASSERT_EQ(result.labels.size(), size_t(8000) * 6000);
  EXPECT_EQ(result.labels,
            resize_labels_nearest(result.network_labels.data(), 2048, 1536, 8000, 6000));
  EXPECT_FALSE(result.classes.empty());
  EXPECT_LT(session.activation_bytes(), size_t{600} << 20);
  // ASan's shadow memory and quarantine are not the program's: checked in normal builds only.
  std::printf("peak resident: %.1f MB\n", peak_resident_bytes() / 1048576.0);
  if (!detail::kAddressSanitizer) {
    EXPECT_LT(peak_resident_bytes(), size_t{1500} << 20);
  }
}

TEST(BigPhoto, TheDemosExactSizeFailsCleanlyWhenItCannotFit) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = test::load_reference_model("checkpoints/espnetv2_s_2.0_pascal_384x384.pth");
  SessionOptions options;
  options.memory_limit_bytes = size_t{1} << 30;
  Session session(model, options);
  const Image photo = synthetic_photo(8000, 6000);
  SegmentOptions exact;
  exact.max_side = 0;
  try {
    segment(session, photo, exact);
    FAIL() << "the demo's 8000x5984 network input ran within a 1 GB limit";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("[1, 3, 5984, 8000]"), std::string::npos) << message;
    EXPECT_NE(message.find("1073741824 bytes"), std::string::npos) << message;
  }
  EXPECT_EQ(session.activation_bytes(), 0u);
  SegmentOptions bad;
  bad.max_side = 16;
  EXPECT_THROW(segment(session, photo, bad), Error);
}

TEST(BigPhoto, ImagesOverTheDecodersLimitAreNamedAsSuch) {
  // A PNG header (signature + IHDR) stating 30000x30000 RGB: stb_image gives up on the size.
  const uint8_t png[] = {0x89, 'P',  'N', 'G', '\r', '\n', 0x1A, '\n', 0,    0, 0,
                         13,   'I',  'H', 'D', 'R',  0,    0,    0x75, 0x30, 0, 0,
                         0x75, 0x30, 8,   2,   0,    0,    0,    0,    0,    0, 0};
  try {
    decode_image_memory(png, sizeof png, "huge.png");
    FAIL() << "a 30000x30000 PNG was accepted";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("30000x30000"), std::string::npos) << message;
    EXPECT_NE(message.find("larger than the image decoder (stb_image) can read"), std::string::npos)
        << message;
  }
}

TEST(CliMemory, BenchReportsFirstRunPeakAndArena) {
  std::string out;
  ASSERT_EQ(cli("bench random:imagenet:0.5 --runs 2 --warmup 0 --threads 1 --json", &out), 0)
      << out;
  const test::Json json = test::Json::parse(out.substr(0, out.find('\n')));
  EXPECT_GT(json["first_run_ms"].number(), 0);
  EXPECT_GT(json["arena_mb"].number(), 0);
  EXPECT_GT(json["live_mb"].number(), 0);
  EXPECT_LE(json["live_mb"].number(), json["arena_mb"].number());
  // This process's own peak: a classifier at 224x224 is tens of MB, not the launcher's size.
  EXPECT_GT(json["peak_memory_mb"].number(), 1);
  EXPECT_LT(json["peak_memory_mb"].number(), 400);
}

TEST(CliMemory, InfoStatesTheMemoryOfARunAtASize) {
  std::string small, large;
  ASSERT_EQ(cli("info random:pascal:0.5 --size 256x128 --json", &small), 0) << small;
  ASSERT_EQ(cli("info random:pascal:0.5 --size 1024x512 --json", &large), 0) << large;
  const double small_bytes = test::Json::parse(small)["memory_bytes"].number();
  const double large_bytes = test::Json::parse(large)["memory_bytes"].number();
  EXPECT_GT(small_bytes, 0);
  EXPECT_GT(large_bytes, 8 * small_bytes);  // 16x the pixels
  std::string text;
  ASSERT_EQ(cli("info random:pascal:0.5 --size 1024x512", &text), 0) << text;
  EXPECT_NE(text.find("MB of activations at 1024x512"), std::string::npos) << text;
  // Segmentation models also state what runs that end with the labels hold: less for the
  // original family, whose full-size logits set its peak; a classifier has no such runs.
  std::string orig, cls;
  ASSERT_EQ(cli("info random:orig-city:1.0 --size 1024x512 --json", &orig), 0) << orig;
  const test::Json orig_json = test::Json::parse(orig);
  EXPECT_LT(orig_json["labels_memory_bytes"].number(), orig_json["memory_bytes"].number());
  EXPECT_GT(orig_json["labels_memory_bytes"].number(), 0);
  ASSERT_EQ(cli("info random:imagenet:0.5 --json", &cls), 0) << cls;
  EXPECT_TRUE(test::Json::parse(cls)["labels_memory_bytes"].is_null()) << cls;
}

TEST(CliMemory, BenchTimesLabelRunsOfSegmentationModels) {
  std::string out;
  ASSERT_EQ(cli("bench random:pascal:0.5 --size 128x96 --runs 2 --warmup 1 --labels --json", &out),
            0)
      << out;
  EXPECT_EQ(test::Json::parse(out.substr(0, out.find('\n')))["outputs"].str(), "labels");
  ASSERT_EQ(cli("bench random:pascal:0.5 --size 128x96 --runs 2 --warmup 1 --json", &out), 0)
      << out;
  EXPECT_EQ(test::Json::parse(out.substr(0, out.find('\n')))["outputs"].str(), "network");
  EXPECT_NE(cli("bench random:imagenet:0.5 --runs 1 --labels", &out), 0);
  EXPECT_NE(out.find("labels are the output of a segmentation model"), std::string::npos) << out;
}

TEST(CliMemory, SegmentMaxSideIsChecked) {
  std::string out;
  EXPECT_EQ(cli("segment random:pascal:0.5 x.jpg --max-side 8", &out), 2) << out;
  EXPECT_NE(out.find("--max-side"), std::string::npos) << out;
}

}  // namespace
}  // namespace espnet
