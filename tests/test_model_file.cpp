#include <gtest/gtest.h>
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "espnet/error.h"
#include "file_util.h"
#include "model_file/model_file.h"
#include "support/process_threads.h"

namespace espnet {
namespace {

using Bytes = std::vector<uint8_t>;

ModelFileTensor make_tensor(const std::string& name, Shape shape, float start = 0.5f) {
  ModelFileTensor t = float32_tensor(name, shape, {});
  t.values.resize(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < t.values.size(); ++i) t.values[i] = start + 0.25f * i;
  return t;
}

// A small file with a config, a 2-d tensor, a scalar and an empty tensor.
ModelFileContents small_contents() {
  ModelFileContents c;
  c.config = "arch=espnetv2\nscale=1.0\n";
  c.tensors.push_back(make_tensor("w1", {2, 3}));
  c.tensors.push_back(make_tensor("w2", {2, 3}, -7.0f));
  c.tensors.push_back(make_tensor("scalar", {}));
  c.tensors.push_back(make_tensor("empty", {0, 4}));
  return c;
}

uint64_t read_u64(const Bytes& b, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[at + i];
  return v;
}
uint32_t read_u32(const Bytes& b, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | b[at + i];
  return v;
}
void write_u64(Bytes& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void write_u32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Byte positions of one tensor table entry, found by walking the table as FORMAT.md describes.
struct EntryLayout {
  size_t name, rank, dims, data_offset, data_size;
};
std::vector<EntryLayout> table_layout(const Bytes& b) {
  std::vector<EntryLayout> entries;
  size_t pos = read_u64(b, 40);
  for (uint64_t i = 0; i < read_u64(b, 32); ++i) {
    EntryLayout e;
    uint32_t name_length = b[pos] | b[pos + 1] << 8;
    e.name = pos + 4;
    e.rank = e.name + name_length;
    e.dims = e.rank + 4;
    e.data_offset = e.dims + 8 * b[e.rank];
    e.data_size = e.data_offset + 8;
    pos = e.data_size + 8;
    entries.push_back(e);
  }
  return entries;
}

// The parse error message for `bytes`, or "" when they parse.
std::string parse_error(const Bytes& bytes, const std::string& name = "model.espnet") {
  try {
    parse_model_file(bytes.data(), bytes.size(), name);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_PARSE_ERROR(bytes, fragment)                          \
  do {                                                               \
    std::string message = parse_error(bytes);                        \
    EXPECT_EQ(message.rfind("model.espnet: ", 0), 0u) << message;    \
    EXPECT_NE(message.find(fragment), std::string::npos) << message; \
  } while (0)

void expect_same(const ModelFileContents& a, const ModelFileContents& b) {
  EXPECT_EQ(a.config, b.config);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_EQ(a.tensors[i].name, b.tensors[i].name);
    EXPECT_EQ(a.tensors[i].shape, b.tensors[i].shape);
    ASSERT_EQ(a.tensors[i].values.size(), b.tensors[i].values.size()) << a.tensors[i].name;
    // Bitwise, so NaN payloads and -0 count; memcmp needs non-null pointers, hence the guard.
    if (!a.tensors[i].values.empty()) {
      EXPECT_EQ(0, std::memcmp(a.tensors[i].values.data(), b.tensors[i].values.data(),
                               a.tensors[i].values.size() * sizeof(float)))
          << a.tensors[i].name;
    }
    EXPECT_EQ(a.tensors[i].dtype, b.tensors[i].dtype) << a.tensors[i].name;
    EXPECT_EQ(a.tensors[i].bytes, b.tensors[i].bytes) << a.tensors[i].name;
  }
}

// A quantized model's file: float32, int8 and int32 tensors (version 3).
ModelFileContents typed_contents() {
  ModelFileContents c = small_contents();
  ModelFileTensor codes{"layer@int8-weight", {2, 1, 8}, {}, ModelFileDType::kInt8, {}};
  for (int i = 0; i < 16; ++i) codes.bytes.push_back(static_cast<uint8_t>(i * 17 - 128));
  ModelFileTensor sums{"layer@int8-compensation", {3}, {}, ModelFileDType::kInt32, {}};
  for (int i = 0; i < 12; ++i) sums.bytes.push_back(static_cast<uint8_t>(0xF0 + i));
  c.tensors.push_back(codes);
  c.tensors.push_back(sums);
  c.tensors.push_back(make_tensor("after", {5}));
  return c;
}

TEST(ModelFile, RoundTripIsBitIdentical) {
  ModelFileContents c = small_contents();
  // Values whose bits a careless float path would change: -0, NaN payload, denormal, infinity.
  uint32_t specials[] = {0x80000000u, 0x7fc01234u, 0x00000001u, 0x7f800000u};
  ModelFileTensor odd = float32_tensor("specials", {4}, std::vector<float>(4));
  std::memcpy(odd.values.data(), specials, sizeof specials);
  c.tensors.push_back(odd);
  ModelFileTensor big = make_tensor("level1.conv.weight", {64, 3, 33, 33});
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  for (float& v : big.values) v = dist(rng);
  c.tensors.push_back(big);
  c.tensors.push_back(make_tensor("rank8", {1, 2, 1, 2, 1, 2, 1, 3}));

  std::string path = ::testing::TempDir() + "/rt.espnet";
  write_model_file(path, c);
  expect_same(c, read_model_file(path));
  Bytes bytes = read_file_bytes(path);
  EXPECT_EQ(bytes, encode_model_file(c));
  EXPECT_TRUE(looks_like_model_file(bytes.data(), bytes.size()));
}

TEST(ModelFile, RoundTripEmptyConfigAndNoTensors) {
  ModelFileContents empty;
  Bytes bytes = encode_model_file(empty);
  expect_same(empty, parse_model_file(bytes.data(), bytes.size(), "empty"));
  ModelFileContents only_config;
  only_config.config = "a=1\n";
  bytes = encode_model_file(only_config);
  expect_same(only_config, parse_model_file(bytes.data(), bytes.size(), "config"));
}

TEST(ModelFile, TensorDataIs64ByteAligned) {
  ModelFileContents c = small_contents();
  c.tensors.push_back(make_tensor("odd", {3, 7}));
  Bytes bytes = encode_model_file(c);
  std::vector<EntryLayout> entries = table_layout(bytes);
  ASSERT_EQ(entries.size(), c.tensors.size());
  uint64_t table_end = read_u64(bytes, 40) + read_u64(bytes, 48);
  for (size_t i = 0; i < entries.size(); ++i) {
    uint64_t offset = read_u64(bytes, entries[i].data_offset);
    EXPECT_EQ(offset % 64, 0u) << c.tensors[i].name;
    EXPECT_GE(offset, table_end);
    ASSERT_EQ(read_u64(bytes, entries[i].data_size), c.tensors[i].values.size() * 4);
    if (!c.tensors[i].values.empty()) {
      EXPECT_EQ(0, std::memcmp(bytes.data() + offset, c.tensors[i].values.data(),
                               c.tensors[i].values.size() * 4));
    }
  }
}

TEST(ModelFile, EveryTruncationThrows) {
  Bytes bytes = encode_model_file(small_contents());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Bytes cut(bytes.begin(), bytes.begin() + n);  // exact size, so an over-read is a real bug
    EXPECT_THROW(parse_model_file(cut.data(), cut.size(), "cut"), Error) << "cut at " << n;
  }
  EXPECT_PARSE_ERROR(Bytes(bytes.begin(), bytes.begin() + 100), "truncated or padded");
  EXPECT_PARSE_ERROR(Bytes(bytes.begin(), bytes.begin() + 40), "truncated");
}

TEST(ModelFile, EverySingleByteFlipIsDetected) {
  Bytes bytes = encode_model_file(small_contents());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      Bytes bad = bytes;
      bad[i] ^= mask;
      EXPECT_NE(parse_error(bad), "") << "flip of byte " << i << " with mask " << int(mask);
    }
  }
  Bytes bad = bytes;
  bad[bytes.size() - 20] ^= 0x10;  // inside the last tensor's data: only the checksum sees it
  EXPECT_PARSE_ERROR(bad, "checksum mismatch: the file is corrupt");
}

TEST(ModelFile, RejectsBadMagicAndVersion) {
  Bytes bytes = encode_model_file(small_contents());
  Bytes bad = bytes;
  bad[3] = 'X';
  EXPECT_FALSE(looks_like_model_file(bad.data(), bad.size()));
  EXPECT_PARSE_ERROR(bad, "not an espnet model file");
  bad = bytes;
  write_u32(bad, 8, 4);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "unsupported format version 4");
  // A version-1 file (FNV-1a checksum, state dict) is refused with what to do about it.
  bad = bytes;
  write_u32(bad, 8, 1);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "convert the .pth again");
}

