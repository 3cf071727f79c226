// Micro-benchmarks of the grouped 1x1 and depth-wise 3x3 kernels at each ISA level, on real
// ESPNetv2 layer shapes (classification s=0.5 and s=2.0 at 224x224, Cityscapes segmentation s=1.0
// at 1024x512, SSD300 s=2.0), and the pixel-major 1x1 of the SSD300 heads. Names:
// <kernel>/<isa>/<layer>; args: shape and thread count. Counters: FLOP/s (2 per multiply-add) and
// bytes/s (input read once + output written once). Run e.g.: espnet_bench
// --benchmark_filter=gconv1x1 --benchmark_min_time=0.05
#include <benchmark/benchmark.h>
#include <omp.h>

#include <random>
#include <string>

#include "bench_support.h"
#include "espnet/tensor.h"
#include "kernels/dispatch.h"

namespace espnet {
namespace {

using bench::enter;
using bench::random_tensor;
using bench::set_bytes;
using bench::set_counters;

// Args: H, W, Cin, Cout, G, threads.
void bench_pointwise(benchmark::State& state, Isa isa) {
  const int h = int(state.range(0)), w = int(state.range(1)), cin = int(state.range(2));
  const int cout = int(state.range(3)), groups = int(state.range(4));
  if (!enter(state, isa, int(state.range(5)))) return;
  const Tensor x = random_tensor({1, cin, h, w});
  const Tensor weight = random_tensor({cout, cin / groups});
  const Tensor bias = random_tensor({cout}), slopes = random_tensor({cout});
  Tensor y({1, cout, h, w});
  const PointwiseFn kernel = conv_kernels().pointwise;
  for (auto _ : state) {
    kernel(x.data(), 1, cin, cout, groups, int64_t(h) * w, weight.data(), bias.data(),
           slopes.data(), nullptr, y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, double(h) * w * cout * (cin / groups), 4.0 * h * w * (cin + cout));
}

// Args: H, W, C, dilation, stride, threads.
void bench_depthwise(benchmark::State& state, Isa isa) {
  const int h = int(state.range(0)), w = int(state.range(1)), c = int(state.range(2));
  const int dilation = int(state.range(3)), stride = int(state.range(4));
  if (!enter(state, isa, int(state.range(5)))) return;
  const Tensor x = random_tensor({1, c, h, w});
  const Tensor weight = random_tensor({c, 1, 3, 3});
  const Tensor bias = random_tensor({c}), slopes = random_tensor({c});
  const int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
  Tensor y({1, c, oh, ow});
  const DepthwiseFn kernel = conv_kernels().depthwise3x3;
  for (auto _ : state) {
    kernel(x.data(), 1, c, h, w, stride, dilation, weight.data(), bias.data(), slopes.data(),
           y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, 9.0 * c * oh * ow, 4.0 * c * (double(h) * w + double(oh) * ow));
}

// Args: H, W, Cin, Cout, threads; the output rows are packed (row stride Cout).
void bench_pointwise_rows(benchmark::State& state, Isa isa) {
  const int h = int(state.range(0)), w = int(state.range(1)), cin = int(state.range(2));
  const int cout = int(state.range(3));
  if (!enter(state, isa, int(state.range(4)))) return;
  const Tensor x = random_tensor({1, cin, h, w});
  const Tensor packed = random_tensor({cin, pointwise_rows_stride(cout)});
  const Tensor bias = random_tensor({cout});
  Tensor y({int64_t(h) * w, cout});
  const PointwiseRowsFn kernel = conv_kernels().pointwise_rows;
  for (auto _ : state) {
    kernel(x.data(), 1, cin, int64_t(h) * w, packed.data(), cout, bias.data(), y.data(), cout,
           y.numel());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, double(h) * w * cout * cin, 4.0 * h * w * (cin + cout));
}

struct PointwiseShape {
  const char* layer;
  int h, w, cin, cout, groups;
};
struct DepthwiseShape {
  const char* layer;
  int h, w, c, dilation, stride;
};

const PointwiseShape kPointwise[] = {
    {"cls2.0_level3_reduce", 28, 28, 256, 64, 4},
    {"cls2.0_level3_expand", 28, 28, 256, 256, 4},
    {"cls2.0_level4_reduce", 14, 14, 512, 128, 4},
    {"cls2.0_level4_expand", 14, 14, 512, 512, 4},
    {"cls2.0_level5_classifier_in", 7, 7, 1024, 1280, 4},
    {"city1.0_level2_reduce", 256, 512, 32, 8, 4},
    {"city1.0_level2_expand", 128, 256, 32, 32, 4},
    {"city1.0_level3_reduce", 128, 256, 64, 16, 4},
    {"city1.0_level4_expand", 32, 64, 256, 256, 4},
    {"cls0.5_level3_expand", 28, 28, 64, 64, 4},
    {"cls0.5_level4_expand", 14, 14, 128, 128, 4},
    {"cls0.5_level5_classifier_in", 7, 7, 256, 1024, 4},
    {"ssd300_level5_expand", 10, 10, 1024, 1280, 4},
    {"ssd300_extra6_pointwise", 5, 5, 1280, 512, 1},
    {"ssd300_bu38_projection", 38, 38, 768, 51, 1},
    {"ssd300_bu38_merge", 38, 38, 51, 256, 1},
    {"ssd300_bu10_projection", 10, 10, 1792, 256, 1},
};

// SSD300 s=2.0 heads (COCO: 6 anchors x 81 classes, 6 x 4 box offsets). Args: H, W, Cin, Cout.
const PointwiseShape kHeads[] = {
    {"ssd300_cls_38x38", 38, 38, 256, 486, 1},
    {"ssd300_loc_38x38", 38, 38, 256, 24, 1},
    {"ssd300_cls_19x19", 19, 19, 512, 486, 1},
    {"ssd300_cls_10x10", 10, 10, 1280, 486, 1},
};

const DepthwiseShape kDepthwise[] = {
    {"cls2.0_level3_d1", 28, 28, 64, 1, 1},      {"cls2.0_level3_d4", 28, 28, 64, 4, 1},
    {"cls2.0_level4_d1", 14, 14, 128, 1, 1},     {"cls2.0_level4_d3", 14, 14, 128, 3, 1},
    {"cls2.0_level3_down_s2", 56, 56, 64, 1, 2}, {"city1.0_level2_d1", 128, 256, 16, 1, 1},
    {"city1.0_level2_d4", 128, 256, 16, 4, 1},   {"city1.0_level2_down_s2", 256, 512, 8, 1, 2},
    {"city1.0_level3_d8", 64, 128, 32, 8, 1},    {"city1.0_level4_d3", 32, 64, 64, 3, 1},
    {"cls0.5_level5_d1", 7, 7, 256, 1, 1},       {"ssd300_extra6_s2", 10, 10, 1280, 1, 2},
    {"ssd300_bu38_pyr_76", 76, 76, 51, 1, 1},    {"ssd300_bu10_pyr_5", 5, 5, 256, 1, 1},
};

int register_all() {
  for (Isa isa : kAllIsas) {
    const std::string suffix = std::string("/") + isa_name(isa) + "/";
    for (const PointwiseShape& s : kPointwise)
      benchmark::RegisterBenchmark(("gconv1x1" + suffix + s.layer).c_str(), bench_pointwise, isa)
          ->ArgNames({"H", "W", "Cin", "Cout", "G", "threads"})
          ->Args({s.h, s.w, s.cin, s.cout, s.groups, 1})
          ->Args({s.h, s.w, s.cin, s.cout, s.groups, 2})
          ->UseRealTime();
    for (const PointwiseShape& s : kHeads)
      benchmark::RegisterBenchmark(("pointwise_rows" + suffix + s.layer).c_str(),
                                   bench_pointwise_rows, isa)
          ->ArgNames({"H", "W", "Cin", "Cout", "threads"})
          ->Args({s.h, s.w, s.cin, s.cout, 1})
          ->Args({s.h, s.w, s.cin, s.cout, 2})
          ->UseRealTime();
    for (const DepthwiseShape& s : kDepthwise)
      benchmark::RegisterBenchmark(("dwconv3x3" + suffix + s.layer).c_str(), bench_depthwise, isa)
          ->ArgNames({"H", "W", "C", "dilation", "stride", "threads"})
          ->Args({s.h, s.w, s.c, s.dilation, s.stride, 1})
          ->Args({s.h, s.w, s.c, s.dilation, s.stride, 2})
          ->UseRealTime();
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace espnet
