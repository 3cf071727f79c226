// --precision on the command line: accepted by every subcommand that runs a network, reported by
// `bench` (text and JSON) and `info`, a bad name is a usage error before anything is loaded, and
// a precision the CPU cannot run is an error naming what is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
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

TEST(CliPrecision, Int8NeedsAQuantizedModel) {
  std::string out;
  EXPECT_EQ(cli("bench random:imagenet:0.5 --size 64x64 --precision int8 --runs 1", &out), 1)
      << out;
  EXPECT_NE(out.find("espnet quantize"), std::string::npos) << out;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// espnet quantize end to end on a small random classifier and two photos: the file it writes
// holds the plan (info shows it), runs in int8 on VNNI and, with a lower ESPNET_ISA, on the
// fp32 kernels (saying so), and the same photos give the same file byte for byte.
TEST(CliQuantize, WritesAPlanThatInfoShowsAndInt8Runs) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string images = test::ref_path("images");
  const std::string a = ::testing::TempDir() + "cli_quantize_a.espnet";
  const std::string b = ::testing::TempDir() + "cli_quantize_b.espnet";
  const std::string photos = ::testing::TempDir() + "cli_quantize_photos";
  std::string out;
  ASSERT_EQ(test::run_command("mkdir -p " + photos + " && cp " + images + "/sample4.jpg " + images +
                                  "/sample6.jpg " + photos,
                              &out),
            0)
      << out;
  ASSERT_EQ(cli("quantize random:imagenet:0.5 " + photos + " " + a, &out), 0) << out;
  EXPECT_NE(out.find("point-wise layers int8"), std::string::npos) << out;
  EXPECT_NE(out.find("bias-corrected"), std::string::npos) << out;
  ASSERT_EQ(cli("quantize random:imagenet:0.5 " + photos + " " + b + " --threads 2", &out), 0)
      << out;
  const std::string bytes = file_bytes(a);
  EXPECT_GT(bytes.size(), 1000u);
  EXPECT_TRUE(bytes == file_bytes(b)) << "calibration is not deterministic";

  ASSERT_EQ(cli("info " + a + " --layers", &out), 0) << out;
  EXPECT_NE(out.find("int8 plan:"), std::string::npos) << out;
  EXPECT_NE(out.find("level2_0.eesp.proj_1x1"), std::string::npos) << out;
  ASSERT_EQ(cli("info " + a + " --json", &out), 0) << out;
  EXPECT_NE(out.find("\"quantization\": {\"range_method\": \"mse\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"zero_point\": ["), std::string::npos) << out;
  EXPECT_NE(out.find("\"bias_correction\": true"), std::string::npos) << out;
  // Without the bias correction: said so, and other compensations in the file.
  const std::string plain = ::testing::TempDir() + "cli_quantize_plain.espnet";
  ASSERT_EQ(
      cli("quantize random:imagenet:0.5 " + photos + " " + plain + " --no-bias-correction", &out),
      0)
      << out;
  EXPECT_EQ(out.find("bias-corrected"), std::string::npos) << out;
  EXPECT_FALSE(bytes == file_bytes(plain)) << "the bias correction changed nothing";
  ASSERT_EQ(cli("info " + plain + " --json", &out), 0) << out;
  EXPECT_NE(out.find("\"bias_correction\": false"), std::string::npos) << out;
  std::remove(plain.c_str());

  ASSERT_EQ(cli("bench " + a + " --size 64x64 --precision int8 --runs 2 --warmup 0 --json", &out),
            0)
      << out;
  EXPECT_NE(out.find("\"precision\": \"int8\""), std::string::npos) << out;
  EXPECT_EQ(out.find("\"reduced_convolutions\": 0,"), std::string::npos) << out;
  std::string lowered;
  ASSERT_EQ(test::run_command("ESPNET_ISA=scalar " + test::cli_command() + " bench " + a +
                                  " --size 64x64 --precision int8 --runs 1 --warmup 0 --json",
                              &lowered),
            0)
      << lowered;
  EXPECT_NE(lowered.find("dequantized"), std::string::npos) << lowered;
  // An fp32 run of the quantized file is the fp32 model's.
  ASSERT_EQ(cli("bench " + a + " --size 64x64 --runs 1 --warmup 0 --json", &out), 0) << out;
  EXPECT_NE(out.find("\"reduced_convolutions\": 0,"), std::string::npos) << out;
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST(CliQuantize, BadInputsAreClearErrors) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string photo = test::ref_path("images") + "/sample4.jpg";
  const std::string out_file = ::testing::TempDir() + "cli_quantize_bad.espnet";
  std::string out;
  EXPECT_EQ(cli("quantize random:imagenet:0.5 " + photo + " " + out_file + " --range median", &out),
            2)
      << out;
  EXPECT_NE(out.find("--range"), std::string::npos) << out;
  EXPECT_EQ(cli("quantize random:imagenet:0.5 " + photo, &out), 2) << out;
  const std::string empty = ::testing::TempDir() + "cli_quantize_empty_dir";
  test::run_command("mkdir -p " + empty, &out);
  EXPECT_EQ(cli("quantize random:imagenet:0.5 " + empty + " " + out_file, &out), 1) << out;
  EXPECT_NE(out.find("no images"), std::string::npos) << out;
  // A quantized model is not calibrated again.
  ASSERT_EQ(cli("quantize random:imagenet:0.5 " + photo + " " + out_file, &out), 0) << out;
  EXPECT_EQ(cli("quantize " + out_file + " " + photo + " " + out_file + ".2", &out), 1) << out;
  EXPECT_NE(out.find("already quantized"), std::string::npos) << out;
  std::remove(out_file.c_str());
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
