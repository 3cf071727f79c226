// Files the CLI writes (issue 6 item 7): it never overwrites an input (whatever the spelling of
// the path: symlink, hard link, "dir/../"), writes atomically (a temporary file renamed over the
// target, so a hard link to the old file keeps the old bytes and no temporary is left behind),
// and refuses a missing output directory (convert, run; segment and detect create it) with a
// clear message and exit status 1.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "espnet/npy.h"
#include "file_util.h"
#include "image/png_write.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_path() + " " + arguments, output);
}

// A fresh, empty directory under the test temp dir.
std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/cli_files_" + name;
  std::string out;
  EXPECT_EQ(test::run_command("rm -rf '" + dir + "' && mkdir -p '" + dir + "'", &out), 0) << out;
  return dir;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        names.push_back(e->d_name);
    closedir(d);
  }
  return names;
}

bool no_temporaries(const std::string& dir) {
  for (const std::string& name : list_dir(dir))
    if (name.find(".tmp") != std::string::npos) return false;
  return true;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}

TEST(CliFiles, ConvertNeverOverwritesItsInputUnderAnyName) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("convert_input");
  const std::string model = dir + "/model.pth";
  const std::vector<uint8_t> original =
      read_file_bytes(test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth"));
  write_bytes(model, original);
  ASSERT_EQ(::symlink(model.c_str(), (dir + "/symlink.pth").c_str()), 0);
  ASSERT_EQ(::link(model.c_str(), (dir + "/hardlink.pth").c_str()), 0);
  ASSERT_EQ(::mkdir((dir + "/sub").c_str(), 0755), 0);
  std::string out;
  for (const std::string& target : {model, dir + "/symlink.pth", dir + "/hardlink.pth",
                                    dir + "/sub/../model.pth", dir + "/./model.pth"}) {
    EXPECT_EQ(cli("convert " + model + " " + target, &out), 1) << target << ": " << out;
    EXPECT_NE(out.find("refusing to overwrite the input"), std::string::npos) << out;
  }
  EXPECT_EQ(read_file_bytes(model), original);
  EXPECT_TRUE(no_temporaries(dir));
}

TEST(CliFiles, ConvertReplacesAnExistingOutputAtomically) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("convert_atomic");
  const std::string output = dir + "/model.espnet", witness = dir + "/old_copy";
  const std::vector<uint8_t> old_bytes = {'o', 'l', 'd'};
  write_bytes(output, old_bytes);
  ASSERT_EQ(::link(output.c_str(), witness.c_str()), 0);
  struct stat before {};
  ASSERT_EQ(::stat(output.c_str(), &before), 0);
  std::string out;
  ASSERT_EQ(cli("convert " + test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth") + " " +
                    output,
                &out),
            0)
      << out;
  // A rename put a new file in place: the old inode (still reachable via the hard link) was
  // never written to, so a reader of the old file could never see a half-written one.
  struct stat after {};
  ASSERT_EQ(::stat(output.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(read_file_bytes(witness), old_bytes);
  EXPECT_GT(read_file_bytes(output).size(), 100000u);
  EXPECT_TRUE(no_temporaries(dir));
  EXPECT_EQ(list_dir(dir).size(), 2u);
}

TEST(CliFiles, MissingOutputDirectoryIsRefusedWithAClearMessage) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("missing_dir");
  const std::string model = test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  const std::string input = test::ref_path("cases/seg_pascal_s0.5_64x48/input.npy");
  const std::string missing = dir + "/no/such/dir";
  std::string out;
  EXPECT_EQ(cli("convert " + model + " " + missing + "/m.espnet", &out), 1) << out;
  EXPECT_NE(out.find("output directory '" + missing + "' does not exist"), std::string::npos)
      << out;
  EXPECT_EQ(cli("run " + model + " " + input + " " + missing, &out), 1) << out;
  EXPECT_NE(out.find("output directory '" + missing + "' does not exist"), std::string::npos)
      << out;
  write_bytes(dir + "/photo.png",
              encode_png(std::vector<uint8_t>(64 * 64 * 3, 90).data(), 64, 64, 3));
  // segment and detect (folder runs, issue 11) create their output directory instead; one that
  // cannot be made (a file is in the way) is an error naming it.
  EXPECT_EQ(cli("segment " + model + " " + dir + "/photo.png -o " + dir + "/photo.png/sub", &out),
            1)
      << out;
  EXPECT_NE(out.find("cannot create output directory '" + dir + "/photo.png/sub'"),
            std::string::npos)
      << out;
  EXPECT_FALSE(path_exists(dir + "/no"));
}

