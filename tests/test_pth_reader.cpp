// Tests of the .pth checkpoint reader: every reference checkpoint loads with the right keys,
// shapes and values; hand-built pickles and archives cover strides, dtypes and malicious or
// malformed input, which must always end in espnet::Error.
#include <gtest/gtest.h>
#include <omp.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "checkpoint/pickle_reader.h"
#include "checkpoint/pth_reader.h"
#include "checkpoint/zip_archive.h"
#include "espnet/error.h"
#include "file_util.h"
#include "support/process_threads.h"
#include "support/ref_data.h"

namespace espnet {
namespace {

using Bytes = std::vector<uint8_t>;

// ---------------------------------------------------------------------------------------------
// Builders for hand-made pickles, legacy checkpoints and zip archives.

class PickleWriter {
 public:
  PickleWriter& op(uint8_t c) {
    bytes.push_back(c);
    return *this;
  }
  PickleWriter& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  PickleWriter& proto(int v = 2) { return op(0x80).op(static_cast<uint8_t>(v)); }
  PickleWriter& global(const std::string& module, const std::string& name) {
    op('c');
    for (char c : module + "\n" + name + "\n") op(static_cast<uint8_t>(c));
    return *this;
  }
  PickleWriter& str(const std::string& s) {
    op('X').le(s.size(), 4);
    for (char c : s) op(static_cast<uint8_t>(c));
    return *this;
  }
  PickleWriter& short_str(const std::string& s) {
    op(0x8c).le(s.size(), 1);
    for (char c : s) op(static_cast<uint8_t>(c));
    return *this;
  }
  PickleWriter& integer(int64_t v) {
    if (v >= 0 && v < 256) return op('K').le(v, 1);
    if (v >= 0 && v < 65536) return op('M').le(v, 2);
    return op(0x8a).le(8, 1).le(static_cast<uint64_t>(v), 8);  // LONG1, 8 bytes
  }
  PickleWriter& mark() { return op('('); }
  PickleWriter& tuple() { return op('t'); }
  PickleWriter& reduce() { return op('R'); }
  PickleWriter& stop() { return op('.'); }
  PickleWriter& ordered_dict() { return global("collections", "OrderedDict").op(')').reduce(); }
  PickleWriter& ints(const std::vector<int64_t>& v) {
    mark();
    for (int64_t x : v) integer(x);
    return tuple();
  }
  Bytes bytes;
};

struct TensorSpec {
  std::string name;
  std::string storage_type;  // "FloatStorage", ...
  std::string key;
  int64_t storage_count;
  int64_t offset;
  std::vector<int64_t> size, stride;
};

// Pickles an OrderedDict of _rebuild_tensor_v2 calls; legacy ids carry a 6th None field.
Bytes state_dict_pickle(const std::vector<TensorSpec>& specs, bool legacy) {
  PickleWriter w;
  w.proto().ordered_dict().mark();
  for (const TensorSpec& t : specs) {
    w.str(t.name).global("torch._utils", "_rebuild_tensor_v2").mark();
    w.mark().str("storage").global("torch", t.storage_type).str(t.key).str("cpu");
    w.integer(t.storage_count);
    if (legacy) w.op('N');
    w.tuple().op('Q');
    w.integer(t.offset).ints(t.size).ints(t.stride).op(0x89).ordered_dict().tuple().reduce();
  }
  w.op('u').stop();
  return w.bytes;
}

void append(Bytes& to, const Bytes& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// A legacy checkpoint around a given state dict pickle; `storages` in key order as (key, count,
// raw bytes).
struct RawStorage {
  std::string key;
  uint64_t count;
  Bytes bytes;
};
Bytes legacy_file(const Bytes& state_pickle, const std::vector<RawStorage>& storages) {
  Bytes out;
  PickleWriter magic;
  magic.proto().op(0x8a).le(10, 1);
  for (uint8_t b : {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}) magic.op(b);
  append(out, magic.stop().bytes);
  append(out, PickleWriter().proto().op('M').le(1001, 2).stop().bytes);
  append(out, PickleWriter().proto().op('}').str("little_endian").op(0x88).op('s').stop().bytes);
  append(out, state_pickle);
  PickleWriter keys;
  keys.proto().op(']').mark();
  for (const RawStorage& s : storages) keys.str(s.key);
  append(out, keys.op('e').stop().bytes);
  for (const RawStorage& s : storages) {
    append(out, PickleWriter().le(s.count, 8).bytes);
    append(out, s.bytes);
  }
  return out;
}

// A stored (or, with method != 0, mislabelled) zip archive of the given entries.
Bytes zip_file(const std::vector<std::pair<std::string, Bytes>>& entries, uint16_t method = 0) {
  Bytes out, central;
  for (const auto& [name, data] : entries) {
    uint32_t crc = static_cast<uint32_t>(crc32_z(0, data.data(), data.size()));
    uint64_t local_at = out.size();
    PickleWriter h;  // only its little-endian helper is used
    h.le(0x04034b50, 4).le(20, 2).le(0, 2).le(method, 2).le(0, 4).le(crc, 4);
    h.le(data.size(), 4).le(data.size(), 4).le(name.size(), 2).le(0, 2);
    append(out, h.bytes);
    out.insert(out.end(), name.begin(), name.end());
    append(out, data);
    PickleWriter c;
    c.le(0x02014b50, 4).le(20, 2).le(20, 2).le(0, 2).le(method, 2).le(0, 4).le(crc, 4);
    c.le(data.size(), 4).le(data.size(), 4).le(name.size(), 2).le(0, 2).le(0, 2).le(0, 2);
    c.le(0, 2).le(0, 4).le(local_at, 4);
    append(central, c.bytes);
    central.insert(central.end(), name.begin(), name.end());
  }
  uint64_t cd_at = out.size();
  append(out, central);
  PickleWriter e;
  e.le(0x06054b50, 4).le(0, 2).le(0, 2).le(entries.size(), 2).le(entries.size(), 2);
  e.le(central.size(), 4).le(cd_at, 4).le(0, 2);
  append(out, e.bytes);
  return out;
}

Bytes floats_to_bytes(const std::vector<float>& v) {
  Bytes b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

Checkpoint parse(const Bytes& b, const std::string& name = "test.pth") {
  return parse_pth(b.data(), b.size(), name);
}

// Expects parse_pth to throw espnet::Error whose message contains every one of `needles`.
void expect_error(const Bytes& b, const std::vector<std::string>& needles) {
  try {
    parse(b, "evil.pth");
    ADD_FAILURE() << "no error, expected one mentioning '" << needles.at(0) << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    for (const std::string& n : needles)
      EXPECT_NE(msg.find(n), std::string::npos) << "message lacks '" << n << "': " << msg;
  }
}

// Wraps an arbitrary pickle as the state dict of a legacy checkpoint and of a zip checkpoint.
std::vector<Bytes> both_formats(const Bytes& state_pickle) {
  return {legacy_file(state_pickle, {}),
          zip_file({{"evil/data.pkl", state_pickle}, {"evil/version", {'3', '\n'}}})};
}

// ---------------------------------------------------------------------------------------------
// The reference checkpoints.

std::string checkpoint_path(const std::string& file) {
  return test::ref_path("checkpoints/" + file);
}

const std::vector<std::string> kAllCheckpoints = {"cls_s0.5_random_legacy.pth",
                                                  "cls_s1.0_random.pth",
                                                  "cls_s1.25_random_dataparallel.pth",
                                                  "cls_s1.5_random.pth",
                                                  "cls_s2.0_random.pth",
                                                  "det_ssd300_coco_s2.0_random.pth",
                                                  "det_ssd512_voc_s1.0_random.pth",
                                                  "espnetv2_s_0.5_city_1024x512.pth",
                                                  "espnetv2_s_0.5_pascal_384x384.pth",
                                                  "espnetv2_s_1.0_pascal_384x384.pth",
                                                  "espnetv2_s_2.0_city_1024x512.pth",
                                                  "espnetv2_s_2.0_pascal_384x384.pth",
                                                  "espnetv2orig_seg_city_s0.5.pth",
                                                  "espnetv2orig_seg_city_s1.0.pth"};

// The "tensors" count the manifest gives for `file`, or -1.
int manifest_tensor_count(const std::string& file) {
  Bytes m = read_file_bytes(test::ref_path("manifest.json"));
  std::string text(m.begin(), m.end());
  size_t at = text.find("\"file\": \"checkpoints/" + file + "\"");
  if (at == std::string::npos) return -1;
  size_t next = text.find("\"file\":", at + 1);
  size_t t = text.find("\"tensors\":", at);
  if (t == std::string::npos || (next != std::string::npos && t > next)) return -1;
  return std::atoi(text.c_str() + t + 10);
}

bool is_legacy_name(const std::string& f) {
  return f.rfind("espnetv2", 0) == 0 || f == "cls_s0.5_random_legacy.pth";
}

TEST(PthReader, EveryReferenceCheckpointLoads) {
  ESPNET_REQUIRE_REF_DATA();
  int with_counts = 0;
  for (const std::string& f : kAllCheckpoints) {
    SCOPED_TRACE(f);
    Checkpoint c = read_pth(checkpoint_path(f));
    EXPECT_EQ(c.format, is_legacy_name(f) ? "legacy" : "zip");
    ASSERT_FALSE(c.tensors.empty());
    int expected = manifest_tensor_count(f);
    if (expected >= 0) {
      ++with_counts;
      EXPECT_EQ(static_cast<int>(c.tensors.size()), expected);
    }
    for (const CheckpointTensor& t : c.tensors) {
      EXPECT_NE(t.name.rfind("module.", 0), 0u) << t.name;
      EXPECT_EQ(static_cast<int64_t>(t.values.size()), shape_numel(t.shape)) << t.name;
      EXPECT_EQ(c.find(t.name), &t);
      bool counter =
          t.name.size() > 20 && t.name.compare(t.name.size() - 20, 20, ".num_batches_tracked") == 0;
      EXPECT_EQ(t.dtype, counter ? "int64" : "float32") << t.name;
      // Values that can fail: BN variances positive, counters non-negative integers, no NaN.
      if (counter) {
        ASSERT_EQ(t.values.size(), 1u);
        EXPECT_GE(t.values[0], 0.0f);
        EXPECT_EQ(t.values[0], std::floor(t.values[0]));
      }
      bool variance =
          t.name.size() > 12 && t.name.compare(t.name.size() - 12, 12, ".running_var") == 0;
      for (float v : t.values) {
        ASSERT_TRUE(std::isfinite(v)) << t.name;
        if (variance) {
          ASSERT_GT(v, 0.0f) << t.name;
        }
      }
    }
  }
  EXPECT_GE(with_counts, 8);  // the manifest gives counts for the cls, det and orig files
}

// Model::load reads float32 storages where they lie (borrow_float32): the same values as the
// copying parse, pointers inside the parsed bytes, and in zip files (whose storages torch.save
// aligns) every float32 tensor borrowed; int64 counters are still converted.
TEST(PthReader, BorrowedFloat32TensorsEqualCopiedOnes) {
  ESPNET_REQUIRE_REF_DATA();
  for (const std::string& f : kAllCheckpoints) {
    SCOPED_TRACE(f);
    const Bytes bytes = read_file_bytes(checkpoint_path(f));
    const Checkpoint copied = parse(bytes);
    const Checkpoint borrowed = parse_pth(bytes.data(), bytes.size(), f, true);
    ASSERT_EQ(copied.tensors.size(), borrowed.tensors.size());
    size_t in_place = 0;
    for (size_t i = 0; i < copied.tensors.size(); ++i) {
      const CheckpointTensor& a = copied.tensors[i];
      const CheckpointTensor& b = borrowed.tensors[i];
      ASSERT_EQ(a.name, b.name);
      ASSERT_EQ(a.shape, b.shape);
      EXPECT_EQ(a.borrowed, nullptr);
      const size_t n = static_cast<size_t>(shape_numel(a.shape));
      if (b.borrowed) {
        ++in_place;
        EXPECT_TRUE(b.values.empty());
        const auto* p = reinterpret_cast<const uint8_t*>(b.borrowed);
        EXPECT_TRUE(p >= bytes.data() && p + 4 * n <= bytes.data() + bytes.size()) << a.name;
        EXPECT_EQ(a.dtype, "float32");
      }
      ASSERT_EQ(std::memcmp(a.data(), b.data(), 4 * n), 0) << a.name;
    }
    if (!is_legacy_name(f)) {
      size_t float32 = 0;
      for (const CheckpointTensor& t : copied.tensors) float32 += t.dtype == "float32";
      EXPECT_EQ(in_place, float32);
    }
  }
}

TEST(PthReader, KnownShapesAndPrefixStripping) {
  ESPNET_REQUIRE_REF_DATA();
  Checkpoint s05 = read_pth(checkpoint_path("cls_s0.5_random_legacy.pth"));
  ASSERT_NE(s05.find("level1.conv.weight"), nullptr);
  EXPECT_EQ(s05.find("level1.conv.weight")->shape, Shape({16, 3, 3, 3}));
  EXPECT_EQ(s05.find("classifier.weight")->shape, Shape({1000, 1024}));
  EXPECT_EQ(s05.find("level1.bn.num_batches_tracked")->shape, Shape({}));
  EXPECT_EQ(s05.tensors.front().name, "level1.conv.weight");
  EXPECT_EQ(s05.tensors.back().name, "classifier.bias");
  EXPECT_EQ(s05.find("no.such.key"), nullptr);

  Checkpoint dp = read_pth(checkpoint_path("cls_s1.25_random_dataparallel.pth"));
  EXPECT_EQ(dp.format, "zip");
  ASSERT_NE(dp.find("level1.conv.weight"), nullptr);
  EXPECT_EQ(dp.find("module.level1.conv.weight"), nullptr);
  EXPECT_EQ(dp.find("classifier.weight")->shape, Shape({1000, 1024}));

  Checkpoint orig = read_pth(checkpoint_path("espnetv2orig_seg_city_s0.5.pth"));
  EXPECT_EQ(orig.format, "legacy");
  EXPECT_EQ(orig.tensors.front().name, "net.level1.conv.weight");
  EXPECT_EQ(orig.tensors.back().name, "project_l1.1.conv.weight");
}

// Expected values computed independently (Python's pickle + struct on the raw storages).
TEST(PthReader, ValuesMatchAnIndependentDecoder) {
  ESPNET_REQUIRE_REF_DATA();
  struct Case {
    const char* file;
    const char* tensor;
    float first[3];
    double sum;
    float counter;  // level1.bn.num_batches_tracked (with the file's prefix)
    const char* counter_name;
  };
  const Case cases[] = {
      {"cls_s1.0_random.pth",
       "level1.conv.weight",
       {0.0263008773f, -0.166564763f, 0.0650615245f},
       -4.12486438,
       50029,
       "level1.bn.num_batches_tracked"},
      {"cls_s0.5_random_legacy.pth",
       "classifier.weight",
       {-0.060327474f, 0.0195999593f, 0.00456427131f},
       -91.7587469,
       41865,
       "level1.bn.num_batches_tracked"},
      {"cls_s1.25_random_dataparallel.pth",
       "classifier.weight",
       {-0.083018899f, -0.0448752306f, -0.0570057593f},
       35.583382,
       11299,
       "level1.bn.num_batches_tracked"},
      {"espnetv2_s_0.5_pascal_384x384.pth",
       "base_net.level1.conv.weight",
       {-0.29513979f, -0.439231336f, -0.411418974f},
       -1.28295148,
       1461167,
       "base_net.level1.bn.num_batches_tracked"},
      {"det_ssd300_coco_s2.0_random.pth",
       "base_net.basenet.level1.conv.weight",
       {0.313235313f, 0.0165879745f, 0.300904959f},
       -3.97875855,
       32237,
       "base_net.basenet.level1.bn.num_batches_tracked"},
      {"espnetv2orig_seg_city_s0.5.pth",
       "net.level1.conv.weight",
       {0.0115332957f, -0.112562105f, -0.129450604f},
       -0.0613511874,
       1398141,
       "net.level1.bn.num_batches_tracked"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.file);
    Checkpoint c = read_pth(checkpoint_path(k.file));
    const CheckpointTensor* t = c.find(k.tensor);
    ASSERT_NE(t, nullptr);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(t->values[i], k.first[i]) << i;
    double sum = 0;
    for (float v : t->values) sum += v;
    EXPECT_NEAR(sum, k.sum, 1e-4 * (1 + std::fabs(k.sum)));
    const CheckpointTensor* counter = c.find(k.counter_name);
    ASSERT_NE(counter, nullptr);
    EXPECT_EQ(counter->dtype, "int64");
    EXPECT_EQ(counter->values.at(0), k.counter);
  }
}

TEST(PthReader, ZipEqualsARebuiltLegacyFile) {
  ESPNET_REQUIRE_REF_DATA();
  Checkpoint zip = read_pth(checkpoint_path("cls_s1.0_random.pth"));
  // Rewrite every tensor as a legacy checkpoint (float32 / int64 storages), read it back.
  std::vector<TensorSpec> specs;
  std::vector<RawStorage> storages;
  for (size_t i = 0; i < zip.tensors.size(); ++i) {
    const CheckpointTensor& t = zip.tensors[i];
    TensorSpec s{t.name,
                 t.dtype == "int64" ? "LongStorage" : "FloatStorage",
                 std::to_string(i),
                 static_cast<int64_t>(t.values.size()),
                 0,
                 t.shape.to_vector(),
                 {}};
    int64_t stride = 1;
    s.stride.resize(t.shape.size());
    for (size_t d = t.shape.size(); d-- > 0;) s.stride[d] = stride, stride *= t.shape[d];
    specs.push_back(s);
    Bytes raw;
    if (t.dtype == "int64") {
      for (float v : t.values) append(raw, PickleWriter().le(static_cast<int64_t>(v), 8).bytes);
    } else {
      raw = floats_to_bytes(t.values);
    }
    storages.push_back({s.key, t.values.size(), raw});
  }
  Checkpoint legacy = parse(legacy_file(state_dict_pickle(specs, true), storages), "rebuilt");
  EXPECT_EQ(legacy.format, "legacy");
  ASSERT_EQ(legacy.tensors.size(), zip.tensors.size());
  for (size_t i = 0; i < zip.tensors.size(); ++i) {
    EXPECT_EQ(legacy.tensors[i].name, zip.tensors[i].name);
    EXPECT_EQ(legacy.tensors[i].shape, zip.tensors[i].shape);
    EXPECT_EQ(legacy.tensors[i].values, zip.tensors[i].values) << zip.tensors[i].name;
  }
}

TEST(PthReader, ReadsTheLargestCheckpoint) {
  ESPNET_REQUIRE_REF_DATA();
  auto start = std::chrono::steady_clock::now();
  Checkpoint c = read_pth(checkpoint_path("det_ssd300_coco_s2.0_random.pth"));
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // Printed, not asserted: a unit test cannot time anything reliably on a shared machine (the
  // load time is measured side by side with `espnet bench --json`'s load_ms instead).
  std::printf("det_ssd300 (24 MB, %zu tensors) loaded in %.1f ms\n", c.tensors.size(), ms);
  ASSERT_FALSE(c.tensors.empty());
  for (const CheckpointTensor& t : c.tensors)
    EXPECT_EQ(static_cast<int64_t>(t.values.size()), shape_numel(t.shape)) << t.name;
}

TEST(PthReader, LooksLikePth) {
  Bytes legacy = legacy_file(state_dict_pickle({}, true), {});
  EXPECT_TRUE(looks_like_pth(legacy.data(), legacy.size()));
  Bytes zip = zip_file({{"a/data.pkl", state_dict_pickle({}, false)}});
  EXPECT_TRUE(looks_like_pth(zip.data(), zip.size()));
  Bytes npy = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  EXPECT_FALSE(looks_like_pth(npy.data(), npy.size()));
  EXPECT_FALSE(looks_like_pth(legacy.data(), 3));
  EXPECT_FALSE(looks_like_pth(nullptr, 0));
}

// ---------------------------------------------------------------------------------------------
// Hand-built checkpoints: strides, offsets, dtypes, wrappers.

TEST(PthReader, AppliesOffsetAndStridesForEveryDtype) {
  // Storage 0..11; a [3, 2] view at offset 1 with strides (1, 4): element (i, j) = 1 + i + 4j,
  // i.e. a transposed slice.
  std::vector<TensorSpec> specs;
  std::vector<RawStorage> storages;
  const char* types[] = {"FloatStorage", "DoubleStorage", "HalfStorage", "LongStorage",
                         "IntStorage"};
  for (int k = 0; k < 5; ++k) {
    std::string key = std::to_string(k);
    specs.push_back({std::string("t_") + types[k], types[k], key, 12, 1, {3, 2}, {1, 4}});
    Bytes raw;
    for (int i = 0; i < 12; ++i) {
      float f = static_cast<float>(i);
      double d = i;
      int64_t l = i;
      int32_t n = i;
      uint16_t h = static_cast<uint16_t>(i == 0 ? 0 : 0x3c00);  // 1.0 in half, exact for 0..11
      if (i > 0) {  // half of integer i: exponent of its top bit, mantissa from the rest
        int e = 0;
        while ((i >> (e + 1)) > 0) ++e;
        h = static_cast<uint16_t>(((15 + e) << 10) | ((i - (1 << e)) << (10 - e)));
      }
      const void* src[] = {&f, &d, &h, &l, &n};
      size_t len[] = {4, 8, 2, 8, 4};
      const uint8_t* p = static_cast<const uint8_t*>(src[k]);
      raw.insert(raw.end(), p, p + len[k]);
    }
    storages.push_back({key, 12, raw});
  }
  // A scalar at offset 11 and a broadcast (stride 0) row.
  specs.push_back({"scalar", "FloatStorage", "0", 12, 11, {}, {}});
  specs.push_back({"broadcast", "FloatStorage", "0", 12, 5, {2, 3}, {0, 1}});
  specs.push_back({"empty", "FloatStorage", "0", 12, 0, {0, 4}, {4, 1}});
  Checkpoint c = parse(legacy_file(state_dict_pickle(specs, true), storages));
  const std::vector<float> expected = {1, 5, 2, 6, 3, 7};
  const char* dtypes[] = {"float32", "float64", "float16", "int64", "int32"};
  for (int k = 0; k < 5; ++k) {
    const CheckpointTensor* t = c.find(std::string("t_") + types[k]);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dtype, dtypes[k]);
    EXPECT_EQ(t->shape, Shape({3, 2}));
    EXPECT_EQ(t->values, expected) << types[k];
  }
  EXPECT_EQ(c.find("scalar")->values, std::vector<float>({11}));
  EXPECT_EQ(c.find("broadcast")->values, std::vector<float>({5, 6, 7, 5, 6, 7}));
  EXPECT_EQ(c.find("empty")->shape, Shape({0, 4}));
  EXPECT_TRUE(c.find("empty")->values.empty());
  // The same in the zip layout (5-field persistent ids).
  std::vector<std::pair<std::string, Bytes>> entries = {
      {"x/data.pkl", state_dict_pickle(specs, false)}};
  for (const RawStorage& s : storages) entries.push_back({"x/data/" + s.key, s.bytes});
  Checkpoint z = parse(zip_file(entries));
  EXPECT_EQ(z.format, "zip");
  ASSERT_EQ(z.tensors.size(), c.tensors.size());
  for (size_t i = 0; i < z.tensors.size(); ++i) EXPECT_EQ(z.tensors[i].values, c.tensors[i].values);
}

TEST(PthReader, HalfPrecisionSpecialValues) {
  // 0x8000 -0, 0x0001 smallest subnormal, 0x7bff max, 0xfc00 -inf, 0x3555 ~1/3.
  const uint16_t h[] = {0x8000, 0x0001, 0x7bff, 0xfc00, 0x3555};
  Bytes raw(reinterpret_cast<const uint8_t*>(h), reinterpret_cast<const uint8_t*>(h) + 10);
  Checkpoint c = parse(legacy_file(
      state_dict_pickle({{"h", "HalfStorage", "0", 5, 0, {5}, {1}}}, true), {{"0", 5, raw}}));
  const std::vector<float>& v = c.tensors[0].values;
  EXPECT_TRUE(v[0] == 0 && std::signbit(v[0]));
  EXPECT_EQ(v[1], std::ldexp(1.0f, -24));
  EXPECT_EQ(v[2], 65504.0f);
  EXPECT_EQ(v[3], -INFINITY);
  EXPECT_FLOAT_EQ(v[4], 0.333251953125f);
}

TEST(PthReader, StripsModulePrefixAndUnwrapsTrainingCheckpoints) {
  Bytes raw = floats_to_bytes({1, 2});
  Bytes inner = state_dict_pickle({{"module.a", "FloatStorage", "0", 2, 0, {2}, {1}}}, false);
  // {'epoch': 3, 'state_dict': <inner>}: splice the inner dict (without PROTO/STOP) in.
  PickleWriter w;
  w.proto().op('}').mark().str("epoch").integer(3).str("state_dict");
  w.bytes.insert(w.bytes.end(), inner.begin() + 2, inner.end() - 1);
  w.op('u').stop();
  Checkpoint c = parse(zip_file({{"ck/data.pkl", w.bytes}, {"ck/data/0", raw}}));
  ASSERT_EQ(c.tensors.size(), 1u);
  EXPECT_EQ(c.tensors[0].name, "a");
  EXPECT_EQ(c.tensors[0].values, std::vector<float>({1, 2}));
}

TEST(PthReader, RejectsDuplicateKeys) {
  std::vector<TensorSpec> specs = {{"module.a", "FloatStorage", "0", 2, 0, {2}, {1}},
                                   {"a", "FloatStorage", "0", 2, 0, {2}, {1}}};
  expect_error(legacy_file(state_dict_pickle(specs, true), {{"0", 2, floats_to_bytes({1, 2})}}),
               {"evil.pth", "'a'", "twice"});
}

// ---------------------------------------------------------------------------------------------
// Malicious pickles: no global outside the allowlist is even looked up.

TEST(PthReaderSecurity, RefusesDangerousGlobals) {
  struct Evil {
    std::string module, name;
    bool stack_global;
  };
  const Evil evils[] = {{"os", "system", false},          {"builtins", "eval", true},
                        {"subprocess", "Popen", false},   {"posix", "system", false},
                        {"builtins", "exec", false},      {"torch", "load", true},
                        {"__builtin__", "getattr", false}};
  for (const Evil& e : evils) {
    PickleWriter w;
    w.proto(e.stack_global ? 4 : 2);
    if (e.stack_global) {
      w.short_str(e.module).short_str(e.name).op(0x93);
    } else {
      w.global(e.module, e.name);
    }
    w.str("touch /tmp/pwned").op(0x85).reduce().stop();
    std::vector<Bytes> files = both_formats(w.bytes);
    files.push_back(w.bytes);  // a bare pickle, no checkpoint header
    for (const Bytes& file : files) {
      SCOPED_TRACE(e.module + "." + e.name);
      expect_error(file, {"refusing to load global '" + e.module + "." + e.name + "'", "evil.pth"});
    }
  }
}

TEST(PthReaderSecurity, RefusesAGlobalHiddenInsideATensor) {
  // A legitimate-looking state dict whose second value is os.system('...').
  Bytes good = state_dict_pickle({{"a", "FloatStorage", "0", 1, 0, {1}, {1}}}, false);
  PickleWriter w;
  w.bytes.assign(good.begin(), good.end() - 2);  // drop SETITEMS, STOP
  w.str("b").global("os", "system").str("id").op(0x85).reduce().op('u').stop();
  expect_error(zip_file({{"e/data.pkl", w.bytes}, {"e/data/0", floats_to_bytes({1})}}),
               {"refusing to load global 'os.system'"});
}

TEST(PthReaderSecurity, RejectsNonTensorValuesAndOtherCalls) {
  // A value that is an int, and a tensor rebuilt by an allowed global with wrong arguments.
  PickleWriter w;
  w.proto().ordered_dict().mark().str("x").integer(5).op('u').stop();
  expect_error(both_formats(w.bytes)[0], {"'x'", "not a tensor"});
  PickleWriter v;
  v.proto().ordered_dict().mark().str("y").global("torch._utils", "_rebuild_tensor_v2");
  v.mark().integer(1).tuple().reduce().op('u').stop();
  expect_error(both_formats(v.bytes)[1], {"'y'", "not a tensor"});
  PickleWriter s;  // calling a storage type directly is not a tensor either
  s.proto().ordered_dict().mark().str("z").global("torch", "FloatStorage").op(')').reduce();
  s.op('u').stop();
  expect_error(both_formats(s.bytes)[0], {"'z'"});
}

TEST(PthReaderSecurity, BoundsNestingAndDeepStructures) {
  // 100000 MARKs: refused by the mark-depth limit.
  PickleWriter marks;
  marks.proto();
  for (int i = 0; i < 100000; ++i) marks.mark().op(']');
  marks.stop();
  for (const Bytes& f : both_formats(marks.bytes)) expect_error(f, {"MARK"});
  // A list nested 100000 deep (EMPTY_LIST x N, APPEND x N-1): no recursion anywhere, so it is
  // simply not a state dict.
  PickleWriter deep;
  deep.proto();
  for (int i = 0; i < 100000; ++i) deep.op(']');
  for (int i = 0; i < 99999; ++i) deep.op('a');
  deep.stop();
  for (const Bytes& f : both_formats(deep.bytes)) expect_error(f, {"not a state dict"});
  // The same chain built through the memo (append later-created lists into earlier ones).
  PickleWriter memo;
  memo.proto();
  for (int i = 0; i < 50000; ++i) memo.op(']').op('r').le(i, 4).op('0');
  for (int i = 0; i + 1 < 50000; ++i) memo.op('j').le(i, 4).op('j').le(i + 1, 4).op('a').op('0');
  memo.op('j').le(0, 4).stop();
  for (const Bytes& f : both_formats(memo.bytes)) expect_error(f, {"not a state dict"});
  // A dict containing itself.
  PickleWriter cycle;
  cycle.proto().op('}').op('q').le(0, 1).str("self").op('h').le(0, 1).op('s').stop();
  for (const Bytes& f : both_formats(cycle.bytes)) expect_error(f, {"'self'"});
  // A stack of a million values (DUP): refused by the stack limit.
  PickleWriter wide;
  wide.proto().op('N');
  for (int i = 0; i < 1100000; ++i) wide.op('2');
  wide.stop();
  expect_error(both_formats(wide.bytes)[0], {"stack"});
}

TEST(PthReaderSecurity, RejectsHugeDeclaredLengths) {
  const std::vector<std::pair<uint8_t, int>> ops = {{'X', 4},  {0x8d, 8}, {'T', 4}, {'B', 4},
                                                    {0x8e, 8}, {0x8b, 4}, {0x95, 8}};
  for (auto [op, width] : ops) {
    for (uint64_t length : {uint64_t{0xfffffff0}, uint64_t{1} << 62, ~uint64_t{0}, uint64_t{100}}) {
      PickleWriter w;
      w.proto(4).op(op).le(length, width);
      w.str("abc").stop();
      SCOPED_TRACE(std::to_string(op) + " length " + std::to_string(length));
      expect_error(both_formats(w.bytes)[0], {"evil.pth"});
    }
  }
  // A memo index far away is fine to store but a missing one is an error, not a resize.
  PickleWriter memo;
  memo.proto().op('N').op('r').le(0xfffffff0u, 4).op('j').le(0xffffff00u, 4).stop();
  expect_error(both_formats(memo.bytes)[0], {"memo"});
}

TEST(PthReaderSecurity, RejectsAbsurdStorageSizes) {
  for (int64_t count : {int64_t{1} << 40, int64_t{1} << 62, int64_t{600} << 20}) {
    Bytes pickle = state_dict_pickle({{"w", "FloatStorage", "0", count, 0, {2}, {1}}}, true);
    expect_error(legacy_file(pickle, {{"0", 2, floats_to_bytes({1, 2})}}), {"'w'", "2 GiB"});
    Bytes zpickle = state_dict_pickle({{"w", "FloatStorage", "0", count, 0, {2}, {1}}}, false);
    expect_error(zip_file({{"z/data.pkl", zpickle}, {"z/data/0", floats_to_bytes({1, 2})}}),
                 {"'w'", "2 GiB"});
  }
  // A storage count within the cap that the file does not hold.
  Bytes pickle = state_dict_pickle({{"w", "FloatStorage", "0", 1000, 0, {2}, {1}}}, true);
  expect_error(legacy_file(pickle, {{"0", 1000, floats_to_bytes({1, 2})}}), {"'0'", "truncated"});
  expect_error(
      zip_file({{"z/data.pkl",
                 state_dict_pickle({{"w", "FloatStorage", "0", 1000, 0, {2}, {1}}}, false)},
                {"z/data/0", floats_to_bytes({1, 2})}}),
      {"z/data/0", "bytes"});
  // A broadcast view over a tiny storage whose values would need more than 2 GiB.
  Bytes wide =
      state_dict_pickle({{"w", "FloatStorage", "0", 1, 0, {1 << 20, 1 << 20}, {0, 0}}}, true);
  expect_error(legacy_file(wide, {{"0", 1, floats_to_bytes({1})}}), {"'w'", "2 GiB"});
  // Unsupported dtype.
  Bytes b = state_dict_pickle({{"m", "BoolStorage", "0", 1, 0, {1}, {1}}}, true);
  expect_error(legacy_file(b, {{"0", 1, {1}}}), {"'m'", "bool"});
}

TEST(PthReaderSecurity, RejectsOutOfBoundsViews) {
  struct View {
    int64_t offset;
    std::vector<int64_t> size, stride;
  };
  const View views[] = {
      {1, {2, 3}, {3, 1}},                 // last element 6 of 6
      {0, {2, 3}, {4, 1}},                 // last element 6
      {6, {1}, {1}},                       // offset at the end
      {0, {7}, {1}},                       // too long
      {0, {2, 2}, {-1, 1}},                // negative stride
      {-1, {1}, {1}},                      // negative offset
      {0, {-2, 3}, {3, 1}},                // negative size
      {0, {3, 2}, {1}},                    // rank mismatch
      {0, {int64_t{1} << 62, 8}, {1, 1}},  // element count overflows
      {0, {2, 2}, {int64_t{1} << 62, 1}},  // stride arithmetic overflows
      {int64_t{1} << 62, {2}, {int64_t{1} << 62}},
  };
  for (const View& v : views) {
    SCOPED_TRACE(shape_to_string(v.size) + " / " + shape_to_string(v.stride));
    Bytes pickle =
        state_dict_pickle({{"v", "FloatStorage", "0", 6, v.offset, v.size, v.stride}}, true);
    expect_error(legacy_file(pickle, {{"0", 6, floats_to_bytes({0, 1, 2, 3, 4, 5})}}),
                 {"'v'", "evil.pth"});
  }
}

// ---------------------------------------------------------------------------------------------
// Malformed files: truncations, flipped bytes, bad archives.

void expect_truncations_fail(const Bytes& file, const std::string& name) {
  std::vector<size_t> cuts;
  for (size_t i = 0; i < 64 && i < file.size(); ++i) cuts.push_back(i);
  for (size_t k = 0; k < 200; ++k) cuts.push_back(file.size() * k / 200);
  cuts.push_back(file.size() - 1);
  for (size_t cut : cuts) {
    Bytes part(file.begin(), file.begin() + cut);  // exact size, so ASan sees any over-read
    EXPECT_THROW(parse(part, name + " cut at " + std::to_string(cut)), Error)
        << name << " cut at " << cut;
  }
}

TEST(PthReaderMalformed, TruncatedReferenceCheckpointsThrow) {
  ESPNET_REQUIRE_REF_DATA();
  for (const char* f : {"espnetv2_s_0.5_pascal_384x384.pth", "cls_s1.0_random.pth"}) {
    Bytes file = read_file_bytes(checkpoint_path(f));
    expect_truncations_fail(file, f);
  }
}

TEST(PthReaderMalformed, TruncatedBuiltCheckpointsThrow) {
  std::vector<TensorSpec> specs = {{"a", "FloatStorage", "0", 4, 0, {2, 2}, {2, 1}},
                                   {"b", "LongStorage", "1", 1, 0, {}, {}}};
  Bytes a = floats_to_bytes({1, 2, 3, 4}), b = PickleWriter().le(7, 8).bytes;
  expect_truncations_fail(legacy_file(state_dict_pickle(specs, true), {{"0", 4, a}, {"1", 1, b}}),
                          "legacy");
  expect_truncations_fail(
      zip_file({{"r/data.pkl", state_dict_pickle(specs, false)}, {"r/data/0", a}, {"r/data/1", b}}),
      "zip");
}

TEST(PthReaderMalformed, FlippedBytesNeverCrash) {
  ESPNET_REQUIRE_REF_DATA();
  uint32_t seed = std::random_device()();
  std::printf("FlippedBytesNeverCrash seed %u\n", seed);
  std::mt19937 rng(seed);
  for (const char* f : {"espnetv2_s_0.5_city_1024x512.pth", "cls_s1.0_random.pth"}) {
    Bytes file = read_file_bytes(checkpoint_path(f));
    // Flip bytes in the pickles/headers (start of the file) and in the zip directory (end).
    size_t head = std::min<size_t>(file.size(), 110000), tail = 40000;
    int loaded = 0, failed = 0;
    for (int trial = 0; trial < 150; ++trial) {
      Bytes bad = file;
      size_t at = trial % 2 ? rng() % head : file.size() - 1 - rng() % tail;
      bad[at] ^= static_cast<uint8_t>(1 + rng() % 255);
      try {
        parse(bad, f);
        ++loaded;  // e.g. a flipped weight byte in the legacy format
      } catch (const Error&) {
        ++failed;
      }
    }
    std::printf("%s: %d flipped copies loaded, %d refused\n", f, loaded, failed);
    EXPECT_GT(failed, 0);
  }
}

TEST(PthReaderMalformed, RejectsCompressedAndIncompleteZips) {
  Bytes pickle = state_dict_pickle({{"a", "FloatStorage", "0", 1, 0, {1}, {1}}}, false);
  Bytes raw = floats_to_bytes({1});
  expect_error(zip_file({{"c/data.pkl", pickle}, {"c/data/0", raw}}, 8),
               {"compressed", "method 8", "c/data.pkl"});
  expect_error(zip_file({{"c/other.pkl", pickle}, {"c/data/0", raw}}), {"data.pkl"});
  expect_error(zip_file({{"c/data.pkl", pickle}}), {"c/data/0"});
  expect_error(zip_file({{"c/data.pkl", pickle}, {"c/data/0", raw}, {"c/data/0", raw}}), {"twice"});
  expect_error(zip_file({{"c/data.pkl", pickle}, {"d/data.pkl", pickle}}), {"two"});
  // A corrupted storage byte is caught by the CRC.
  Bytes z = zip_file({{"c/data.pkl", pickle}, {"c/data/0", raw}});
  Bytes corrupt = z;
  size_t at = std::search(corrupt.begin(), corrupt.end(), raw.begin(), raw.end()) - corrupt.begin();
  corrupt[at] ^= 1;
  expect_error(corrupt, {"CRC"});
  EXPECT_EQ(parse(z).tensors.at(0).values, std::vector<float>({1}));
}

// Storages over 1 MiB are checked in slices on several threads and the slices' CRCs combined: a
// flipped byte in any slice, of any entry, is still caught, and intact files still load.
TEST(PthReaderMalformed, CrcOfBigStoragesCheckedInSlices) {
  const int64_t n = 1500000;  // 6 MB: six slices, enough to be checked on several threads
  std::vector<float> big(static_cast<size_t>(n)), small = {1, 2, 3};
  for (int64_t i = 0; i < n; ++i) big[static_cast<size_t>(i)] = static_cast<float>(i % 977) * 0.5f;
  Bytes pickle = state_dict_pickle(
      {{"a", "FloatStorage", "0", 3, 0, {3}, {1}}, {"b", "FloatStorage", "1", n, 0, {n}, {1}}},
      false);
  Bytes big_raw = floats_to_bytes(big);
  Bytes z = zip_file(
      {{"c/data.pkl", pickle}, {"c/data/0", floats_to_bytes(small)}, {"c/data/1", big_raw}});
  const size_t big_at = std::search(z.begin(), z.end(), big_raw.begin(), big_raw.end()) - z.begin();
  ASSERT_LT(big_at, z.size());
  const int threads_before = test::process_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const Checkpoint c = parse(z);
    if (threads_before == 1) {  // a fresh process (ctest): the checking threads are gone again
      EXPECT_EQ(test::process_threads(), 1) << "the CRC left a thread running";
    }
    ASSERT_EQ(c.tensors.size(), 2u);
    EXPECT_EQ(c.find("b")->values, big);
    for (size_t offset :
         {size_t{0}, size_t{1} << 20, (size_t{4} << 20) + 12345, big_raw.size() - 1}) {
      Bytes corrupt = z;
      corrupt[big_at + offset] ^= 0x40;
      expect_error(corrupt, {"CRC", "c/data/1"});
    }
  }
  omp_set_num_threads(1);
}

TEST(PthReaderMalformed, RejectsPatchedReferenceZip) {
  ESPNET_REQUIRE_REF_DATA();
  Bytes file = read_file_bytes(checkpoint_path("cls_s1.0_random.pth"));
  // Central directory entry of data.pkl: patch its method, then (separately) its name.
  const std::string name = "cls_s1.0_random/data.pkl";
  std::string text(file.begin(), file.end());
  size_t central = text.rfind("PK\x01\x02", text.rfind(name));
  ASSERT_NE(central, std::string::npos);
  Bytes deflated = file;
  deflated[central + 10] = 8;
  expect_error(deflated, {"compressed", name});
  Bytes renamed = file;
  for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1))
    renamed[at + name.size() - 5] = 'x';  // data.pkl -> dataxpkl, in both headers
  expect_error(renamed, {"data.pkl"});
}

TEST(PthReaderMalformed, RejectsNonCheckpoints) {
  expect_error({}, {"not a PyTorch"});
  expect_error({'h', 'e', 'l', 'l', 'o'}, {"not a PyTorch"});
  Bytes pickle_only = state_dict_pickle({}, true);  // a pickle without the legacy header
  expect_error(pickle_only, {"magic"});
  EXPECT_THROW(read_pth("/nonexistent/model.pth"), Error);
}

}  // namespace
}  // namespace espnet
