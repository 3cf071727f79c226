// Micro-benchmarks of the kernels the networks run around their 1x1 and depth-wise convolutions:
// per-channel scale/shift + PReLU, add + PReLU, avg-pool 3x3/s2, the direct grouped 3x3
// convolution, bilinear resize and adaptive average pooling, at each ISA level, on real ESPNetv2
// layer shapes (classification s=0.5 and s=2.0 at 224x224, PASCAL segmentation s=2.0 at
// 384x384, Cityscapes s=1.0 at 1024x512, SSD300 s=2.0). Names: <kernel>/<isa>/<layer>; args: shape
// and thread count. The fused EESP spatial stage (4 dilated depth-wise branches + HFF + BN + PReLU)
// too. Counters: FLOP/s (2 per multiply-add, convolution only) and bytes/s (inputs read once +
// output written once). Run e.g.: espnet_bench --benchmark_filter=avg_pool
// --benchmark_min_time=0.05
#include <benchmark/benchmark.h>
#include <omp.h>

#include <random>
#include <string>

#include "bench_support.h"
#include "espnet/tensor.h"
#include "kernels/dispatch.h"
#include "kernels/eesp_spatial.h"

namespace espnet {
namespace {

using bench::enter;
using bench::random_tensor;
using bench::set_bytes;
using bench::set_counters;

// Args: C, H, W, threads. In place: scale -1, shift 0 and slopes of +-1 keep every magnitude
// as it is over the iterations (other values would drift to zero through the denormals and time
// those), and half of the channels keep mixed signs.
void bench_scale_shift_prelu(benchmark::State& state, Isa isa) {
  const int c = int(state.range(0)), h = int(state.range(1)), w = int(state.range(2));
  if (!enter(state, isa, int(state.range(3)))) return;
  Tensor x = random_tensor({1, c, h, w});
  Tensor scale({c}), shift({c}), slopes({c});
  for (int i = 0; i < c; ++i) {
    scale.data()[i] = -1.0f;
    shift.data()[i] = 0.0f;
    slopes.data()[i] = i % 2 ? 1.0f : -1.0f;
  }
  const ScaleShiftPreluFn kernel = conv_kernels().scale_shift_prelu;
  for (auto _ : state) {
    kernel(x.data(), 1, c, int64_t(h) * w, scale.data(), shift.data(), slopes.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 8.0 * c * h * w);
}

// Args: C, H, W, threads. out = PReLU(a + b) into a separate tensor.
void bench_add_prelu(benchmark::State& state, Isa isa) {
  const int c = int(state.range(0)), h = int(state.range(1)), w = int(state.range(2));
  if (!enter(state, isa, int(state.range(3)))) return;
  const Tensor a = random_tensor({1, c, h, w}), b = random_tensor({1, c, h, w});
  const Tensor slopes = random_tensor({c});
  Tensor out({1, c, h, w});
  const AddPreluFn kernel = conv_kernels().add_prelu;
  for (auto _ : state) {
    kernel(a.data(), b.data(), out.data(), 1, c, int64_t(h) * w, slopes.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 12.0 * c * h * w);
}

// Args: C, H, W, threads.
void bench_avg_pool(benchmark::State& state, Isa isa) {
  const int c = int(state.range(0)), h = int(state.range(1)), w = int(state.range(2));
  if (!enter(state, isa, int(state.range(3)))) return;
  const Tensor x = random_tensor({1, c, h, w});
  const int oh = (h - 1) / 2 + 1, ow = (w - 1) / 2 + 1;
  Tensor y({1, c, oh, ow});
  const AvgPool3x3s2Fn kernel = conv_kernels().avg_pool3x3s2;
  for (auto _ : state) {
    kernel(x.data(), c, h, w, y.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 4.0 * c * (double(h) * w + double(oh) * ow));
}

// Args: H, W, Cin, Cout, G, stride, threads.
void bench_conv3x3(benchmark::State& state, Isa isa) {
  const int h = int(state.range(0)), w = int(state.range(1)), cin = int(state.range(2));
  const int cout = int(state.range(3)), groups = int(state.range(4)), stride = int(state.range(5));
  if (!enter(state, isa, int(state.range(6)))) return;
  const Tensor x = random_tensor({1, cin, h, w});
  const Tensor weight = random_tensor({cout, cin / groups, 3, 3});
  const Tensor bias = random_tensor({cout}), slopes = random_tensor({cout});
  const int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
  Tensor y({1, cout, oh, ow});
  const Conv3x3Fn kernel = conv_kernels().conv3x3;
  for (auto _ : state) {
    kernel(x.data(), 1, cin, cout, groups, h, w, stride, weight.data(), bias.data(), slopes.data(),
           y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, 9.0 * (cin / groups) * double(cout) * oh * ow,
               4.0 * (double(cin) * h * w + double(cout) * oh * ow));
}

// Args: C, H, W, out H, out W, threads; `adaptive` picks adaptive pooling over resize.
void bench_resample(benchmark::State& state, Isa isa, bool adaptive) {
  const int c = int(state.range(0)), h = int(state.range(1)), w = int(state.range(2));
  const int oh = int(state.range(3)), ow = int(state.range(4));
  if (!enter(state, isa, int(state.range(5)))) return;
  const Tensor x = random_tensor({1, c, h, w});
  Tensor y({1, c, oh, ow});
  const ConvKernels& k = conv_kernels();
  for (auto _ : state) {
    if (adaptive)
      k.adaptive_avg_pool(x.data(), c, h, w, oh, ow, y.data());
    else
      k.resize_bilinear(x.data(), c, h, w, oh, ow, y.data());
    benchmark::ClobberMemory();
  }
  set_bytes(state, 4.0 * c * (double(h) * w + double(oh) * ow));
}

struct PlaneShape {
  const char* layer;
  int c, h, w;
};
struct Conv3x3Shape {
  const char* layer;
  int h, w, cin, cout, groups, stride;
};
struct ResampleShape {
  const char* layer;
  int c, h, w, oh, ow;
};

const PlaneShape kElementwise[] = {
    {"cls2.0_level2", 128, 56, 56},    {"cls2.0_level3", 256, 28, 28},
    {"cls2.0_level4", 512, 14, 14},    {"cls2.0_level5", 1024, 7, 7},
    {"pascal2.0_level2", 128, 96, 96}, {"city1.0_level2", 64, 128, 256},
    {"cls0.5_level3", 64, 28, 28},     {"ssd300_level3", 256, 38, 38},
};
const PlaneShape kAvgPool[] = {
    {"cls_image_224", 3, 224, 224},        {"cls2.0_level2_avg", 32, 112, 112},
    {"cls2.0_level3_avg", 128, 56, 56},    {"pascal2.0_level2_avg", 32, 192, 192},
    {"city_image_1024x512", 3, 512, 1024}, {"city1.0_level2_avg", 32, 256, 512},
    {"cls0.5_level3_avg", 32, 56, 56},     {"ssd300_level3_avg", 128, 75, 75},
};
const Conv3x3Shape kConv3x3[] = {
    {"cls2.0_level1", 224, 224, 3, 32, 1, 2},
    {"pascal2.0_level1", 384, 384, 3, 32, 1, 2},
    {"cls_shortcut_56", 56, 56, 3, 3, 1, 1},
    {"pascal2.0_pyr_merge", 192, 192, 50, 10, 10, 1},
    {"pascal2.0_pwconv_g16", 96, 96, 128, 48, 16, 1},
    {"pascal2.0_pwconv_g64", 48, 48, 256, 64, 64, 1},
    {"ssd300_level1", 300, 300, 3, 32, 1, 2},
    {"ssd300_bu38_merge", 38, 38, 204, 51, 51, 1},
};
const ResampleShape kResize[] = {
    {"pascal2.0_output", 21, 96, 96, 384, 384},
    {"pascal2.0_pyr_up", 10, 96, 96, 192, 192},
    {"pascal2.0_pyr_down_back", 10, 68, 68, 192, 192},
    {"ssd300_bu38_projection_up", 51, 19, 19, 38, 38},
    {"ssd300_bu38_pyr_up", 51, 38, 38, 76, 76},
};
const ResampleShape kAdaptive[] = {
    {"pascal2.0_pyr_down", 10, 192, 192, 68, 68},
    {"pascal2.0_pyr_up_back", 10, 384, 384, 192, 192},
    {"ssd300_bu38_pyr_up_back", 51, 76, 76, 38, 38},
    {"ssd300_bu38_pyr_down", 51, 38, 38, 19, 19},
};

// Args: width (channels per branch), H, W (input), stride, threads; 4 branches, dilations 1-4
// (levels 2-3; deeper levels repeat smaller dilations, which costs the same).
void bench_eesp(benchmark::State& state, Isa isa) {
  const int width = int(state.range(0)), h = int(state.range(1)), w = int(state.range(2));
  const int stride = int(state.range(3));
  if (!enter(state, isa, int(state.range(4)))) return;
  const int dilations[4] = {1, 2, 3, 4};
  const Tensor x = random_tensor({1, width, h, w});
  const Tensor weights = random_tensor({4 * width, 9});
  Tensor scale({4 * width}), shift({4 * width}), slopes({4 * width});
  for (int i = 0; i < 4 * width; ++i) {
    scale.data()[i] = 0.5f;
    shift.data()[i] = 0.1f;
    slopes.data()[i] = 0.25f;
  }
  const int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
  Tensor y({1, 4 * width, oh, ow});
  const EespSpatialFn kernel = eesp_spatial_kernel();
  for (auto _ : state) {
    kernel(x.data(), 1, width, h, w, stride, 4, dilations, weights.data(), scale.data(),
           shift.data(), slopes.data(), y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, 9.0 * 4 * width * oh * ow, 4.0 * width * (double(h) * w + 4.0 * oh * ow));
}

struct EespShape {
  const char* layer;
  int width, h, w, stride;
};
const EespShape kEesp[] = {
    {"cls2.0_level3", 64, 28, 28, 1},        {"cls2.0_level4", 128, 14, 14, 1},
    {"cls0.5_level3", 16, 28, 28, 1},        {"cls0.5_level4", 32, 14, 14, 1},
    {"cls2.0_level3_down", 32, 56, 56, 2},   {"ssd300_level3", 64, 38, 38, 1},
    {"city1.0_level2_down", 8, 256, 512, 2}, {"city1.0_level3", 16, 128, 256, 1},
};

int register_all() {
  for (Isa isa : kAllIsas) {
    const std::string suffix = std::string("/") + isa_name(isa) + "/";
    for (const PlaneShape& s : kElementwise) {
      benchmark::RegisterBenchmark(("scale_shift_prelu" + suffix + s.layer).c_str(),
                                   bench_scale_shift_prelu, isa)
          ->ArgNames({"C", "H", "W", "threads"})
          ->Args({s.c, s.h, s.w, 1})
          ->Args({s.c, s.h, s.w, 2})
          ->UseRealTime();
      benchmark::RegisterBenchmark(("add_prelu" + suffix + s.layer).c_str(), bench_add_prelu, isa)
          ->ArgNames({"C", "H", "W", "threads"})
          ->Args({s.c, s.h, s.w, 1})
          ->Args({s.c, s.h, s.w, 2})
          ->UseRealTime();
    }
    for (const EespShape& s : kEesp)
      benchmark::RegisterBenchmark(("eesp_dw_hff" + suffix + s.layer).c_str(), bench_eesp, isa)
          ->ArgNames({"width", "H", "W", "stride", "threads"})
          ->Args({s.width, s.h, s.w, s.stride, 1})
          ->Args({s.width, s.h, s.w, s.stride, 2})
          ->UseRealTime();
    for (const PlaneShape& s : kAvgPool)
      benchmark::RegisterBenchmark(("avg_pool3x3s2" + suffix + s.layer).c_str(), bench_avg_pool,
                                   isa)
          ->ArgNames({"C", "H", "W", "threads"})
          ->Args({s.c, s.h, s.w, 1})
          ->Args({s.c, s.h, s.w, 2})
          ->UseRealTime();
    for (const Conv3x3Shape& s : kConv3x3)
      benchmark::RegisterBenchmark(("gconv3x3" + suffix + s.layer).c_str(), bench_conv3x3, isa)
          ->ArgNames({"H", "W", "Cin", "Cout", "G", "stride", "threads"})
          ->Args({s.h, s.w, s.cin, s.cout, s.groups, s.stride, 1})
          ->Args({s.h, s.w, s.cin, s.cout, s.groups, s.stride, 2})
          ->UseRealTime();
    for (const ResampleShape& s : kResize)
      benchmark::RegisterBenchmark(("resize_bilinear" + suffix + s.layer).c_str(), bench_resample,
                                   isa, false)
          ->ArgNames({"C", "H", "W", "outH", "outW", "threads"})
          ->Args({s.c, s.h, s.w, s.oh, s.ow, 1})
          ->Args({s.c, s.h, s.w, s.oh, s.ow, 2})
          ->UseRealTime();
    for (const ResampleShape& s : kAdaptive)
      benchmark::RegisterBenchmark(("adaptive_avg_pool" + suffix + s.layer).c_str(), bench_resample,
                                   isa, true)
          ->ArgNames({"C", "H", "W", "outH", "outW", "threads"})
          ->Args({s.c, s.h, s.w, s.oh, s.ow, 1})
          ->Args({s.c, s.h, s.w, s.oh, s.ow, 2})
          ->UseRealTime();
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace espnet