TEST(ModelFile, ChecksumIsZlibCrc32InOnePieceOrMany) {
  const char* text = "123456789";
  EXPECT_EQ(model_file_detail::checksum(reinterpret_cast<const uint8_t*>(text), 9), 0xCBF43926u);
  // Above 4 MiB the CRC is computed in 1 MiB slices on several threads and combined: same value.
  // The threads end with the check: an OpenMP worker left spinning slowed the serial rest of
  // loading by a third on a 2-vCPU machine.
  const unsigned seed = 11;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  Bytes big((size_t{9} << 20) + 12345);
  for (uint8_t& b : big) b = static_cast<uint8_t>(rng());
  omp_set_num_threads(2);
  const int threads_before = test::process_threads();
  const uint64_t whole = model_file_detail::checksum(big.data(), big.size());
  // ctest runs each test in a fresh process (one thread); run among other tests, skip the check.
  if (threads_before == 1) {
    EXPECT_EQ(test::process_threads(), 1) << "the CRC left a thread running";
  }
  uint64_t sequential = 0;
  {
    // The same bytes through a plain table-driven CRC-32, one byte at a time.
    uint32_t crc = 0xFFFFFFFFu;
    static uint32_t table[256];
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[n] = c;
    }
    for (uint8_t b : big) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
    sequential = crc ^ 0xFFFFFFFFu;
  }
  EXPECT_EQ(whole, sequential);
}

