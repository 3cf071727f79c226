// After the first run of a shape, a session's run makes no heap allocation: activations come
// from its pool, outputs are reused. Counted by replacing the global operator new in this test
// executable.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "espnet/npy.h"
#include "espnet/quantize.h"
#include "espnet/session.h"
#include "kernels/bf16_kernels.h"
#include "support/ref_data.h"
#include "support/reference_cases.h"

namespace {
std::atomic<long> g_allocations{0};
}

// GCC cannot see that this operator new pairs with the operator delete below (both malloc/free).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  return operator new(size);
}
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every allocation must
// come from malloc, since the replaced operator delete below frees with free().
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size ? size : 1);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return operator new(size, std::nothrow);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}

namespace espnet {
namespace {

struct Case {
  const char* checkpoint;
  int height, width;
};

class AllocationFree : public ::testing::TestWithParam<Case> {};

TEST_P(AllocationFree, SecondRunAllocatesNothing) {
  ESPNET_REQUIRE_REF_DATA();
  const Case& c = GetParam();
  auto model = test::load_reference_model(c.checkpoint);
  Tensor input({1, 3, c.height, c.width});
  for (int64_t i = 0; i < input.numel(); ++i)
    input.data()[i] = float((i * 7919) % 255) / 128.0f - 1;
  Session session(model, SessionOptions{1});
  session.run(input);  // plans: fills the pool
  const size_t held = session.activation_bytes();
  const long before = g_allocations.load();
  const std::vector<NamedTensor>& out = session.run(input);
  const long during = g_allocations.load() - before;
  EXPECT_EQ(during, 0) << "heap allocations during a steady-state run";
  EXPECT_EQ(session.activation_bytes(), held);
  EXPECT_FALSE(out.empty());
  EXPECT_GT(held, 0u);
}

// The reduced precisions allocate packed copies of each point-wise layer's input: the memory
// plan holds them too, so their steady state allocates nothing either (an int8 layer that falls
// back to fp32 still takes its planned buffer).
TEST_P(AllocationFree, SecondRunAllocatesNothingInReducedPrecision) {
  ESPNET_REQUIRE_REF_DATA();
  const Case& c = GetParam();
  auto model = test::load_reference_model(c.checkpoint);
  Tensor input({1, 3, c.height, c.width});
  for (int64_t i = 0; i < input.numel(); ++i)
    input.data()[i] = float((i * 7919) % 255) / 128.0f - 1;
  int tested = 0;
  for (Precision precision : {Precision::kBf16, Precision::kInt8}) {
    if (precision == Precision::kBf16 && !bf16_kernels()) continue;
    SessionOptions options{1};
    options.precision = precision;
    // int8 runs a calibrated model (here on the input itself); without VNNI, on fp32 kernels.
    Session session(precision == Precision::kInt8 ? quantize(model, {input}) : model, options);
    session.run(input);
    const size_t held = session.activation_bytes();
    const long before = g_allocations.load();
    session.run(input);
    EXPECT_EQ(g_allocations.load() - before, 0) << precision_name(precision);
    EXPECT_EQ(session.activation_bytes(), held) << precision_name(precision);
    const PrecisionReport report = session.precision_report();
    EXPECT_GT(report.reduced_convolutions + report.int8_fallbacks, 0);
    ++tested;
  }
  if (!tested) GTEST_SKIP() << "no bf16 or int8 kernels on this CPU";
}

INSTANTIATE_TEST_SUITE_P(
    Networks, AllocationFree,
    ::testing::Values(Case{"checkpoints/cls_s0.5_random_legacy.pth", 97, 161},
                      Case{"checkpoints/espnetv2_s_0.5_pascal_384x384.pth", 48, 64},
                      Case{"checkpoints/espnetv2orig_seg_city_s0.5.pth", 64, 128},
                      Case{"checkpoints/det_ssd300_coco_s2.0_random.pth", 300, 300}));

}  // namespace
}  // namespace espnet
