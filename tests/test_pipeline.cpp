// The three-stage pipeline of folder runs: items reach every stage in order, the number of items
// alive at once stays bounded whatever the count, and an error in any stage stops the run and
// reaches the caller (no deadlock, every thread joined).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "pipeline/bounded_queue.h"
#include "pipeline/three_stage_pipeline.h"

namespace espnet {
namespace {

std::atomic<int> g_alive{0}, g_peak{0};

// Counts live instances (moves included) to bound the memory of a run.
struct Tracked {
  size_t index = 0;
  bool live = false;
  explicit Tracked(size_t i) : index(i), live(true) { enter(); }
  Tracked(Tracked&& o) noexcept : index(o.index), live(o.live) { o.live = false; }
  Tracked& operator=(Tracked&& o) noexcept {
    if (live) leave();
    index = o.index;
    live = o.live;
    o.live = false;
    return *this;
  }
  ~Tracked() {
    if (live) leave();
  }
  static void enter() {
    const int now = ++g_alive;
    int peak = g_peak.load();
    while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
    }
  }
  static void leave() { --g_alive; }
};

TEST(Pipeline, InOrderAndBoundedOverManyItems) {
  g_alive = 0;
  g_peak = 0;
  std::vector<size_t> processed, finished;
  const size_t count = 2000, depth = 2;
  pipeline::run_three_stage_pipeline<Tracked>(
      count, depth, [](size_t i) { return Tracked(i); },
      [&](Tracked& t) { processed.push_back(t.index); },
      [&](Tracked& t) {
        if (t.index % 97 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        finished.push_back(t.index);
      });
  ASSERT_EQ(processed.size(), count);
  ASSERT_EQ(finished.size(), count);
  for (size_t i = 0; i < count; ++i) {
    EXPECT_EQ(processed[i], i);
    EXPECT_EQ(finished[i], i);
  }
  EXPECT_EQ(g_alive.load(), 0);
  // Two queues of `depth`, one item in each stage's hands, one being built by the loader.
  EXPECT_LE(g_peak.load(), static_cast<int>(2 * depth + 4));
  EXPECT_GE(g_peak.load(), 2);
}

TEST(Pipeline, ZeroItems) {
  int calls = 0;
  pipeline::run_three_stage_pipeline<int>(
      0, 2, [&](size_t) { return ++calls; }, [&](int&) { ++calls; }, [&](int&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(Pipeline, AnErrorInAnyStageStopsTheRunAndReachesTheCaller) {
  for (int failing_stage = 0; failing_stage < 3; ++failing_stage) {
    std::atomic<size_t> finished{0};
    try {
      pipeline::run_three_stage_pipeline<size_t>(
          100000, 2,
          [&](size_t i) {
            if (failing_stage == 0 && i == 10) throw std::runtime_error("load 10");
            return i;
          },
          [&](size_t& i) {
            if (failing_stage == 1 && i == 10) throw std::runtime_error("process 10");
          },
          [&](size_t& i) {
            if (failing_stage == 2 && i == 10) throw std::runtime_error("finish 10");
            ++finished;
          });
      FAIL() << "no error from stage " << failing_stage;
    } catch (const std::runtime_error& e) {
      const std::string expected[] = {"load 10", "process 10", "finish 10"};
      EXPECT_EQ(e.what(), expected[failing_stage]);
    }
    EXPECT_LE(finished.load(), 10u) << "stage " << failing_stage;
  }
}

TEST(BoundedQueue, CloseDrainsAbortDrops) {
  pipeline::BoundedQueue<int> q(2);
  EXPECT_TRUE(q.push(1));
  EXPECT_TRUE(q.push(2));
  q.close();
  EXPECT_FALSE(q.push(3));
  EXPECT_EQ(q.pop().value(), 1);
  EXPECT_EQ(q.pop().value(), 2);
  EXPECT_FALSE(q.pop().has_value());
  pipeline::BoundedQueue<int> a(1);
  EXPECT_TRUE(a.push(1));
  std::thread blocked([&] { EXPECT_FALSE(a.push(2)); });  // full: waits until aborted
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  a.abort();
  blocked.join();
  EXPECT_FALSE(a.pop().has_value());
}

}  // namespace
}  // namespace espnet
