// argmax_channels_f32 and global_avg_pool_f32 (kernels/reduce_kernels.h): portable, written so
// the compiler vectorises the inner loops, threaded over pixel chunks or planes.
#include "kernels/elementwise_kernels.h"
#include "kernels/reduce_kernels.h"

namespace espnet {
namespace {

constexpr int64_t kArgmaxChunk = 1024;  // pixels per job: best scores and labels stay in L1
constexpr int kSumLanes = 16;           // independent partial sums (vector lanes)

}  // namespace

void argmax_channels_f32(const float* logits, int classes, int64_t plane, uint8_t* labels) {
  const int64_t chunks = (plane + kArgmaxChunk - 1) / kArgmaxChunk;
#pragma omp parallel for schedule(static) if (double(plane) * classes >= kParallelMinElements)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int64_t begin = chunk * kArgmaxChunk;
    const int count = static_cast<int>(plane - begin < kArgmaxChunk ? plane - begin : kArgmaxChunk);
    // Labels as 32-bit lanes, the width of the scores, so compare and select vectorise together.
    float best[kArgmaxChunk];
    int32_t label[kArgmaxChunk];
    const float* first = logits + begin;
    for (int i = 0; i < count; ++i) {
      best[i] = first[i];
      label[i] = 0;
    }
    for (int c = 1; c < classes; ++c) {
      const float* p = logits + int64_t(c) * plane + begin;
      const int32_t value = c;
      // Strict > keeps the first maximum; a NaN compares false and never replaces.
      for (int i = 0; i < count; ++i) {
        const float v = p[i], b = best[i];
        const int32_t take = -static_cast<int32_t>(v > b);  // all ones or zero
        best[i] = v > b ? v : b;
        label[i] = (value & take) | (label[i] & ~take);
      }
    }
    for (int i = 0; i < count; ++i) labels[begin + i] = static_cast<uint8_t>(label[i]);
  }
}

void global_avg_pool_f32(const float* input, int64_t planes, int64_t plane_size, float* output) {
#pragma omp parallel for schedule(static) if (double(planes) * plane_size >= kParallelMinElements)
  for (int64_t p = 0; p < planes; ++p) {
    const float* x = input + p * plane_size;
    float lanes[kSumLanes] = {};
    int64_t i = 0;
    for (; i + kSumLanes <= plane_size; i += kSumLanes)
      for (int l = 0; l < kSumLanes; ++l) lanes[l] += x[i + l];
    float sum = 0.0f;
    for (; i < plane_size; ++i) sum += x[i];
    for (int l = 0; l < kSumLanes; ++l) sum += lanes[l];
    output[p] = sum / static_cast<float>(plane_size);
  }
}

}  // namespace espnet
