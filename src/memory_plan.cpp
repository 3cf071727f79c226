#include "memory_plan.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "espnet/error.h"

namespace espnet::detail {
namespace {

struct Lifetime {
  size_t first = 0;  // event index of the acquisition
  size_t last = 0;   // event index of the release (events.size() if never released)
};

bool overlap(const Lifetime& a, const Lifetime& b) {
  return a.first < b.last && b.first < a.last;
}

std::vector<Lifetime> lifetimes(const MemoryPlan& plan) {
  const size_t blocks = plan.sizes.size();
  std::vector<Lifetime> life(blocks, Lifetime{plan.events.size(), plan.events.size()});
  std::vector<char> acquired(blocks, 0), released(blocks, 0);
  for (size_t e = 0; e < plan.events.size(); ++e) {
    const AllocationEvent& ev = plan.events[e];
    if (ev.block < 0 || size_t(ev.block) >= blocks)
      throw Error("memory plan: event names block " + std::to_string(ev.block) + " of " +
                  std::to_string(blocks));
    if (!ev.release) {
      if (acquired[ev.block])
        throw Error("memory plan: block " + std::to_string(ev.block) + " acquired twice");
      acquired[ev.block] = 1;
      life[ev.block].first = e;
    } else {
      if (!acquired[ev.block] || released[ev.block])
        throw Error("memory plan: block " + std::to_string(ev.block) +
                    " released before acquisition or twice");
      released[ev.block] = 1;
      life[ev.block].last = e;
    }
  }
  for (size_t b = 0; b < blocks; ++b)
    if (!acquired[b]) throw Error("memory plan: block " + std::to_string(b) + " is never acquired");
  return life;
}

}  // namespace

MemoryPlan plan_memory(std::vector<size_t> sizes, std::vector<AllocationEvent> events) {
  MemoryPlan plan;
  plan.sizes = std::move(sizes);
  plan.events = std::move(events);
  for (size_t& s : plan.sizes) s = (s + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment;
  const std::vector<Lifetime> life = lifetimes(plan);
  const size_t blocks = plan.sizes.size();

  size_t live = 0;
  for (const AllocationEvent& ev : plan.events) {
    if (ev.release)
      live -= plan.sizes[ev.block];
    else
      live += plan.sizes[ev.block];
    plan.peak_live_bytes = std::max(plan.peak_live_bytes, live);
  }
  plan.total_bytes = std::accumulate(plan.sizes.begin(), plan.sizes.end(), size_t{0});

  // Largest first (ties: earlier first, so the plan does not depend on the sort's whims).
  std::vector<size_t> order(blocks);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return plan.sizes[a] != plan.sizes[b] ? plan.sizes[a] > plan.sizes[b] : a < b;
  });
  plan.offsets.assign(blocks, 0);
  std::vector<size_t> placed;  // by offset
  std::vector<size_t> neighbours;
  for (size_t b : order) {
    neighbours.clear();
    for (size_t p : placed)
      if (overlap(life[b], life[p])) neighbours.push_back(p);  // `placed` is sorted by offset
    size_t best_offset = 0, best_gap = SIZE_MAX, end = 0;
    bool found = false;
    for (size_t p : neighbours) {
      if (plan.offsets[p] > end) {
        const size_t gap = plan.offsets[p] - end;
        if (gap >= plan.sizes[b] && gap < best_gap) {
          best_gap = gap;
          best_offset = end;
          found = true;
        }
      }
      end = std::max(end, plan.offsets[p] + plan.sizes[p]);
    }
    plan.offsets[b] = found ? best_offset : end;
    plan.arena_bytes = std::max(plan.arena_bytes, plan.offsets[b] + plan.sizes[b]);
    auto at = std::upper_bound(placed.begin(), placed.end(), b, [&](size_t x, size_t y) {
      return plan.offsets[x] < plan.offsets[y];
    });
    placed.insert(at, b);
  }
  return plan;
}

}  // namespace espnet::detail
