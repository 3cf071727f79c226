// The espnet command line: every subcommand's --help, clear errors with non-zero exit codes for
// bad flags and bad files, and the `run` / `info` / `convert` contracts on reference models.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "espnet/npy.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace espnet {
namespace {

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_command() + " " + arguments, output);
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* name : {"convert", "info", "run", "classify", "segment", "detect", "bench"}) {
    std::string out;
    EXPECT_EQ(cli(std::string(name) + " --help", &out), 0) << name << ": " << out;
    EXPECT_NE(out.find("usage: espnet"), std::string::npos) << out;
  }
  std::string out;
  EXPECT_EQ(cli("--help", &out), 0);
  EXPECT_NE(out.find("convert"), std::string::npos);
}

TEST(Cli, UnknownCommandAndFlagAreUsageErrors) {
  std::string out;
  EXPECT_EQ(cli("frobnicate", &out), 2);
  EXPECT_NE(out.find("unknown command"), std::string::npos) << out;
  EXPECT_EQ(cli("info --no-such-flag x.pth", &out), 2);
  EXPECT_NE(out.find("unknown option '--no-such-flag'"), std::string::npos) << out;
  EXPECT_EQ(cli("info x.pth --threads many", &out), 2);
  EXPECT_NE(out.find("--threads"), std::string::npos) << out;
  EXPECT_EQ(cli("info x.pth --size 12by3", &out), 2);
  EXPECT_EQ(cli("run onlyone", &out), 2);
  EXPECT_EQ(cli("", &out), 2);
}

TEST(Cli, MissingAndGarbageFilesAreClearErrors) {
  std::string out;
  EXPECT_EQ(cli("info /nonexistent/model.pth", &out), 1);
  EXPECT_NE(out.find("cannot open '/nonexistent/model.pth'"), std::string::npos) << out;
  const std::string garbage = ::testing::TempDir() + "/garbage.pth";
  std::ofstream(garbage) << "this is not a checkpoint";
  EXPECT_EQ(cli("info " + garbage, &out), 1);
  EXPECT_NE(out.find("not a PyTorch checkpoint"), std::string::npos) << out;
  EXPECT_EQ(cli("convert " + garbage + " " + ::testing::TempDir() + "/x.espnet", &out), 1);
}

TEST(Cli, RunWritesLogitsMatchingTheReference) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = ::testing::TempDir() + "/cli_run";
  std::string out;
  ASSERT_EQ(test::run_command("mkdir -p " + dir, &out), 0);
  const std::string model = test::ref_path("checkpoints/cls_s0.5_random_legacy.pth");
  const std::string input = test::ref_path("cases/cls_s0.5_224x224/input.npy");
  ASSERT_EQ(cli("run " + model + " " + input + " " + dir + " --threads 1", &out), 0) << out;
  Tensor logits = read_npy_f32(dir + "/logits.npy");
  Tensor expected = read_npy_f32(test::ref_path("cases/cls_s0.5_224x224/logits.npy"));
  EXPECT_TRUE(test::all_close(logits, expected, 1e-4, 1e-4));
  EXPECT_EQ(cli("run " + model + " " + input + " /nonexistent-dir", &out), 1);
  EXPECT_NE(out.find("does not exist"), std::string::npos) << out;
  // A model where an input is expected: a clear error, not a crash.
  EXPECT_EQ(cli("run " + model + " " + model + " " + dir, &out), 1);
  EXPECT_NE(out.find("not a .npy file"), std::string::npos) << out;
}

TEST(Cli, InfoJsonHasThePublishedCounts) {
  ESPNET_REQUIRE_REF_DATA();
  std::string out;
  ASSERT_EQ(cli("info " + test::ref_path("checkpoints/cls_s2.0_random.pth") + " --json", &out), 0)
      << out;
  test::Json json = test::Json::parse(out);
  EXPECT_EQ(json["task"].str(), "classification");
  EXPECT_EQ(json["family"].str(), "edgenets");
  EXPECT_DOUBLE_EQ(json["scale"].number(), 2.0);
  EXPECT_EQ(json["classes"].number(), 1000);
  EXPECT_EQ(json["params"].number(), 3498136);
  EXPECT_NEAR(json["conv_macs"].number() / 1e6, 284.81, 0.005);
  EXPECT_GT(json["layers"].size(), 50u);
}

TEST(Cli, ConvertRoundTripGivesIdenticalOutputs) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string dir = ::testing::TempDir() + "/cli_convert";
  std::string out;
  ASSERT_EQ(test::run_command("mkdir -p " + dir + "/a " + dir + "/b", &out), 0);
  const std::string pth = test::ref_path("checkpoints/cls_s1.25_random_dataparallel.pth");
  const std::string converted = dir + "/cls.espnet";
  ASSERT_EQ(cli("convert " + pth + " " + converted, &out), 0) << out;
  const std::string input = test::ref_path("cases/cls_s1.25_224x224/input.npy");
  ASSERT_EQ(cli("run " + pth + " " + input + " " + dir + "/a", &out), 0) << out;
  ASSERT_EQ(cli("run " + converted + " " + input + " " + dir + "/b", &out), 0) << out;
  Tensor a = read_npy_f32(dir + "/a/logits.npy"), b = read_npy_f32(dir + "/b/logits.npy");
  EXPECT_TRUE(test::all_close(a, b, 0, 0));
  // Refuses to overwrite its input.
  EXPECT_EQ(cli("convert " + converted + " " + converted, &out), 1);
  EXPECT_NE(out.find("refusing to overwrite"), std::string::npos) << out;
}

}  // namespace
}  // namespace espnet
