// What a file may make us allocate is bounded: headers claiming 2^40 elements or pixels fail fast
// with a message naming the field, and files over each reader's size limit are refused before
// they are read (sparse files stand in for the huge ones, so the test needs no disk space).
// The checkpoint reader's own 2^40 / 2^62 storage claims are in test_pth_reader.cpp
// (PthReaderSecurity.RejectsAbsurdStorageSizes).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "checkpoint/pth_reader.h"
#include "espnet/error.h"
#include "espnet/npy.h"
#include "image/image_decode.h"
#include "image/png_write.h"
#include "model_file/model_file.h"

namespace espnet {
namespace {

using Bytes = std::vector<uint8_t>;

// Runs `f`, which must throw espnet::Error containing every needle, within 1 s.
void expect_fast_error(const std::function<void()>& f, const std::vector<std::string>& needles) {
  const auto start = std::chrono::steady_clock::now();
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    for (const std::string& needle : needles)
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << "'" << needle << "' not in: " << e.what();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 1.0) << "the error took " << seconds << " s";
}

Bytes npy_with_header(const std::string& dict, size_t payload) {
  std::string header = dict;
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + payload, 0);
  return out;
}

TEST(InputLimits, NpyClaimingHugeShapesFailsFast) {
  // 2^40 elements over 16 bytes of data.
  Bytes b =
      npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }", 16);
  expect_fast_error([&] { parse_npy(b.data(), b.size(), "huge.npy"); },
                    {"huge.npy", "[1099511627776]", "needs more than the 16 data bytes"});
  // Regression: 2^31 x 2^31 float32 = 2^64 bytes, which wrapped to 0 in a 64-bit product and
  // was accepted with no data at all (a later to_tensor() then asked for 2^64 bytes).
  b = npy_with_header(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648), }", 0);
  expect_fast_error([&] { parse_npy(b.data(), b.size(), "wrap.npy"); },
                    {"wrap.npy", "[2147483648, 2147483648]"});
  b = npy_with_header(
      "{'descr': '<i8', 'fortran_order': False, 'shape': (1073741824, 2147483648), }", 0);
  expect_fast_error([&] { parse_npy(b.data(), b.size(), "wrap8.npy"); }, {"wrap8.npy"});
  // Eight extents of 2^40: the element count itself overflows int64.
  b = npy_with_header(
      "{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627776, 1099511627776, "
      "1099511627776, 1099511627776, 1099511627776, 1099511627776, 1099511627776, 1099511627776), "
      "}",
      8);
  expect_fast_error([&] { parse_npy(b.data(), b.size(), "overflow.npy"); }, {"overflow.npy"});
  // A zero extent beside a huge one is a valid empty array.
  b = npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 0), }", 0);
  NpyArray empty = parse_npy(b.data(), b.size(), "empty.npy");
  EXPECT_EQ(empty.numel(), 0);
  EXPECT_EQ(empty.to_tensor().numel(), 0);
}

TEST(InputLimits, ModelFileClaimingHugeTensorsFailsFast) {
  ModelFileContents contents;
  contents.config = "task=classification\n";
  contents.tensors.push_back(float32_tensor("w", {4}, {1, 2, 3, 4}));
  Bytes bytes = encode_model_file(contents);
  // Entry layout after the config: name length (4), name, rank (4), dims (8 each), offset, size.
  const size_t table = 64 + ((contents.config.size() + 7) / 8) * 8;
  const size_t dims = table + 4 + 1 + 4, size_field = dims + 8 + 8;
  const uint64_t elements = uint64_t{1} << 40;
  for (int i = 0; i < 8; ++i) {
    bytes[dims + i] = static_cast<uint8_t>(elements >> (8 * i));
    bytes[size_field + i] = static_cast<uint8_t>((elements * 4) >> (8 * i));
  }
  model_file_detail::reseal(bytes);
  expect_fast_error([&] { parse_model_file(bytes.data(), bytes.size(), "huge.espnet"); },
                    {"huge.espnet", "tensor 'w'", "4398046511104 bytes", "runs past the end"});
}

TEST(InputLimits, ImagesClaimingHugeSizesFailFast) {
  // PNG: IHDR of 2^20 x 2^20 (2^40 pixels; stb_image itself refuses it), and 20000 x 20000
  // (4e8 pixels: over our limit of 2^28).
  Bytes png = encode_png(Bytes(4, 0).data(), 2, 2, 1);
  for (int k = 0; k < 2; ++k) png[16 + 4 * k + 1] = 0x10, png[16 + 4 * k + 3] = 0;
  expect_fast_error([&] { decode_image_memory(png.data(), png.size(), "huge.png"); },
                    {"cannot decode image 'huge.png'"});
  for (int k = 0; k < 2; ++k)
    png[16 + 4 * k + 1] = 0, png[16 + 4 * k + 2] = 0x4e, png[16 + 4 * k + 3] = 0x20;
  expect_fast_error([&] { decode_image_memory(png.data(), png.size(), "big.png"); },
                    {"big.png", "20000x20000", "outside the supported range"});
  // Binary PPM and BMP headers of 30000 x 30000 (9e8 pixels, over the 2^28 pixel limit).
  const std::string ppm_header = "P6\n30000 30000\n255\n";
  Bytes ppm(ppm_header.begin(), ppm_header.end());
  ppm.resize(ppm.size() + 12, 7);
  expect_fast_error([&] { decode_image_memory(ppm.data(), ppm.size(), "huge.ppm"); },
                    {"huge.ppm", "30000x30000"});
  Bytes bmp(54 + 12, 0);
  bmp[0] = 'B', bmp[1] = 'M';
  const auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bmp[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put32(2, static_cast<uint32_t>(bmp.size()));
  put32(10, 54);
  put32(14, 40);
  put32(18, 30000);
  put32(22, 30000);
  bmp[26] = 1;
  bmp[28] = 24;
  expect_fast_error([&] { decode_image_memory(bmp.data(), bmp.size(), "huge.bmp"); },
                    {"huge.bmp", "30000x30000"});
}

// A sparse file of `bytes` bytes (no disk space used).
std::string sparse_file(const std::string& name, off_t bytes, const char* magic) {
  const std::string path = ::testing::TempDir() + "/" + name;
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  EXPECT_GE(fd, 0) << path;
  EXPECT_EQ(::write(fd, magic, std::strlen(magic)), static_cast<ssize_t>(std::strlen(magic)));
  EXPECT_EQ(::ftruncate(fd, bytes), 0);
  ::close(fd);
  return path;
}

TEST(InputLimits, OversizedFilesAreRefusedBeforeReading) {
  const off_t five_gib = off_t{5} << 30;
  const std::string model = sparse_file("huge.espnet", five_gib, "ESPNETV2");
  expect_fast_error([&] { read_model_file(model); }, {"huge.espnet", "too large"});
  const std::string pth = sparse_file("huge.pth", five_gib, "PK\x03\x04");
  expect_fast_error([&] { read_pth(pth); }, {"huge.pth", "too large"});
  const std::string npy = sparse_file("huge.npy", five_gib, "\x93NUMPY\x01");
  expect_fast_error([&] { read_npy(npy); }, {"huge.npy", "too large"});
  const std::string jpg = sparse_file("huge.jpg", off_t{3} << 30, "\xff\xd8\xff");
  expect_fast_error([&] { decode_image(jpg); }, {"huge.jpg", "too large"});
  for (const std::string& p : {model, pth, npy, jpg}) std::remove(p.c_str());
}

}  // namespace
}  // namespace espnet
