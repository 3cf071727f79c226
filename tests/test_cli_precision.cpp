// --precision on the command line: accepted by every subcommand that runs a network, reported by
// `bench` (text and JSON) and `info`, a bad name is a usage error before anything is loaded, and
// a precision the CPU cannot run is an error naming what is missing.
#include <gtest/gtest.h>

#include <string>

#include "kernels/bf16_kernels.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

// cli_command(): the CLI, behind the emulator in a cross build.
int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_command() + " " + arguments, output);
}

// A kernel level below avx512 that the build has: avx2 on x86, the portable one elsewhere.
std::string lowered_isa_cli() {
#if defined(__x86_64__) || defined(__i386__)
  return "ESPNET_ISA=avx2 " + test::cli_command();
#else
  return "ESPNET_ISA=scalar " + test::cli_command();
#endif
}

TEST(CliPrecision, EveryRunningSubcommandListsTheOption) {
  for (const char* name : {"info", "run", "classify", "segment", "detect", "bench", "eval"}) {
    std::string out;
    ASSERT_EQ(cli(std::string(name) + " --help", &out), 0) << name;
    EXPECT_NE(out.find("--precision"), std::string::npos) << name << ":\n" << out;
  }
}

TEST(CliPrecision, UnknownNameIsAUsageError) {
  std::string out;
  EXPECT_EQ(cli("bench random:imagenet:0.5 --precision fp16 --runs 1", &out), 2) << out;
  EXPECT_NE(out.find("fp16"), std::string::npos) << out;
}

TEST(CliPrecision, Int8IsRefusedBelowAvx512) {
  std::string out;
  EXPECT_EQ(test::run_command(lowered_isa_cli() +
                                  " bench random:imagenet:0.5 --size 64x64 --precision int8 "
                                  "--runs 1",
                              &out),
            1)
      << out;
  EXPECT_NE(out.find("VNNI"), std::string::npos) << out;
}

TEST(CliPrecision, BenchAndInfoReportThePrecision) {
  std::string out;
  ASSERT_EQ(cli("bench random:imagenet:0.5 --size 64x64 --runs 2 --warmup 0 --json", &out), 0)
      << out;
  EXPECT_NE(out.find("\"precision\": \"fp32\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"reduced_convolutions\": 0,"), std::string::npos) << out;
  if (!bf16_kernels()) {
    EXPECT_EQ(cli("bench random:imagenet:0.5 --size 64x64 --precision bf16 --runs 1", &out), 1);
    EXPECT_NE(out.find("AVX-512 BF16"), std::string::npos) << out;
    GTEST_SKIP() << "no AVX-512 BF16 on this CPU: checked the refusal only";
  }
  ASSERT_EQ(cli("bench random:imagenet:0.5 --size 64x64 --precision bf16 --runs 2 --warmup 0 "
                "--json",
                &out),
            0)
      << out;
  EXPECT_NE(out.find("\"precision\": \"bf16\""), std::string::npos) << out;
  EXPECT_NE(out.find("gconv1x1_bf16_avx512bf16"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"reduced_convolutions\": 0,"), std::string::npos) << out;
  ASSERT_EQ(cli("info random:imagenet:0.5 --precision bf16", &out), 0) << out;
  EXPECT_NE(out.find("precision:  bf16"), std::string::npos) << out;
  ASSERT_EQ(cli("info random:imagenet:0.5 --precision bf16 --json", &out), 0) << out;
  EXPECT_NE(out.find("\"precision\": \"bf16\""), std::string::npos) << out;
  // ESPNET_ISA below avx512: refused, not run in fp32.
  std::string lowered;
  EXPECT_EQ(test::run_command(lowered_isa_cli() +
                                  " bench random:imagenet:0.5 --size 64x64 --precision bf16 "
                                  "--runs 1",
                              &lowered),
            1)
      << lowered;
  EXPECT_NE(lowered.find("ESPNET_ISA"), std::string::npos) << lowered;
}

}  // namespace
}  // namespace espnet
