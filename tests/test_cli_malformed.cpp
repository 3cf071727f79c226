// The malformed-file corpus through the command line: every kind of bad input makes `espnet` exit
// with status 1 and a message naming the file and what is wrong with it, never a crash (a crash
// would show as status >= 128). The readers' own corpora are in test_pth_reader.cpp,
// test_model_file.cpp, test_npy.cpp, test_image_decode.cpp and test_input_limits.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "file_util.h"
#include "model_file/model_file.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

using Bytes = std::vector<uint8_t>;

int cli(const std::string& arguments, std::string* output) {
  return test::run_command(test::cli_command() + " " + arguments, output);
}

std::string temp_file(const std::string& name, const Bytes& bytes) {
  const std::string path = ::testing::TempDir() + "/cli_malformed_" + name;
  write_file_atomic(path, bytes.data(), bytes.size());
  return path;
}

void expect_cli_error(const std::string& arguments, const std::vector<std::string>& needles) {
  std::string out;
  EXPECT_EQ(cli(arguments, &out), 1) << arguments << "\n" << out;
  for (const std::string& needle : needles)
    EXPECT_NE(out.find(needle), std::string::npos) << "'" << needle << "' not in: " << out;
}

void append(Bytes& to, const std::string& s) {
  to.insert(to.end(), s.begin(), s.end());
}

// The legacy preamble (magic, protocol 1001, system info) and a state dict pickle that calls
// `module.name("touch ...")`.
Bytes legacy_calling(const std::string& module, const std::string& name) {
  Bytes b = {0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};
  append(b, std::string("\x80\x02M\xe9\x03.", 6));
  append(b, std::string("\x80\x02}X\x0d\x00\x00\x00little_endian\x88s.", 24));
  append(b,
         "\x80\x02"
         "c" +
             module + "\n" + name + "\n");
  append(b, std::string("X\x10\x00\x00\x00touch /tmp/pwned\x85R.", 24));
  return b;
}

TEST(CliMalformed, CheckpointsExitWithAClearError) {
  ESPNET_REQUIRE_REF_DATA();
  const Bytes legacy = read_file_bytes(test::ref_path("checkpoints/cls_s0.5_random_legacy.pth"));
  const Bytes zip = read_file_bytes(test::ref_path("checkpoints/cls_s1.0_random.pth"));
  for (size_t cut : {size_t{20}, size_t{300}, size_t{40000}, legacy.size() - 1}) {
    const std::string path = temp_file("cut.pth", Bytes(legacy.begin(), legacy.begin() + cut));
    SCOPED_TRACE("legacy cut at " + std::to_string(cut));
    expect_cli_error("info " + path, {"cli_malformed_cut.pth"});
  }
  for (size_t cut : {size_t{100}, zip.size() / 2, zip.size() - 10}) {
    const std::string path = temp_file("cut_zip.pth", Bytes(zip.begin(), zip.begin() + cut));
    SCOPED_TRACE("zip cut at " + std::to_string(cut));
    expect_cli_error("convert " + path + " " + ::testing::TempDir() + "/never.espnet",
                     {"cli_malformed_cut_zip.pth"});
  }
  for (const auto& [module, name] : std::vector<std::pair<std::string, std::string>>{
           {"os", "system"}, {"builtins", "eval"}, {"subprocess", "Popen"}}) {
    const std::string path = temp_file("evil.pth", legacy_calling(module, name));
    expect_cli_error("info " + path,
                     {"refusing to load global '" + module + "." + name + "'", "evil.pth"});
  }
  EXPECT_FALSE(path_exists("/tmp/pwned"));
}

TEST(CliMalformed, ModelFilesExitWithAClearError) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string good = ::testing::TempDir() + "/cli_malformed_good.espnet";
  std::string out;
  ASSERT_EQ(
      cli("convert " + test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth") + " " + good,
          &out),
      0)
      << out;
  const Bytes bytes = read_file_bytes(good);
  Bytes flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  expect_cli_error("info " + temp_file("flipped.espnet", flipped),
                   {"flipped.espnet", "checksum mismatch"});
  Bytes version = bytes;
  version[8] = 4;
  model_file_detail::reseal(version);
  expect_cli_error("info " + temp_file("v4.espnet", version),
                   {"v4.espnet", "unsupported format version 4"});
  // A version-2 table read as version 3 (with dtype fields): refused, never misread.
  version[8] = 3;
  model_file_detail::reseal(version);
  expect_cli_error("info " + temp_file("v3.espnet", version), {"v3.espnet", "tensor"});
  version[8] = 1;  // a file of the first format: convert again
  model_file_detail::reseal(version);
  expect_cli_error("info " + temp_file("v1.espnet", version),
                   {"v1.espnet", "unsupported format version 1", "convert the .pth again"});
  const Bytes cut(bytes.begin(), bytes.begin() + bytes.size() / 3);
  expect_cli_error("info " + temp_file("cut.espnet", cut), {"cut.espnet", "truncated"});
}

TEST(CliMalformed, InputsExitWithAClearError) {
  ESPNET_REQUIRE_REF_DATA();
  const std::string model = test::ref_path("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 1048576, 1048576), }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  Bytes npy = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size()), 0};
  append(npy, header);
  expect_cli_error("run " + model + " " + temp_file("huge.npy", npy) + " " + ::testing::TempDir(),
                   {"huge.npy", "[1, 3, 1048576, 1048576]"});
  Bytes jpeg = read_file_bytes(test::ref_path("images/sample8.jpg"));
  jpeg.resize(600);
  expect_cli_error(
      "segment " + model + " " + temp_file("cut.jpg", jpeg) + " -o " + ::testing::TempDir(),
      {"cut.jpg"});
  const std::string classifier = test::ref_path("checkpoints/cls_s0.5_random_legacy.pth");
  expect_cli_error("classify " + classifier + " " + temp_file("text.png", Bytes(100, 'x')),
                   {"cannot decode image", "text.png"});
}

}  // namespace
}  // namespace espnet