TEST(ModelFile, ViewsPointIntoTheBytesAndNeedAlignment) {
  const Bytes bytes = encode_model_file(small_contents());
  const ModelFileView view = parse_model_file_view(bytes.data(), bytes.size(), "view");
  const ModelFileContents copy = parse_model_file(bytes.data(), bytes.size(), "copy");
  ASSERT_EQ(view.tensors.size(), copy.tensors.size());
  for (size_t i = 0; i < view.tensors.size(); ++i) {
    const ModelFileTensorView& t = view.tensors[i];
    EXPECT_EQ(t.name, copy.tensors[i].name);
    EXPECT_EQ(t.numel, static_cast<int64_t>(copy.tensors[i].values.size()));
    if (t.numel == 0) continue;
    EXPECT_GE(reinterpret_cast<const uint8_t*>(t.data), bytes.data());
    EXPECT_LT(reinterpret_cast<const uint8_t*>(t.data), bytes.data() + bytes.size());
    EXPECT_EQ(std::memcmp(t.data, copy.tensors[i].values.data(), size_t(t.numel) * 4), 0);
  }
  // Misaligned bytes: the view refuses them, the copying parser copes.
  Bytes shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  EXPECT_THROW(parse_model_file_view(shifted.data() + 1, bytes.size(), "odd"), Error);
  EXPECT_EQ(parse_model_file(shifted.data() + 1, bytes.size(), "odd").tensors.size(),
            copy.tensors.size());
}

TEST(ModelFile, RejectsHugeCounts) {
  Bytes bytes = encode_model_file(small_contents());
  Bytes bad = bytes;
  write_u64(bad, 32, 1ull << 60);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor count 1152921504606846976 exceeds");
  bad = bytes;
  write_u64(bad, 32, 1000);  // under the limit, but more than the table can hold
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "cannot fit");
  bad = bytes;
  write_u64(bad, 24, ~0ull);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "config length");
  bad = bytes;
  write_u64(bad, 48, ~0ull - 8);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor table");
}

TEST(ModelFile, RejectsBadShapes) {
  Bytes bytes = encode_model_file(small_contents());
  EntryLayout w1 = table_layout(bytes)[0];
  Bytes bad = bytes;
  write_u64(bad, w1.dims, 1ull << 40);
  write_u64(bad, w1.dims + 8, 1ull << 40);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w1': shape [1099511627776, 1099511627776] overflows");
  bad = bytes;
  write_u64(bad, w1.dims, static_cast<uint64_t>(-2));
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w1': negative dimension");
  bad = bytes;
  write_u64(bad, w1.dims, 3);  // 3x3 needs 36 bytes, the entry says 24
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w1': data size 24 does not match shape [3, 3]");
  bad = bytes;
  write_u32(bad, w1.rank, 9);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w1': rank 9 exceeds 8");
}

