// The memory plan: placement (no two blocks alive at once share a byte), the planned run against
// the unplanned one (bit-identical outputs on every reference case, with freed memory poisoned),
// the pool's fall-back when a run leaves its plan, and the memory limit's error; runs that end
// with a segmentation model's labels against the argmax of its logits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "asan_regions.h"
#include "available_memory.h"
#include "espnet/error.h"
#include "espnet/npy.h"
#include "espnet/session.h"
#include "espnet/tasks.h"
#include "memory_plan.h"
#include "postprocess/segmentation_labels.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"
#include "tensor_pool.h"

namespace espnet {
namespace {

using detail::AllocationEvent;
using detail::MemoryPlan;

// Blocks alive at the same time must not share a byte; offsets keep the Tensor alignment.
void expect_valid_placement(const MemoryPlan& plan) {
  const size_t blocks = plan.sizes.size(), end = plan.events.size();
  std::vector<size_t> first(blocks, end), last(blocks, end);
  for (size_t e = 0; e < end; ++e)
    (plan.events[e].release ? last : first)[plan.events[e].block] = e;
  for (size_t a = 0; a < blocks; ++a) {
    EXPECT_EQ(plan.offsets[a] % detail::kBlockAlignment, 0u);
    EXPECT_LE(plan.offsets[a] + plan.sizes[a], plan.arena_bytes);
    for (size_t b = a + 1; b < blocks; ++b) {
      const bool together = first[a] < last[b] && first[b] < last[a];
      const bool share = plan.offsets[a] < plan.offsets[b] + plan.sizes[b] &&
                         plan.offsets[b] < plan.offsets[a] + plan.sizes[a];
      ASSERT_FALSE(together && share) << "blocks " << a << " and " << b << " overlap";
    }
  }
  EXPECT_GE(plan.arena_bytes, plan.peak_live_bytes);
  EXPECT_LE(plan.arena_bytes, plan.total_bytes);
}

TEST(MemoryPlan, BlocksThatNeverMeetShareMemory) {
  // a: [0, 2), b: [2, 4), c lives to the end alongside b.
  const MemoryPlan plan = detail::plan_memory(
      {1000, 1000, 64}, {{0, false}, {0, true}, {1, false}, {2, false}, {1, true}});
  expect_valid_placement(plan);
  EXPECT_EQ(plan.sizes[0], 1024u);  // rounded up to the alignment
  EXPECT_EQ(plan.offsets[0], plan.offsets[1]);
  EXPECT_EQ(plan.peak_live_bytes, 1024u + 64u);
  EXPECT_EQ(plan.arena_bytes, 1024u + 64u);
  EXPECT_EQ(plan.total_bytes, 2048u + 64u);
}

TEST(MemoryPlan, RandomLifetimesNeverOverlap) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<size_t> sizes;
    std::vector<AllocationEvent> events;
    std::vector<int32_t> live;
    for (int step = 0; step < 300; ++step) {
      if (live.empty() || rng() % 3 != 0) {
        live.push_back(int32_t(sizes.size()));
        events.push_back({live.back(), false});
        sizes.push_back(1 + rng() % (rng() % 4 == 0 ? 1000000 : 5000));
      } else {
        const size_t i = rng() % live.size();
        events.push_back({live[i], true});
        live.erase(live.begin() + std::ptrdiff_t(i));
      }
    }
    const MemoryPlan plan = detail::plan_memory(sizes, events);
    expect_valid_placement(plan);
  }
}

TEST(MemoryPlan, InconsistentEventsAreRefused) {
  EXPECT_THROW(detail::plan_memory({64}, {{0, false}, {0, true}, {0, true}}), Error);
  EXPECT_THROW(detail::plan_memory({64}, {{0, true}}), Error);
  EXPECT_THROW(detail::plan_memory({64, 64}, {{0, false}}), Error);  // block 1 never acquired
}