TEST(CliFiles, RunNeverOverwritesItsInput) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("run_input");
  const std::string model = test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  // The input is named like the output the run would write into the same directory.
  const std::string input = dir + "/output.npy";
  const std::vector<uint8_t> original =
      read_file_bytes(test::ref_path("cases/seg_pascal_s0.5_64x48/input.npy"));
  write_bytes(input, original);
  std::string out;
  EXPECT_EQ(cli("run " + model + " " + input + " " + dir, &out), 1) << out;
  EXPECT_NE(out.find("refusing to overwrite the input '" + input + "'"), std::string::npos) << out;
  EXPECT_EQ(read_file_bytes(input), original);
  EXPECT_TRUE(no_temporaries(dir));
  // Into another directory it works and leaves only the output.
  const std::string elsewhere = fresh_dir("run_output");
  ASSERT_EQ(cli("run " + model + " " + input + " " + elsewhere, &out), 0) << out;
  EXPECT_EQ(list_dir(elsewhere), std::vector<std::string>({"output.npy"}));
  EXPECT_EQ(read_npy_f32(elsewhere + "/output.npy").shape(), Shape({1, 21, 48, 64}));
}

TEST(CliFiles, SegmentNeverOverwritesAnotherInputImage) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = fresh_dir("segment_inputs");
  const std::string model = test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  const std::vector<uint8_t> png =
      encode_png(std::vector<uint8_t>(64 * 64 * 3, 120).data(), 64, 64, 3);
  write_bytes(dir + "/a.png", png);
  write_bytes(dir + "/a_labels.png", png);  // a second photo named like a's label map
  std::string out;
  EXPECT_EQ(cli("segment " + model + " " + dir + "/a.png " + dir + "/a_labels.png -o " + dir, &out),
            1)
      << out;
  EXPECT_NE(out.find("refusing to overwrite the input '" + dir + "/a_labels.png'"),
            std::string::npos)
      << out;
  EXPECT_EQ(read_file_bytes(dir + "/a_labels.png"), png);
  EXPECT_TRUE(no_temporaries(dir));
  // One photo alone is fine: its two outputs appear beside it, nothing else.
  const std::string ok = fresh_dir("segment_ok");
  write_bytes(ok + "/b.png", png);
  ASSERT_EQ(cli("segment " + model + " " + ok + "/b.png -o " + ok, &out), 0) << out;
  std::vector<std::string> names = list_dir(ok);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, std::vector<std::string>({"b.png", "b_labels.png", "b_overlay.png"}));
}

TEST(CliFiles, FailedWriteLeavesNoTemporary) {
  const std::string dir = fresh_dir("failed_write");
  ASSERT_EQ(::mkdir((dir + "/occupied").c_str(), 0755), 0);
  const std::vector<uint8_t> bytes = {1, 2, 3};
  // The target is a directory: the rename fails, and the temporary must be cleaned up.
  EXPECT_THROW(write_file_atomic(dir + "/occupied", bytes.data(), bytes.size()), Error);
  EXPECT_TRUE(no_temporaries(dir));
  EXPECT_EQ(list_dir(dir), std::vector<std::string>({"occupied"}));
  try {
    write_file_atomic(dir + "/missing/x.bin", bytes.data(), bytes.size());
    ADD_FAILURE() << "no error for a missing directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("output directory '" + dir + "/missing' does not exist"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace espnet