TEST(ModelFile, RejectsBadAndDuplicateNames) {
  Bytes bytes = encode_model_file(small_contents());
  std::vector<EntryLayout> entries = table_layout(bytes);
  Bytes bad = bytes;
  bad[entries[1].name + 1] = '1';  // "w2" -> "w1"
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w1': duplicate name");
  bad = bytes;
  bad[entries[1].name] = ' ';
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor #1: name has byte 0x20 at position 0");
  bad = bytes;
  write_u32(bad, entries[0].name - 4, 0);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor #0: empty name");
  bad = bytes;
  write_u32(bad, entries[0].name - 4, 100000);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor #0: name length 100000 exceeds 256");
}

TEST(ModelFile, RejectsBadDataOffsets) {
  Bytes bytes = encode_model_file(small_contents());
  std::vector<EntryLayout> entries = table_layout(bytes);
  uint64_t w1_offset = read_u64(bytes, entries[0].data_offset);
  Bytes bad = bytes;
  write_u64(bad, entries[1].data_offset, w1_offset);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "overlaps tensor 'w");
  bad = bytes;
  write_u64(bad, entries[1].data_offset, read_u64(bytes, entries[1].data_offset) + 4);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w2': data offset");
  EXPECT_PARSE_ERROR(bad, "is not 64-byte aligned");
  bad = bytes;
  write_u64(bad, entries[0].data_offset, 64);  // inside the config/table
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w1': data offset 64 overlaps the header or tensor table");
  bad = bytes;
  write_u64(bad, entries[0].data_offset, 1ull << 62);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "tensor 'w1': data offset 4611686018427387904 beyond end of file (size " +
                              std::to_string(bytes.size()) + ")");
  bad = bytes;  // the last aligned slot before the checksum: 24 bytes do not fit
  write_u64(bad, entries[0].data_offset, (bytes.size() - 8) / 64 * 64);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "runs past the end of the tensor data");
}

// Structure-aware fuzzing: random edits in the header and table with a valid checksum must give
// an espnet::Error or a successful parse, never a crash or another exception.
TEST(ModelFile, TypedTensorsRoundTripAsVersion3) {
  const ModelFileContents c = typed_contents();
  Bytes bytes = encode_model_file(c);
  EXPECT_EQ(read_u32(bytes, 8), 3u);
  expect_same(c, parse_model_file(bytes.data(), bytes.size(), "typed"));
  ModelFileView view = parse_model_file_view(bytes.data(), bytes.size(), "typed");
  ASSERT_EQ(view.tensors.size(), c.tensors.size());
  const size_t first = small_contents().tensors.size();  // the codes, then the sums
  const ModelFileTensorView& codes = view.tensors[first];
  EXPECT_EQ(codes.dtype, ModelFileDType::kInt8);
  EXPECT_EQ(codes.numel, 16);
  EXPECT_EQ(codes.data, nullptr);  // not float32
  EXPECT_EQ(0u, (codes.bytes - bytes.data()) % 64);
  EXPECT_EQ(0, std::memcmp(codes.bytes, c.tensors[first].bytes.data(), 16));
  EXPECT_EQ(view.tensors[first + 1].numel, 3);
  // Float32 tensors alone still make a version-2 file, which older builds read.
  Bytes plain = encode_model_file(small_contents());
  EXPECT_EQ(read_u32(plain, 8), 2u);
}