TEST(TensorPool, PoisonsFreedBlocksAndFallsBackWhenTheRunDiffers) {
  detail::TensorPool pool;
  pool.set_poison(true);
  pool.begin_recording();
  void* a = pool.acquire(256);
  pool.release(a);
  void* b = pool.acquire(256);
  pool.release(b);
  const MemoryPlan plan = pool.finish_recording();
  ASSERT_EQ(plan.sizes.size(), 2u);
  EXPECT_EQ(plan.arena_bytes, 256u + detail::kAsanRedzone);  // both blocks at one offset

  ASSERT_TRUE(pool.begin_planned_run(&plan, 1));
  float* x = static_cast<float*>(pool.acquire(256));
  EXPECT_TRUE(std::isnan(x[0]));  // handed out poisoned
  x[0] = 1.0f;
  pool.release(x);
  // Freed: poisoned again (the arena stays mapped; under ASan reading it is itself an error).
  if (!detail::kAddressSanitizer) {
    EXPECT_TRUE(std::isnan(x[0]));
  }
  // The run now differs from the plan (a larger block): it must get memory of its own.
  float* y = static_cast<float*>(pool.acquire(4096));
  std::memset(y, 0, 4096);
  EXPECT_EQ(pool.fallback_allocations(), 1u);
  pool.release(y);
  MemoryPlan replan;
  ASSERT_TRUE(pool.end_run(&replan));
  EXPECT_EQ(replan.sizes.size(), 2u);
  EXPECT_EQ(replan.sizes[1], 4096u + detail::kAsanRedzone);
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), size_t(a.numel()) * sizeof(float)) == 0;
}

// Every reference case: the planned run (twice: the second reuses memory the first has
// written) gives exactly the outputs of a run whose every tensor has memory of its own, with
// every block NaN-filled when handed out and when freed, and never leaves its plan.
TEST(PlannedRun, BitIdenticalToUnplannedOnEveryReferenceCase) {
  ESPNET_REQUIRE_REF_DATA();
  int cases = 0;
  for (const test::Json& c : test::manifest()["cases"].array()) {
    SCOPED_TRACE(c["name"].str());
    auto model = test::load_reference_model(c["checkpoint"].str());
    const Tensor input = read_npy_f32(test::ref_path(c["input"]["file"].str()));
    SessionOptions unplanned_options;
    unplanned_options.plan_memory = false;
    unplanned_options.poison_memory = true;
    Session unplanned(model, unplanned_options);
    const std::vector<NamedTensor> expected = unplanned.run(input);
    SessionOptions planned_options;
    planned_options.poison_memory = true;
    Session planned(model, planned_options);
    for (int run = 0; run < 2; ++run) {
      const std::vector<NamedTensor>& got = planned.run(input);
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_TRUE(bit_identical(got[i].value, expected[i].value))
            << "output " << got[i].name << ", run " << run;
    }
    EXPECT_EQ(planned.plan_fallback_allocations(), 0u) << "a run left its plan";
    const MemoryEstimate estimate = planned.memory_plan(input.shape());
    EXPECT_GE(estimate.arena_bytes, estimate.live_bytes);
    EXPECT_LE(estimate.arena_bytes, estimate.total_bytes);
    EXPECT_GE(planned.activation_bytes(), estimate.arena_bytes);
    ++cases;
  }
  EXPECT_GT(cases, 10);
}

// RunOutputs::kLabels on every segmentation case: the labels equal the argmax of the logits run,
// pixel for pixel, on planned runs with poisoned memory (twice: the second reuses the first's
// memory); the plan never holds more, and the task gives the same result either way.
TEST(LabelsRun, SameLabelsAsTheArgmaxOfTheLogitsOnEverySegmentationCase) {
  ESPNET_REQUIRE_REF_DATA();
  int cases = 0;
  for (const test::Json& c : test::manifest()["cases"].array()) {
    if (c["task"].str() != "segmentation") continue;
    SCOPED_TRACE(c["name"].str());
    auto model = test::load_reference_model(c["checkpoint"].str());
    const Tensor input = read_npy_f32(test::ref_path(c["input"]["file"].str()));
    SessionOptions options;
    options.poison_memory = true;
    Session session(model, options);
    const Tensor logits = session.run(input)[0].value;  // a copy: the next run overwrites it
    const int64_t batch = logits.dim(0);
    for (int run = 0; run < 2; ++run) {
      const std::vector<NamedTensor>& got = session.run(input, RunOutputs::kLabels);
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].name, "labels");
      ASSERT_EQ(got[0].value.shape(), Shape({batch, 1, logits.dim(2), logits.dim(3)}));
      for (int64_t b = 0; b < batch; ++b)
        EXPECT_EQ(labels_from_tensor(got[0].value, b), argmax_labels(logits, b))
            << "image " << b << ", run " << run;
    }
    EXPECT_EQ(session.plan_fallback_allocations(), 0u);
    const MemoryEstimate with_logits = session.memory_plan(input.shape());
    const MemoryEstimate with_labels = session.memory_plan(input.shape(), RunOutputs::kLabels);
    EXPECT_LE(with_labels.arena_bytes, with_logits.arena_bytes);
    EXPECT_LT(with_labels.total_bytes, with_logits.total_bytes);
    ++cases;
  }
  EXPECT_GE(cases, 9);

  // The task: without the logits the run ends with the labels; the result is the same.
  auto model = test::load_reference_model("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  Image photo;
  photo.width = 150, photo.height = 100, photo.channels = 3;
  photo.pixels.resize(size_t(photo.width) * photo.height * 3);
  std::mt19937 rng(3);
  for (uint8_t& v : photo.pixels) v = static_cast<uint8_t>(rng() & 0xff);
  Session session(model);
  SegmentOptions keep, drop;
  drop.keep_logits = false;
  const SegmentationResult full = segment(session, photo, keep);
  const SegmentationResult light = segment(session, photo, drop);
  EXPECT_EQ(light.network_labels, full.network_labels);
  EXPECT_EQ(light.labels, full.labels);
  EXPECT_EQ(light.logits.numel(), 0);
  EXPECT_EQ(full.logits.dim(1), 21);
}

