// fp32 vs bf16 vs int8 grouped 1x1 convolution at ESPNetv2 layer shapes, each timed with the
// packing of its input that a network run pays (bf16: rounding into pair words; int8:
// quantizing into u8 quads), on one thread. Run with
//   build/bench/espnet_bench --benchmark_filter=Precision --benchmark_repetitions=5 \
//     --benchmark_enable_random_interleaving=true
// so the three precisions alternate and a busy machine hits them alike.
#include <vector>

#include "bench_support.h"
#include "kernels/bf16_kernels.h"
#include "kernels/int8_kernels.h"

namespace espnet::bench {
namespace {

enum Precision { kFp32 = 0, kBf16 = 1, kInt8 = 2 };

// args: precision, in, out, groups, h, w
void BM_PrecisionPointwise(benchmark::State& state) {
  const int precision = int(state.range(0)), cin = int(state.range(1)), cout = int(state.range(2));
  const int groups = int(state.range(3)), h = int(state.range(4)), w = int(state.range(5));
  if (!enter(state, Isa::kAvx512, 1)) return;
  if ((precision == kBf16 && !bf16_kernels()) || (precision == kInt8 && !int8_kernels())) {
    state.SkipWithError("precision not supported by this CPU");
    return;
  }
  const int64_t plane = int64_t(h) * w;
  const int per_group = cin / groups;
  Tensor input = random_tensor({1, cin, h, w}), out({1, cout, h, w});
  Tensor weight = random_tensor({cout, per_group, 1, 1});
  std::vector<float> bias(cout, 0.1f), slopes(cout, 0.25f), scale(cout);
  // Packed operands, sized for the precision's layout.
  std::vector<uint32_t> packed(size_t(groups) * (per_group + 3) * plane),
      packed_weight(size_t(cout) * (per_group + 3));
  std::vector<int32_t> compensation(cout);
  // int8 inputs: one scale (1/64) and zero point (128) for every channel.
  const std::vector<float> inverse_scale(size_t(cin), 64.0f), channel_scale(size_t(cin), 1 / 64.0f);
  const std::vector<int32_t> zero_point(size_t(cin), 128);
  if (precision == kBf16)
    pack_bf16_gconv1x1_weight(weight.data(), cout, per_group, packed_weight.data());
  if (precision == kInt8) {
    quantize_int8_weight_for_inputs(weight.data(), cout, per_group, groups, channel_scale.data(),
                                    zero_point.data(), packed_weight.data(), scale.data(),
                                    compensation.data());
  }
  const ConvKernels& fp32 = conv_kernels();
  const Bf16Kernels* bf16 = bf16_kernels();
  for (auto _ : state) {
    if (precision == kFp32) {
      fp32.pointwise(input.data(), 1, cin, cout, groups, plane, weight.data(), bias.data(),
                     slopes.data(), nullptr, out.data());
    } else if (precision == kBf16) {
      bf16->pack(input.data(), 1, cin, groups, plane, packed.data());
      bf16->pointwise(reinterpret_cast<const float*>(packed.data()), 1,
                      groups * bf16_pairs(per_group), cout, groups, plane,
                      reinterpret_cast<const float*>(packed_weight.data()), bias.data(),
                      slopes.data(), nullptr, out.data());
    } else {
      const Int8Kernels* k = int8_kernels();  // AVX-512 VNNI here (the avx512 level)
      k->pack(input.data(), 1, cin, groups, plane, inverse_scale.data(), zero_point.data(),
              -INFINITY, INFINITY, packed.data());
      k->gconv(packed.data(), 1, int8_quads(per_group), cout, groups, plane, packed_weight.data(),
               compensation.data(), scale.data(), bias.data(), slopes.data(), nullptr, out.data());
    }
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, double(plane) * per_group * cout, 4.0 * plane * (cin + cout));
}

// {in, out, groups, h, w}: EESP reduce/expand of classification s=2.0 (levels 3, 4), PASCAL
// s=2.0 level 2 expand, an SSD300 class head at 38x38 as a plain 1x1.
const int kShapes[][5] = {{256, 64, 4, 28, 28},
                          {256, 1024, 4, 14, 14},
                          {512, 128, 4, 14, 14},
                          {128, 256, 4, 96, 96},
                          {256, 486, 1, 38, 38}};

void precision_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"prec", "in", "out", "g", "h", "w"});
  for (const auto& s : kShapes)
    for (int p : {kFp32, kBf16, kInt8}) b->Args({p, s[0], s[1], s[2], s[3], s[4]});
}

BENCHMARK(BM_PrecisionPointwise)->Apply(precision_args)->UseRealTime();

}  // namespace
}  // namespace espnet::bench
