#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "espnet/npy.h"
#include "file_util.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

TEST(Npy, RoundTripFloat) {
  Tensor t({2, 3, 5});
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = 0.25f * i - 3;
  std::string path = ::testing::TempDir() + "/rt.npy";
  write_npy(path, t);
  Tensor back = read_npy_f32(path);
  ASSERT_EQ(back.shape(), t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(back.data()[i], t.data()[i]);
}

TEST(Npy, RoundTripOneDimensionalAndScalar) {
  Tensor v({7});
  std::string path = ::testing::TempDir() + "/v.npy";
  write_npy(path, v);
  EXPECT_EQ(read_npy_f32(path).shape(), Shape({7}));
  uint8_t labels[6] = {0, 1, 2, 3, 4, 255};
  write_npy(path, NpyType::kUInt8, {2, 3}, labels);
  NpyArray a = read_npy(path);
  EXPECT_EQ(a.type, NpyType::kUInt8);
  EXPECT_EQ(a.shape, Shape({2, 3}));
  EXPECT_EQ(a.bytes[5], 255);
}

TEST(Npy, DataAlignedTo64Bytes) {
  Tensor t({1, 3, 4, 4});
  std::string path = ::testing::TempDir() + "/a.npy";
  write_npy(path, t);
  std::vector<uint8_t> bytes = read_file_bytes(path);
  EXPECT_EQ((bytes.size() - 16 * 3 * 4) % 64, 0u);
}

TEST(Npy, RejectsTruncatedAndBadHeaders) {
  Tensor t({4, 4});
  std::string path = ::testing::TempDir() + "/t.npy";
  write_npy(path, t);
  std::vector<uint8_t> bytes = read_file_bytes(path);
  for (size_t cut = 0; cut < bytes.size(); cut += 7)
    EXPECT_THROW(parse_npy(bytes.data(), cut, "cut"), Error) << "cut at " << cut;
  std::vector<uint8_t> bad = bytes;
  bad[0] = 'X';
  EXPECT_THROW(parse_npy(bad.data(), bad.size(), "bad"), Error);
  std::string header(reinterpret_cast<char*>(bytes.data()) + 10, bytes.size() - 10);
  size_t pos = header.find("<f4");
  bad = bytes;
  bad[10 + pos + 1] = 'c';  // '<c4' complex: unsupported
  EXPECT_THROW(parse_npy(bad.data(), bad.size(), "dtype"), Error);
}

TEST(Npy, RefusesMissingDirectory) {
  Tensor t({1});
  EXPECT_THROW(write_npy("/nonexistent-dir-espnet/x.npy", t), Error);
}

TEST(Npy, ReadsReferenceInput) {
  ESPNET_REQUIRE_REF_DATA();
  Tensor x = read_npy_f32(test::ref_path("cases/cls_s0.5_224x224/input.npy"));
  EXPECT_EQ(x.shape(), Shape({1, 3, 224, 224}));
}

}  // namespace
}  // namespace espnet
