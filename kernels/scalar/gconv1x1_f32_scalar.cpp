// gconv1x1_f32_scalar: grouped point-wise convolution, NCHW, at the portable level: each
// (image, group, block of pixels) is one matrix product out[cout x px] += W[cout x cin] *
// in[cin x px] through Eigen, on maps of the tensors themselves (no copies; Eigen vectorises
// it for whatever the target has: SSE/AVX, NEON, AltiVec, WASM SIMD). The output block starts as
// the bias plus the addend, and the PReLU runs over it afterwards. Reads and writes exactly the
// tensors' extents.
//
// Threads: our own OpenMP jobs over (image, group, pixel block) above kParallelMinMacsPointwise,
// with Eigen's own threading off (EIGEN_DONT_PARALLELIZE), so the thresholds stay ours.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>

#include "kernels/conv_kernels.h"
#include "kernels/isa_local_math.h"

namespace espnet {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstBlock = Eigen::Map<const RowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;
using Block = Eigen::Map<RowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;

// Pixels per job: wide enough for Eigen's blocking to pay, small enough for several jobs.
constexpr int64_t kBlockPixels = 1024;

}  // namespace

void gconv1x1_f32_scalar(const float* input, int batch, int in_channels, int out_channels,
                         int groups, int64_t plane, const float* weight, const float* bias,
                         const float* slopes, const float* addend, float* output) {
  const int cin = in_channels / groups;
  const int cout = out_channels / groups;
  const double macs = double(batch) * out_channels * double(plane) * cin;
  const bool parallel = macs >= kParallelMinMacsPointwise;
  const int64_t blocks = ceil_div_i64(plane, kBlockPixels);
  const int64_t jobs = int64_t(batch) * groups * blocks;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t block = job % blocks;
    const int g = static_cast<int>(job / blocks % groups);
    const int64_t n = job / (blocks * groups);
    const int64_t px = block * kBlockPixels;
    const int64_t width = min_i64(plane - px, kBlockPixels);
    const int64_t out_offset = (n * out_channels + int64_t(g) * cout) * plane + px;
    const ConstBlock in(input + (n * in_channels + int64_t(g) * cin) * plane + px, cin, width,
                        Eigen::OuterStride<>(plane));
    const Eigen::Map<const RowMajor> w(weight + int64_t(g) * cout * cin, cout, cin);
    Block out(output + out_offset, cout, width, Eigen::OuterStride<>(plane));
    // The addend is taken first, so it may be the output itself (read before overwritten).
    for (int co = 0; co < cout; ++co) {
      const float b = bias ? bias[g * cout + co] : 0.0f;
      if (addend)
        out.row(co) = ConstBlock(addend + out_offset, cout, width, Eigen::OuterStride<>(plane))
                          .row(co)
                          .array() +
                      b;
      else
        out.row(co).setConstant(b);
    }
    out.noalias() += w * in;
    if (slopes)
      for (int co = 0; co < cout; ++co) {
        const float a = slopes[g * cout + co];
        out.row(co) = out.row(co).unaryExpr([a](float y) { return y < 0.0f ? a * y : y; });
      }
  }
}

}  // namespace espnet