TEST(LabelsRun, RefusedForModelsThatAreNotSegmentation) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = test::load_reference_model("checkpoints/cls_s0.5_random_legacy.pth");
  Session session(model);
  Tensor input({1, 3, 224, 224});
  try {
    session.run(input, RunOutputs::kLabels);
    FAIL() << "a classification model ran with labels";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("classification"), std::string::npos) << e.what();
  }
  EXPECT_THROW(session.prepare({1, 3, 224, 224}, RunOutputs::kLabels), Error);
  EXPECT_EQ(session.activation_bytes(), 0u);
}

TEST(MemoryLimit, RunOverTheLimitFailsBeforeAllocating) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = test::load_reference_model("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  SessionOptions options;
  options.memory_limit_bytes = size_t{1} << 20;
  Session session(model, options);
  const MemoryEstimate estimate = session.memory_plan({1, 3, 384, 512});
  ASSERT_GT(estimate.arena_bytes, options.memory_limit_bytes);
  Tensor input({1, 3, 384, 512});
  try {
    session.run(input);
    FAIL() << "a run over the limit did not throw";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("[1, 3, 384, 512]"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(estimate.arena_bytes) + " bytes"), std::string::npos)
        << message;
    EXPECT_NE(message.find("1048576 bytes"), std::string::npos) << message;
  }
  EXPECT_EQ(session.activation_bytes(), 0u) << "memory was mapped before the limit check";
  // A size that fits still runs on the same session.
  options.memory_limit_bytes = estimate.arena_bytes;
  Session roomy(model, options);
  EXPECT_NO_THROW(roomy.run(input));
}

// Session::prepare maps the arena a shape needs ahead of its first run, from another thread too,
// changes nothing in the run's outputs, and refuses what run() would refuse.
TEST(Prepare, MapsTheArenaAheadAndChangesNoOutput) {
  ESPNET_REQUIRE_REF_DATA();
  auto model = test::load_reference_model("checkpoints/espnetv2_s_0.5_pascal_384x384.pth");
  const Shape shape = {1, 3, 96, 128};
  Tensor input(shape);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> values(-2.0f, 2.0f);
  for (int64_t i = 0; i < input.numel(); ++i) input.data()[i] = values(rng);
  const Tensor expected = Session(model).run(input)[0].value;

  Session session(model);
  std::thread warm_up([&] { session.prepare(shape); });
  warm_up.join();
  const size_t prepared = session.activation_bytes();
  EXPECT_GE(prepared, session.memory_plan(shape).arena_bytes);  // rounded up to huge pages
  EXPECT_GT(prepared, 0u);
  const Tensor got = session.run(input)[0].value;
  EXPECT_EQ(session.activation_bytes(), prepared) << "the first run mapped memory again";
  ASSERT_EQ(got.shape(), expected.shape());
  EXPECT_EQ(std::memcmp(got.data(), expected.data(), size_t(got.numel()) * sizeof(float)), 0);

  EXPECT_THROW(session.prepare({1, 1, 96, 128}), Error);  // not an RGB input
  SessionOptions tight;
  tight.memory_limit_bytes = size_t{1} << 16;
  Session small(model, tight);
  EXPECT_THROW(small.prepare(shape), Error);
  EXPECT_EQ(small.activation_bytes(), 0u) << "memory was mapped over the limit";
}

TEST(MemoryLimit, DefaultIsAvailableMemoryLessAMargin) {
  const size_t available = detail::available_memory_bytes();
  if (available == 0) GTEST_SKIP() << "no /proc/meminfo here";
  const size_t limit = detail::default_memory_limit_bytes(0);
  // Read twice, a moment apart, on a machine others use: allow the available memory to drift
  // by less than the margin (at least 256 MB), which must have been taken off.
  EXPECT_GT(limit, 0u);
  EXPECT_LT(limit, available + (size_t{128} << 20));
}

}  // namespace
}  // namespace espnet
