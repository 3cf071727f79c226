// Helpers shared by the micro-benchmarks: deterministic random tensors, selecting the ISA level
// and thread count of a run, and the throughput counters.
#pragma once

#include <benchmark/benchmark.h>
#include <omp.h>

#include <random>
#include <string>

#include "espnet/tensor.h"
#include "kernels/dispatch.h"

namespace espnet::bench {

inline Tensor random_tensor(Shape shape) {
  Tensor t(std::move(shape));
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = dist(rng);
  return t;
}

// Selects `isa` for the run; false (and the run is marked skipped) if the CPU lacks it.
inline bool enter(benchmark::State& state, Isa isa, int threads) {
  if (set_isa(isa) != isa) {
    state.SkipWithError((std::string(isa_name(isa)) + " not supported by this CPU").c_str());
    return false;
  }
  omp_set_num_threads(threads);
  return true;
}

inline void set_bytes(benchmark::State& state, double bytes) {
  state.counters["bytes/s"] =
      benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
}

// FLOP/s counts 2 per multiply-add.
inline void set_counters(benchmark::State& state, double macs, double bytes) {
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * macs, benchmark::Counter::kIsIterationInvariantRate);
  set_bytes(state, bytes);
}

}  // namespace espnet::bench
