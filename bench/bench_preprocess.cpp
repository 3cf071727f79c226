// Micro-benchmarks of the photo-side work a command waits for besides the network: Pillow's
// antialiased bilinear resize (the EdgeNets demos' preprocessing) on a 750x400 photo to the
// segmentation demo's 736x384, a 1024x768 photo to classification's shorter side 256, and a
// 12-megapixel phone photo (4000x3000) down to segment's default cap of 2048 on the longer side.
// Args: source width, height, output width, height, threads.
// Run e.g.: espnet_bench --benchmark_filter=resize_pillow
#include <benchmark/benchmark.h>

#include <random>

#include "image/resize_pillow.h"

namespace espnet {
namespace {

void bench_resize_pillow(benchmark::State& state) {
  const int w = int(state.range(0)), h = int(state.range(1));
  const int out_w = int(state.range(2)), out_h = int(state.range(3));
  Image photo;
  photo.width = w;
  photo.height = h;
  photo.channels = 3;
  photo.pixels.resize(size_t(w) * h * 3);
  std::mt19937 rng(7);
  for (uint8_t& v : photo.pixels) v = static_cast<uint8_t>(rng() & 0xFF);
  for (auto _ : state) {
    Image out = resize_pillow_bilinear(photo, out_w, out_h, int(state.range(4)));
    benchmark::DoNotOptimize(out.pixels.data());
  }
  state.counters["MP/s"] = benchmark::Counter(double(w) * h * 1e-6 * double(state.iterations()),
                                              benchmark::Counter::kIsRate);
}

BENCHMARK(bench_resize_pillow)
    ->Name("resize_pillow/segment_750x400")
    ->Args({750, 400, 736, 384, 1})
    ->Args({750, 400, 736, 384, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(bench_resize_pillow)
    ->Name("resize_pillow/classify_1024x768")
    ->Args({1024, 768, 341, 256, 1})
    ->Args({1024, 768, 341, 256, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(bench_resize_pillow)
    ->Name("resize_pillow/segment_4000x3000")
    ->Args({4000, 3000, 2048, 1536, 1})
    ->Args({4000, 3000, 2048, 1536, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace espnet