TEST(ModelFile, RejectsBadDtypesAndSizes) {
  Bytes bytes = encode_model_file(typed_contents());
  // The codes' entry: its dtype field lies between its dims and its data offset.
  const size_t first = small_contents().tensors.size();
  size_t pos = read_u64(bytes, 40);
  for (size_t i = 0; i < first; ++i) {
    const uint32_t name = read_u32(bytes, pos);
    const uint32_t rank = read_u32(bytes, pos + 4 + name);
    pos += 4 + name + 4 + 8 * rank + 4 + 16;
  }
  const size_t dtype_at = pos + 4 + read_u32(bytes, pos) + 4 + 8 * 3;
  ASSERT_EQ(read_u32(bytes, dtype_at), 1u);
  Bytes bad = bytes;
  write_u32(bad, dtype_at, 7);
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "unknown dtype 7");
  bad = bytes;
  write_u32(bad, dtype_at, 2);  // int32: the 16 bytes no longer fit 16 elements
  model_file_detail::reseal(bad);
  EXPECT_PARSE_ERROR(bad, "does not match shape [2, 1, 8] (16 int32 = 64 bytes)");
  // A version-2 header over version-3 entries misreads the table and is refused, not trusted.
  bad = bytes;
  write_u32(bad, 8, 2);
  model_file_detail::reseal(bad);
  EXPECT_NE(parse_error(bad), "");
  // The writer refuses data that does not fit the dtype.
  ModelFileContents wrong = typed_contents();
  wrong.tensors[first].bytes.pop_back();
  EXPECT_THROW(encode_model_file(wrong), Error);
  wrong = typed_contents();
  wrong.tensors[first].values.push_back(1.0f);
  EXPECT_THROW(encode_model_file(wrong), Error);
}

TEST(ModelFile, RandomResealedEditsNeverCrash) {
  const uint32_t seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  int rejected = 0;
  for (int iteration = 0; iteration < 6000; ++iteration) {
    // Float-only (version 2) and typed (version 3) files.
    const Bytes bytes = encode_model_file(iteration % 2 ? typed_contents() : small_contents());
    const size_t table_end = read_u64(bytes, 40) + read_u64(bytes, 48);
    Bytes bad = bytes;
    for (int edits = 1 + rng() % 4; edits > 0; --edits) {
      size_t at = rng() % table_end;
      bad[at] = (rng() % 4 == 0) ? 0xff : static_cast<uint8_t>(rng());
    }
    model_file_detail::reseal(bad);
    try {
      parse_model_file(bad.data(), bad.size(), "fuzz");
    } catch (const Error&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "seed " << seed << " iteration " << iteration << ": " << e.what();
    }
  }
  EXPECT_GT(rejected, 0) << "seed " << seed;
}

TEST(ModelFile, WriterRefusesWhatTheLoaderWouldRefuse) {
  auto refuses = [](ModelFileTensor t, const std::string& fragment) {
    ModelFileContents c;
    c.tensors.push_back(std::move(t));
    try {
      encode_model_file(c, "out.espnet");
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      return;
    }
    ADD_FAILURE() << "accepted a tensor that should be refused: " << fragment;
  };
  refuses(make_tensor("", {2}), "empty name");
  refuses(make_tensor("a b", {2}), "printable ASCII");
  refuses(make_tensor(std::string(257, 'x'), {1}), "name length 257");
  // A rank-9 tensor cannot even be described: Shape holds at most 8 extents.
  EXPECT_THROW(Shape({1, 1, 1, 1, 1, 1, 1, 1, 1}), Error);
  ModelFileTensor short_values = make_tensor("short", {2, 3});
  short_values.values.pop_back();
  refuses(short_values, "5 values do not fit shape [2, 3]");
  refuses(float32_tensor("neg", {-1}, {}), "do not fit shape [-1]");
  ModelFileContents dup;
  dup.tensors = {make_tensor("same", {1}), make_tensor("same", {2})};
  EXPECT_THROW(encode_model_file(dup), Error);
}

TEST(ModelFile, MissingFileAndDirectoryGiveClearErrors) {
  std::string missing = ::testing::TempDir() + "/no_such_model.espnet";
  try {
    read_model_file(missing);
    ADD_FAILURE() << "read a missing file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  std::string dir = ::testing::TempDir();
  try {
    read_model_file(dir);
    ADD_FAILURE() << "read a directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_model_file(dir + "/no_such_dir/m.espnet", small_contents()), Error);
  std::string not_model = ::testing::TempDir() + "/not_model.espnet";
  const char text[] = "hello, this is not a model file at all, but it is long enough";
  write_file_atomic(not_model, text, sizeof text);
  try {
    read_model_file(not_model);
    ADD_FAILURE() << "read a text file";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(not_model + ": not an espnet model file", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace espnet
