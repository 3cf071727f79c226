// pointwise_rows_f32_scalar: the pixel-major point-wise convolution (PointwiseRowsFn, the SSD heads
// and the classifier's linear layer) at the portable level, as Eigen matrix products on maps of
// the tensors (no copies): for image n, rows[px x cout] = in[cin x px]^T * packed[cin x cout]
// (the packed weight is already transposed). The rows start as the bias. With a 1-pixel plane
// (the linear layer) the whole batch is one product, in[batch x cin] * packed. Writes exactly
// out_channels floats per row. Threads: our own jobs over (image, block of pixels) above
// kParallelMinMacsPointwise; Eigen's own threading off.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>

#include "kernels/conv_kernels.h"
#include "kernels/isa_local_math.h"

namespace espnet {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using Strided = Eigen::OuterStride<>;

constexpr int64_t kBlockPixels = 256;

}  // namespace

void pointwise_rows_f32_scalar(const float* input, int batch, int in_channels, int64_t plane,
                               const float* packed_weight, int out_channels, const float* bias,
                               float* output, int64_t row_stride, int64_t batch_stride) {
  const int64_t ldw = pointwise_rows_stride(out_channels);
  const Eigen::Map<const RowMajor, Eigen::Unaligned, Strided> w(packed_weight, in_channels,
                                                                out_channels, Strided(ldw));
  // Image n's rows [pixels x out] start at output + n * batch_stride; with one pixel per image
  // the images' rows are rows of one matrix with stride batch_stride.
  const int64_t images = plane == 1 ? 1 : batch;
  const int64_t pixels = plane == 1 ? batch : plane;
  const int64_t pixel_stride = plane == 1 ? batch_stride : row_stride;
  const int64_t input_stride = plane == 1 ? in_channels : 1;  // between the product's rows
  const int64_t blocks = ceil_div_i64(pixels, kBlockPixels);
  const int64_t jobs = images * blocks;
  const double macs = double(batch) * double(plane) * in_channels * out_channels;
#pragma omp parallel for schedule(static) if (macs >= kParallelMinMacsPointwise)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / blocks;
    const int64_t first = job % blocks * kBlockPixels;
    const int64_t count = min_i64(pixels - first, kBlockPixels);
    Eigen::Map<RowMajor, Eigen::Unaligned, Strided> rows(
        output + n * batch_stride + first * pixel_stride, count, out_channels,
        Strided(pixel_stride));
    if (bias)
      rows.rowwise() = Eigen::Map<const Eigen::RowVectorXf>(bias, out_channels);
    else
      rows.setZero();
    const float* in = input + n * in_channels * plane + first * input_stride;
    if (plane == 1) {
      // in[batch x cin], row-major.
      const Eigen::Map<const RowMajor, Eigen::Unaligned, Strided> x(in, count, in_channels,
                                                                    Strided(in_channels));
      rows.noalias() += x * w;
    } else {
      // in[cin x plane] row-major is, transposed, a column-major [pixels x cin] with stride plane.
      const Eigen::Map<const ColMajor, Eigen::Unaligned, Strided> x(in, count, in_channels,
                                                                    Strided(plane));
      rows.noalias() += x * w;
    }
  }
}

}  // namespace espnet
